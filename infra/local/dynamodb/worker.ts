import { Worker } from 'node:worker_threads';
import { WORKER_RESOURCE_LIMITS, type ThreadHeap } from '../heap.ts';
import type { LocalDynamoDb, LocalDynamoDbOptions } from './index.ts';

/**
 * The local DynamoDB endpoint on a worker thread. The table, its stream and TTL are the busiest part of the local
 * cloud; on its own thread it runs on the second core beside the handlers instead of sharing their event loop.
 * Same options and interface as `startLocalDynamoDb` (the clock option cannot cross threads and is not offered).
 */
export async function startLocalDynamoDbWorker(options: Omit<LocalDynamoDbOptions, 'now'> = {}): Promise<LocalDynamoDb & { heap(): Promise<ThreadHeap> }> {
  const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: options, resourceLimits: WORKER_RESOURCE_LIMITS });
  type Reply = { deleted?: number; heap?: ThreadHeap };
  const pending = new Map<number, (message: Reply) => void>();
  let nextId = 0;
  type Ready = { type: 'ready'; endpoint: string; priorityEndpoint?: string };
  const { endpoint, priorityEndpoint } = await new Promise<Ready>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`The local DynamoDB worker exited with code ${code} before it was ready`)));
    worker.on('message', function onReady(message: { type: string }) {
      if (message.type !== 'ready') return;
      worker.off('message', onReady);
      resolve(message as Ready);
    });
  });
  worker.removeAllListeners('exit');
  worker.removeAllListeners('error');
  worker.on('error', (error) => console.error('local DynamoDB worker failed', error));
  const streamListeners = new Set<() => void>();
  worker.on('message', (message: Reply & { type: string; id?: number }) => {
    if (message.type === 'streamRecords') for (const listener of streamListeners) listener();
    if ((message.type === 'swept' || message.type === 'heap') && message.id !== undefined) {
      pending.get(message.id)?.(message);
      pending.delete(message.id);
    }
  });
  const ask = <T>(type: string, read: (message: Reply) => T) =>
    new Promise<T>((resolve) => {
      const id = nextId++;
      pending.set(id, (message) => resolve(read(message)));
      worker.postMessage({ type, id });
    });
  return {
    endpoint,
    ...(priorityEndpoint ? { priorityEndpoint } : {}),
    sweepTtl: () => ask('sweepTtl', (message) => message.deleted ?? 0),
    heap: () => ask('heap', (message) => message.heap!),
    onStreamRecords(listener) {
      streamListeners.add(listener);
      return () => streamListeners.delete(listener);
    },
    close: () =>
      new Promise<void>((resolve) => {
        worker.on('message', (message: { type: string }) => {
          if (message.type === 'closed') void worker.terminate().then(() => resolve());
        });
        worker.postMessage({ type: 'close' });
      }),
  };
}
