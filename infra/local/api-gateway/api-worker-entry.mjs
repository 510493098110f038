// The local API gateway on its own thread, with the HTTP handlers it invokes: request latency stays low while the
// workflows, streams and bus keep the main thread busy. TypeScript loads through tsx; the parent sends { close }.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { startApiWorker } = await import('./api-worker.ts');
await startApiWorker(workerData, parentPort);
