// Meters the API threads too, so that the cost per order counts intake's own calls without moving the API onto the
// main thread (--api-in-process, which slows the run). The local cloud starts its API threads from two entry files;
// the bench starts them from its own entry instead (bench/orders/api-thread-meter-entry.mjs), which adds, in that
// thread, the same DynamoDB meter as the main thread's and a count of Lambda invocations, then runs the cloud's entry
// unchanged. The threads answer over a BroadcastChannel. No product code changes: the bench replaces the
// `Worker` class of node:worker_threads for the threads it starts, as the DynamoDB meter adds a middleware at run time.
import workerThreads, { BroadcastChannel, threadId, type WorkerOptions } from 'node:worker_threads';
import { syncBuiltinESMExports } from 'node:module';
import type { FunctionUsage } from './dynamodb-meter.ts';

const CHANNEL = 'bench:orders api-thread meter';
/** The local cloud's entries of API threads: the gateway's thread and the extra handler threads it starts. */
const API_ENTRIES = ['/infra/local/api-gateway/api-worker-entry.mjs', '/infra/local/api-gateway/api-handlers-entry.mjs'];
/** The entry of the threads that run the background handlers (their invocations are counted where they are sent). */
const FUNCTION_ENTRY = '/infra/local/lambda/function-thread-entry.mjs';
const METERED_ENTRY = new URL('./api-thread-meter-entry.mjs', import.meta.url);

/** One thread's counts since the last reset. */
export interface ThreadCounts {
  dynamodbCalls: Array<[command: string, count: number]>;
  wru: number;
  rru: number;
  /** Write units by command and item kind (see DynamoMeter.detail). */
  detail: Array<[key: string, stats: { items: number; wru: number }]>;
  /** DynamoDB use by the function that made the calls (see DynamoMeter.byFunction). */
  byFunction: Array<[functionId: string, usage: FunctionUsage]>;
  /** Lambda invocations per function, with their summed wall time. */
  invocations: Array<[functionId: string, stats: { count: number; totalMs: number }]>;
}

type Message =
  | { type: 'hello'; thread: number }
  | { type: 'reset' | 'read'; request: number }
  | { type: 'done'; request: number; thread: number; counts?: ThreadCounts };

/** From now on, API threads started by this thread run through the metering entry. */
export function startApiThreadsMetered(): void {
  const Original = workerThreads.Worker;
  class MeteredWorker extends Original {
    constructor(filename: string | URL, options: WorkerOptions = {}) {
      const entry = filename instanceof URL ? filename.href : String(filename);
      if (![...API_ENTRIES, FUNCTION_ENTRY].some((suffix) => entry.endsWith(suffix))) {
        super(filename, options);
        return;
      }
      // The cloud's entry goes last in the thread's argv: the metering entry imports it once the meter is in place.
      super(METERED_ENTRY, { ...options, argv: [...(options.argv ?? []), entry] });
    }
  }
  workerThreads.Worker = MeteredWorker;
  // Named imports of a builtin (`import { Worker } from 'node:worker_threads'`) see the replacement only after this.
  syncBuiltinESMExports();
}

/** In an API or function thread, before the cloud's entry runs: meter this thread's DynamoDB client and Lambda runtime. */
export async function meterThisApiThread(): Promise<void> {
  startApiThreadsMetered();
  // The module instances the handlers and the runtime of this thread use.
  const { rawClient } = await import('../../shared/adapters/dynamodb/client.ts');
  const { meterDynamoDb } = await import('./dynamodb-meter.ts');
  const { LocalLambdaRuntime } = await import('../../infra/local/lambda/lambda-runtime.ts');
  const meter = meterDynamoDb(rawClient);
  const invocations = new Map<string, { count: number; totalMs: number }>();
  const invoke = LocalLambdaRuntime.prototype.invoke;
  // A function thread's invocations are counted, with their wall time, by the main thread that sends them; the meter
  // tells each thread's DynamoDB calls by function from the calls' stacks.
  const counted = !process.argv.at(-1)?.endsWith(FUNCTION_ENTRY);
  LocalLambdaRuntime.prototype.invoke = async function (this: InstanceType<typeof LocalLambdaRuntime>, id, event) {
    const t0 = performance.now();
    try {
      return await invoke.call(this, id, event);
    } finally {
      if (counted) {
        const stats = invocations.get(id) ?? invocations.set(id, { count: 0, totalMs: 0 }).get(id)!;
        stats.count++;
        stats.totalMs += performance.now() - t0;
      }
    }
  };
  const channel = new BroadcastChannel(CHANNEL);
  channel.unref();
  channel.onmessage = (event) => {
    const message = (event as { data: Message }).data;
    if (message.type === 'reset') {
      meter.reset();
      invocations.clear();
      channel.postMessage({ type: 'done', request: message.request, thread: threadId } satisfies Message);
    } else if (message.type === 'read') {
      const counts: ThreadCounts = { dynamodbCalls: [...meter.calls], wru: meter.wru, rru: meter.rru, detail: [...meter.detail], byFunction: [...meter.byFunction], invocations: [...invocations] };
      channel.postMessage({ type: 'done', request: message.request, thread: threadId, counts } satisfies Message);
    }
  };
  channel.postMessage({ type: 'hello', thread: threadId } satisfies Message);
}

export interface ApiThreadsMeter {
  /** API threads that started metered. */
  readonly threads: number;
  /** Zeroes every thread's counts; false when a thread did not answer. */
  reset(): Promise<boolean>;
  /** Every thread's counts, or undefined when a thread did not answer (its calls would be missing). */
  read(): Promise<ThreadCounts[] | undefined>;
  close(): void;
}

/** In the main thread, before the cloud starts: meters the API threads it will start and collects their counts. */
export function meterApiThreads(): ApiThreadsMeter {
  startApiThreadsMetered();
  const channel = new BroadcastChannel(CHANNEL);
  channel.unref();
  const threads = new Set<number>();
  const waiting = new Map<number, (answer: { thread: number; counts?: ThreadCounts }) => void>();
  channel.onmessage = (event) => {
    const message = (event as { data: Message }).data;
    if (message.type === 'hello') threads.add(message.thread);
    if (message.type === 'done') waiting.get(message.request)?.(message);
  };
  let nextRequest = 0;
  const ask = (type: 'reset' | 'read') =>
    new Promise<Array<{ thread: number; counts?: ThreadCounts }> | undefined>((resolve) => {
      const request = nextRequest++;
      const answers = new Map<number, { thread: number; counts?: ThreadCounts }>();
      const finish = (complete: boolean) => {
        clearTimeout(timer);
        waiting.delete(request);
        resolve(complete ? [...answers.values()] : undefined);
      };
      const timer = setTimeout(() => finish(false), 10_000);
      waiting.set(request, (answer) => {
        answers.set(answer.thread, answer);
        if ([...threads].every((t) => answers.has(t))) finish(true);
      });
      if (threads.size === 0) finish(true);
      else channel.postMessage({ type, request } satisfies Message);
    });
  return {
    get threads() {
      return threads.size;
    },
    reset: async () => Boolean(await ask('reset')),
    async read() {
      const answers = await ask('read');
      return answers?.map((a) => a.counts!);
    },
    close: () => channel.close(),
  };
}
