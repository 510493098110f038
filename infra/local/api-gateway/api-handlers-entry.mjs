// One more thread of the local API's route handlers (see serveInvocations): the gateway's thread sends it invocations.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { serveInvocations } = await import('../lambda/handler-threads.ts');
await serveInvocations(parentPort, workerData);
