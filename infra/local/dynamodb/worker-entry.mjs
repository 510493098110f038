// Runs the local DynamoDB endpoint on its own thread (and so its own core): the TypeScript sources are loaded through
// tsx, then the parent drives it with messages: { sweepTtl }, { heap } and { close }.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { startLocalDynamoDb } = await import('./index.ts');
const { compactWhenIdle, threadHeap } = await import('../heap.ts');
const db = await startLocalDynamoDb(workerData);
compactWhenIdle();
db.onStreamRecords(() => parentPort.postMessage({ type: 'streamRecords' }));
parentPort.postMessage({ type: 'ready', endpoint: db.endpoint, priorityEndpoint: db.priorityEndpoint });
parentPort.on('message', async (message) => {
  try {
    if (message.type === 'sweepTtl') parentPort.postMessage({ type: 'swept', id: message.id, deleted: await db.sweepTtl() });
    if (message.type === 'heap') parentPort.postMessage({ type: 'heap', id: message.id, heap: threadHeap() });
    if (message.type === 'close') {
      await db.close();
      parentPort.postMessage({ type: 'closed' });
    }
  } catch (error) {
    parentPort.postMessage({ type: 'error', id: message.id, message: String(error) });
  }
});
