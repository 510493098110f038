import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import type { MessagePort } from 'node:worker_threads';
import { Worker, SHARE_ENV } from 'node:worker_threads';
import type { FunctionId } from '../../topology.ts';
import { compactWhenIdle, threadHeap, WORKER_RESOURCE_LIMITS } from '../heap.ts';
import { LambdaInvocationError, LocalLambdaRuntime, type InvocationTarget } from './lambda-runtime.ts';

/**
 * Threads of Lambda handlers: as Lambda runs a function's invocations on as many instances as it needs, the local
 * cloud can hand invocations to other threads, each with its own module instances (and caches), as each Lambda
 * instance has. The API gateway's thread uses them for route handlers; the main thread for the workflows', streams' and
 * queues' handlers, so that the orchestration (the workflow engine, the bus, the pollers) and the handlers use both
 * cores instead of one event loop.
 */

/** To a handler thread: an invocation, or a question about the thread; each is answered by a ResultMessage of its id. */
type RequestMessage = { id: number } & ({ type: 'invoke'; fn: FunctionId; event: unknown } | { type: 'invocations' | 'heap' });
type ThreadError = { errorType: string; errorMessage: string; trace: string[] };
type ResultMessage = { type: 'result'; id: number; result?: unknown; error?: ThreadError };

/** What a handler thread is told at start (its workerData). */
export interface HandlerThreadData {
  /** The functions it loads before it says ready (it can run any other too, loading it on first use). */
  warm: FunctionId[];
  /** Lower this thread's scheduling priority to this nice value first (Linux; background work). */
  nice?: number;
}

/** In a handler thread (see the entry files): runs the invocations its parent sends, one runtime for the thread. */
export async function serveInvocations(port: MessagePort, data: HandlerThreadData): Promise<void> {
  if (data.nice !== undefined) lowerThisThreadsPriority(data.nice);
  const runtime = new LocalLambdaRuntime();
  await runtime.warm(data.warm);
  compactWhenIdle();
  port.on('message', async (message: RequestMessage) => {
    try {
      const result =
        message.type === 'invoke'
          ? await runtime.invoke(message.fn, message.event)
          : message.type === 'invocations'
            ? Object.fromEntries(runtime.invocations)
            : threadHeap();
      port.postMessage({ type: 'result', id: message.id, result } satisfies ResultMessage);
    } catch (error) {
      port.postMessage({ type: 'result', id: message.id, error: threadError(error) } satisfies ResultMessage);
    }
  });
  port.postMessage({ type: 'ready' });
}

/** The runtime's errors are already in Lambda's shape; anything else (a bad message) is made so. */
function threadError(error: unknown): ThreadError {
  if (error instanceof LambdaInvocationError) return { errorType: error.errorType, errorMessage: error.errorMessage, trace: error.trace };
  const err = error instanceof Error ? error : new Error(String(error));
  return { errorType: err.name || 'Error', errorMessage: err.message, trace: (err.stack ?? '').split('\n').slice(1) };
}

/** The error as the caller would have seen it had the handler run on its own thread. */
function invocationError({ errorType, errorMessage, trace }: ThreadError): LambdaInvocationError {
  const error = new LambdaInvocationError(errorType, errorMessage, trace);
  error.stack = [`${errorType}: ${errorMessage}`, ...trace].join('\n');
  return error;
}

export interface HandlerThread extends InvocationTarget {
  ask<T>(type: 'invocations' | 'heap'): Promise<T>;
  close(): Promise<void>;
}

/** Starts a thread from `entry` (a .mjs file that registers tsx and calls serveInvocations) and waits until it is ready. */
export async function startHandlerThread(entry: URL, data: HandlerThreadData): Promise<HandlerThread> {
  const worker = new Worker(entry, { env: SHARE_ENV, workerData: data, resourceLimits: WORKER_RESOURCE_LIMITS });
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 0;
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', () => (worker.off('error', reject), resolve()));
  });
  worker.on('error', (error) => {
    console.error('local Lambda handler thread failed', error);
    // Whatever it was running is lost, as a crashed Lambda instance's invocations are: the callers see the failure.
    for (const call of pending.values()) call.reject(new LambdaInvocationError('Runtime.ExitError', `Handler thread failed: ${String(error)}`, []));
    pending.clear();
  });
  worker.on('message', (message: ResultMessage) => {
    const call = pending.get(message.id);
    if (!call) return;
    pending.delete(message.id);
    if (message.error) call.reject(invocationError(message.error));
    else call.resolve(message.result);
  });
  const send = (request: RequestMessage) =>
    new Promise<unknown>((resolve, reject) => {
      pending.set(request.id, { resolve, reject });
      worker.postMessage(request);
    });
  const thread: HandlerThread = {
    inFlight: 0,
    async invoke(fn, event) {
      thread.inFlight++;
      try {
        return await send({ type: 'invoke', id: nextId++, fn, event });
      } finally {
        thread.inFlight--;
      }
    },
    ask: async <T>(type: 'invocations' | 'heap') => (await send({ type, id: nextId++ })) as T,
    close: async () => void (await worker.terminate()),
  };
  return thread;
}

/**
 * Linux schedules threads, not processes: setpriority() on this thread's id lowers this thread alone, and the threads
 * already running keep theirs; threads started from it afterwards inherit it. Elsewhere (no /proc/thread-self) this
 * does nothing and says so.
 */
export function lowerThisThreadsPriority(nice: number): 'lowered' | 'unsupported' | { failed: string } {
  let threadId: number;
  try {
    threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return 'unsupported';
  }
  try {
    setPriority(threadId, Math.max(getPriority(threadId), nice));
    return 'lowered';
  } catch (error) {
    return { failed: String(error) };
  }
}
