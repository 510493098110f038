import { performance } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** One thread's JavaScript heap (each worker thread has its own), in MiB. */
export interface ThreadHeap {
  usedMiB: number;
  totalMiB: number;
}

/**
 * Resource limits of the local cloud's worker threads: the young generation capped at 16 MiB. A request's garbage dies
 * young and long-lived data (the table's rows) sits in the old generation; V8's default (up to 48 MiB a thread, grown
 * under load) only added to the resident size: an API thread was ~150 MiB resident after 10,000 orders, and the whole
 * cloud 1,036 MiB 15 s after them instead of 729 MiB.
 */
export const WORKER_RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 16 };

export function threadHeap(): ThreadHeap {
  const stats = getHeapStatistics();
  return { usedMiB: Math.round(stats.used_heap_size / 1048576), totalMiB: Math.round(stats.total_heap_size / 1048576) };
}

/**
 * When to give memory back: after a busy spell, once the thread has been quiet for `quietWindows` windows in a row
 * (event-loop utilisation under `quietBelow`), once. A burst of orders grows each thread's heap (V8 grows it by half
 * of what survived each full collection, and allocation under load is fast); V8 keeps that room for a while, so an
 * idle local cloud sat 100-300 MiB above its live data. Pure: fed one utilisation figure per window.
 */
export function idleCompactionPolicy(options: { quietBelow?: number; busyAbove?: number; quietWindows?: number } = {}) {
  // An idle local cloud is not silent: stream pollers and housekeeping keep the main and DynamoDB threads 2-10 % busy.
  const quietBelow = options.quietBelow ?? 0.15;
  const busyAbove = options.busyAbove ?? 0.3;
  const quietWindows = options.quietWindows ?? 3;
  let dirty = false;
  let quiet = 0;
  return {
    /** Takes one window's event-loop utilisation (0-1); true when a compaction should run now. */
    observe(utilisation: number): boolean {
      if (utilisation > busyAbove) dirty = true;
      quiet = utilisation < quietBelow ? quiet + 1 : 0;
      if (!dirty || quiet < quietWindows) return false;
      dirty = false;
      return true;
    },
  };
}

/**
 * Runs a full, compacting collection on this thread when the policy above says so, checking every `windowMs`. The
 * collector is reached with V8's --expose-gc set at run time, in a fresh context (the flag only applies to contexts
 * created after it). Returns a stop function; the timer does not keep the process alive.
 */
export function compactWhenIdle(windowMs = 2000): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const policy = idleCompactionPolicy();
  let last = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, last);
    last = now;
    if (policy.observe(utilization)) gc();
  }, windowMs);
  timer.unref();
  return () => clearInterval(timer);
}
