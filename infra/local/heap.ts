import { getHeapStatistics } from 'node:v8';

/** One thread's JavaScript heap (each worker thread has its own), in MiB. */
export interface ThreadHeap {
  usedMiB: number;
  totalMiB: number;
}

export function threadHeap(): ThreadHeap {
  const stats = getHeapStatistics();
  return { usedMiB: Math.round(stats.used_heap_size / 1048576), totalMiB: Math.round(stats.total_heap_size / 1048576) };
}
