import type { MessagePort } from 'node:worker_threads';
import { Worker, SHARE_ENV } from 'node:worker_threads';
import { startHandlerThread, type HandlerThread } from '../lambda/handler-threads.ts';
import { topology, type FunctionId } from '../../topology.ts';
import { buildOpsConsole, OPS_CONSOLE_PATH } from '../../ops-console/build.ts';
import { startLocalApiGateway } from './index.ts';
import { compactWhenIdle, threadHeap, WORKER_RESOURCE_LIMITS, type ThreadHeap } from '../heap.ts';
import { leastBusy, LocalLambdaRuntime } from '../lambda/lambda-runtime.ts';

interface ApiWorkerOptions {
  port?: number;
  authorizerCacheSeconds: number;
  /** Threads that run the route handlers, this one included (default 1). */
  handlerThreads?: number;
  /**
   * Variables that differ from the main thread's for the API's handlers (the intake's own DynamoDB endpoint). The API
   * threads then get a copy of the environment taken at start, with these set, instead of sharing the main thread's.
   */
  environment?: Record<string, string>;
}

type Counts = Record<string, { count: number; errors: number }>;

const routeFunctions = () => [...new Set<FunctionId>([...topology.routes.map((r) => r.function), 'authorizeRequest'])];
/** An extra thread of route handlers (see handler-threads.ts): the gateway's thread sends it invocations. */
const HANDLERS_ENTRY = new URL('./api-handlers-entry.mjs', import.meta.url);

/** In the worker: the gateway and a Lambda runtime of its own (plus, if asked, more handler threads). */
export async function startApiWorker(options: ApiWorkerOptions, parent: MessagePort | null): Promise<void> {
  const runtime = new LocalLambdaRuntime();
  await runtime.warm(routeFunctions());
  compactWhenIdle();
  // Started from this thread before the main thread lowers its priority, so they keep the intake's priority.
  const helpers = await Promise.all(
    Array.from({ length: Math.max(0, (options.handlerThreads ?? 1) - 1) }, () => startHandlerThread(HANDLERS_ENTRY, { warm: routeFunctions() })),
  );
  let localInFlight = 0;
  const invokeHere = async (fn: FunctionId, event: unknown) => {
    localInFlight++;
    try {
      return await runtime.invoke(fn, event);
    } finally {
      localInFlight--;
    }
  };
  const invoke = (fn: FunctionId, event: unknown) => {
    // The least busy thread; this one on a tie, as it also parses and answers the HTTP.
    const best: HandlerThread | undefined = leastBusy(helpers);
    return best && best.inFlight < localInFlight ? best.invoke(fn, event) : invokeHere(fn, event);
  };
  const api = await startLocalApiGateway({
    ...(options.port !== undefined ? { port: options.port } : {}),
    routes: topology.routes,
    authorizer: 'authorizeRequest',
    authorizerCacheSeconds: options.authorizerCacheSeconds,
    invoke,
    staticSites: { [OPS_CONSOLE_PATH]: () => buildOpsConsole() },
  });
  parent?.on('message', async (message: { type: string }) => {
    if (message.type === 'invocations') {
      const counts: Record<string, Counts> = { api: Object.fromEntries(runtime.invocations) };
      for (const [i, helper] of helpers.entries()) counts[`api-${i + 2}`] = await helper.ask<Counts>('invocations');
      parent.postMessage({ type: 'invocations', counts });
    }
    if (message.type === 'heap') {
      const heaps: Record<string, ThreadHeap> = { api: threadHeap() };
      for (const [i, helper] of helpers.entries()) heaps[`api-${i + 2}`] = await helper.ask<ThreadHeap>('heap');
      parent.postMessage({ type: 'heap', heap: heaps });
    }
    if (message.type === 'close') {
      await api.close();
      await Promise.all(helpers.map((helper) => helper.close()));
      parent.postMessage({ type: 'closed' });
    }
  });
  parent?.postMessage({ type: 'ready', url: api.url });
}

export interface ApiWorkerHandle {
  url: string;
  /** Invocations per function on each API thread (`api`, `api-2`...). */
  invocations(): Promise<Record<string, Counts>>;
  /** The heap of each API thread: `api`, then `api-2`... for the extra handler threads. */
  heap(): Promise<Record<string, ThreadHeap>>;
  close(): Promise<void>;
}

/** In the main thread: starts the worker, with this process's environment so that the SDK finds the local endpoints. */
export async function startApiGatewayWorker(options: ApiWorkerOptions): Promise<ApiWorkerHandle> {
  const env = options.environment ? { ...process.env, ...options.environment } : SHARE_ENV;
  const worker = new Worker(new URL('./api-worker-entry.mjs', import.meta.url), { workerData: options, env, resourceLimits: WORKER_RESOURCE_LIMITS });
  const url = await new Promise<string>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', function onReady(message: { type: string; url?: string }) {
      if (message.type !== 'ready') return;
      worker.off('message', onReady);
      worker.off('error', reject);
      resolve(message.url!);
    });
  });
  worker.on('error', (error) => console.error('local API gateway worker failed', error));
  const reply = <T>(type: string) =>
    new Promise<T>((resolve) => {
      const onMessage = (message: { type: string }) => {
        if (message.type !== type && !(type === 'close' && message.type === 'closed')) return;
        worker.off('message', onMessage);
        resolve(message as T);
      };
      worker.on('message', onMessage);
      worker.postMessage({ type });
    });
  return {
    url,
    invocations: async () => (await reply<{ counts: Record<string, Counts> }>('invocations')).counts,
    heap: async () => (await reply<{ heap: Record<string, ThreadHeap> }>('heap')).heap,
    close: async () => {
      await reply('close');
      await worker.terminate();
    },
  };
}
