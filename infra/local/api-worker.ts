import type { MessagePort } from 'node:worker_threads';
import { Worker, SHARE_ENV } from 'node:worker_threads';
import { topology, type FunctionId } from '../topology.ts';
import { startLocalApiGateway } from './api-gateway.ts';
import { threadHeap, type ThreadHeap } from './heap.ts';
import { LocalLambdaRuntime } from './lambda-runtime.ts';

interface ApiWorkerOptions {
  port?: number;
  authorizerCacheSeconds: number;
}

/** In the worker: the gateway and a Lambda runtime of its own for the route handlers and the authorizer. */
export async function startApiWorker(options: ApiWorkerOptions, parent: MessagePort | null): Promise<void> {
  const runtime = new LocalLambdaRuntime();
  const functions = [...new Set<FunctionId>([...topology.routes.map((r) => r.function), 'authorizeRequest'])];
  await runtime.warm(functions);
  const api = await startLocalApiGateway({
    ...(options.port !== undefined ? { port: options.port } : {}),
    routes: topology.routes,
    authorizer: 'authorizeRequest',
    authorizerCacheSeconds: options.authorizerCacheSeconds,
    invoke: (id, event) => runtime.invoke(id, event),
  });
  parent?.on('message', async (message: { type: string }) => {
    if (message.type === 'invocations') parent.postMessage({ type: 'invocations', counts: Object.fromEntries(runtime.invocations) });
    if (message.type === 'heap') parent.postMessage({ type: 'heap', heap: threadHeap() });
    if (message.type === 'close') {
      await api.close();
      parent.postMessage({ type: 'closed' });
    }
  });
  parent?.postMessage({ type: 'ready', url: api.url });
}

export interface ApiWorkerHandle {
  url: string;
  invocations(): Promise<Record<string, { count: number; errors: number }>>;
  heap(): Promise<ThreadHeap>;
  close(): Promise<void>;
}

/** In the main thread: starts the worker (sharing this process's environment, so the SDK finds the local endpoints). */
export async function startApiGatewayWorker(options: ApiWorkerOptions): Promise<ApiWorkerHandle> {
  const worker = new Worker(new URL('./api-worker-entry.mjs', import.meta.url), { workerData: options, env: SHARE_ENV });
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
    invocations: async () => (await reply<{ counts: Record<string, { count: number; errors: number }> }>('invocations')).counts,
    heap: async () => (await reply<{ heap: ThreadHeap }>('heap')).heap,
    close: async () => {
      await reply('close');
      await worker.terminate();
    },
  };
}
