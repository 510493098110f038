import { startLocalDynamoDb } from './index.ts';
import http from 'node:http';
const s = await startLocalDynamoDb();
const url = new URL(s.endpoint);
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
const call = (target: string, body: unknown) => new Promise<string>((resolve, reject) => {
  const data = JSON.stringify(body);
  const req = http.request({ host: url.hostname, port: url.port, method: 'POST', agent, headers: { 'x-amz-target': 'DynamoDB_20120810.' + target, 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(data) } }, (res) => {
    const chunks: Buffer[] = []; res.on('data', (c) => chunks.push(c)); res.on('end', () => resolve(Buffer.concat(chunks).toString()));
  });
  req.on('error', reject); req.end(data);
});
await call('CreateTable', { TableName: 'bench', BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }], StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } });
const key = (i: number) => ({ pk: { S: `T1#SKU${i}` }, sk: { S: 'STOCK' } });
for (let i = 0; i < 1000; i++) await call('PutItem', { TableName: 'bench', Item: { ...key(i), available: { N: '1000000000' } } });
const dec = (i: number) => ({ TableName: 'bench', Key: key(i), UpdateExpression: 'SET available = available - :one', ConditionExpression: 'available >= :one', ExpressionAttributeValues: { ':one': { N: '1' } } });
for (const label of ['list', 'update', 'tx', 'update', 'tx']) {
  const N = 4000; const t0 = performance.now(); const c0 = process.cpuUsage(); let n = 0;
  await Promise.all(Array.from({ length: 32 }, async () => { while (n++ < N) { const i = Math.floor(Math.random() * 1000);
    if (label === 'list') await call('ListTables', {});
    else if (label === 'update') await call('UpdateItem', dec(i));
    else await call('TransactWriteItems', { TransactItems: [{ Update: dec(i) }, { Update: dec((i + 1) % 1000) }] }); } }));
  const c = process.cpuUsage(c0);
  console.log(label, (N / (performance.now() - t0) * 1000).toFixed(0), '/s', ((c.user + c.system) / N).toFixed(0), 'µs cpu/op (client+server)');
}
await s.close();
