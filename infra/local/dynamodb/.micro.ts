import { DynamoDbApi } from './api.ts';
import { dynaliteDb } from './dynalite.ts';
import { Streams } from './streams.ts';
import { Transactions } from './transactions.ts';
import { TimeToLive } from './ttl.ts';
import { WritePath } from './write-path.ts';
const store = dynaliteDb.create({ createTableMs: 0, updateTableMs: 0, deleteTableMs: 0 });
const streams = new Streams(store.db, 'us-east-1', '000000000000', Date.now); await streams.load();
const wp = new WritePath(store, streams); const ttl = new TimeToLive(store.db, wp, Date.now);
const api = new DynamoDbApi(store, wp, new Transactions(wp, store, Date.now), streams, ttl);
await api.handle('CreateTable', { TableName: 'bench', BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }], StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } });
const key = (i: number) => ({ pk: { S: `T1#SKU${i}` }, sk: { S: 'STOCK' } });
for (let i = 0; i < 1000; i++) await api.handle('PutItem', { TableName: 'bench', Item: { ...key(i), available: { N: '1000000000' } } });
const dec = (i: number) => ({ TableName: 'bench', Key: key(i), UpdateExpression: 'SET available = available - :one', ConditionExpression: 'available >= :one', ExpressionAttributeValues: { ':one': { N: '1' } } });
const mode = process.argv[2] ?? 'seq';
for (const label of ['update', 'tx', 'validateOnly']) {
  const N = 5000; const t0 = performance.now(); const c0 = process.cpuUsage();
  if (mode === 'seq') {
    for (let n = 0; n < N; n++) {
      const i = Math.floor(Math.random() * 1000);
      if (label === 'update') await api.handle('UpdateItem', dec(i));
      else if (label === 'tx') await api.handle('TransactWriteItems', { TransactItems: [{ Update: dec(i) }, { Update: dec((i + 1) % 1000) }] });
      else { const { validateRequest } = await import('./dynalite.ts'); validateRequest('UpdateItem', dec(i), store); }
    }
  } else {
    let n = 0;
    await Promise.all(Array.from({ length: 32 }, async () => { while (n++ < N) { const i = Math.floor(Math.random() * 1000);
      if (label === 'update') await api.handle('UpdateItem', dec(i));
      else if (label === 'tx') await api.handle('TransactWriteItems', { TransactItems: [{ Update: dec(i) }, { Update: dec((i + 1) % 1000) }] });
      else { const { validateRequest } = await import('./dynalite.ts'); validateRequest('UpdateItem', dec(i), store); } } }));
  }
  const c = process.cpuUsage(c0); const ms = performance.now() - t0;
  console.log(label, (N / ms * 1000).toFixed(0), '/s', ((c.user + c.system) / N).toFixed(0), 'µs cpu/op');
}
