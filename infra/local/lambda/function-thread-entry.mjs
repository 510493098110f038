// A thread of the local cloud's background handlers (workflow tasks, stream and queue consumers, schedules): the main
// thread sends it invocations (see handler-threads.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { serveInvocations } = await import('./handler-threads.ts');
await serveInvocations(parentPort, workerData);
