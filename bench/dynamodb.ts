// Benchmark of the local DynamoDB endpoint through the AWS SDK over loopback: conditional UpdateItem/s and
// TransactWriteItems/s (2 items each), on spread keys and on one hot key. Bounded to about 10 s in all.
// The server runs in a child process (as the local cloud runs it beside the handlers) so that the SDK's own CPU cost
// is not charged to it; the server's CPU time per operation is printed too.
//   tsx bench/dynamodb.ts [--seconds-per-case 2] [--concurrency 32] [--in-process]
// The machine is shared: read the numbers next to the load average, which is printed too.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { CreateTableCommand, DynamoDBClient, TransactWriteItemsCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { startLocalDynamoDb } from '../infra/local/dynamodb/index.ts';

const { values } = parseArgs({
  options: {
    'seconds-per-case': { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '32' },
    'in-process': { type: 'boolean', default: false },
    serve: { type: 'boolean', default: false },
  },
});

if (values.serve) {
  // Child mode: serve, report the endpoint and answer CPU-time questions over IPC.
  const server = await startLocalDynamoDb({ ttlSweepIntervalMs: 3_600_000 });
  process.on('message', (msg) => {
    if (msg === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send!({ cpuMs: (user + system) / 1000 });
    }
    if (msg === 'stop') void server.close().then(() => process.exit(0));
  });
  process.send!({ endpoint: server.endpoint });
  await new Promise(() => {});
}

const caseMs = Number(values['seconds-per-case']) * 1000;
const concurrency = Number(values.concurrency);
const SPREAD_KEYS = 1000;

interface ServerHandle {
  endpoint: string;
  cpuMs(): Promise<number | undefined>;
  stop(): Promise<void>;
}

async function startServer(): Promise<ServerHandle> {
  if (values['in-process']) {
    const server = await startLocalDynamoDb({ ttlSweepIntervalMs: 3_600_000 });
    return { endpoint: server.endpoint, cpuMs: async () => undefined, stop: () => server.close() };
  }
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server alone.
  const extraArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = fork(process.argv[1]!, ['--serve'], { execArgv: [...process.execArgv, ...extraArgs] });
  const [ready] = (await once(child, 'message')) as [{ endpoint: string }];
  return {
    endpoint: ready.endpoint,
    async cpuMs() {
      child.send('cpu');
      const [reply] = (await once(child, 'message')) as [{ cpuMs: number }];
      return reply.cpuMs;
    },
    async stop() {
      child.send('stop');
      await once(child, 'exit');
    },
  };
}

const server = await startServer();
const ddb = new DynamoDBClient({
  endpoint: server.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  maxAttempts: 1,
});
await ddb.send(
  new CreateTableCommand({
    TableName: 'bench',
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  }),
);

const key = (i: number) => ({ pk: { S: `T1#SKU${i}` }, sk: { S: 'STOCK' } });
// Large enough that the hot-key cases never run out; conditional failures would measure a different path.
const seed = (i: number) =>
  ddb.send(
    new UpdateItemCommand({
      TableName: 'bench',
      Key: key(i),
      UpdateExpression: 'SET available = :n',
      ExpressionAttributeValues: { ':n': { N: '1000000000' } },
    }),
  );
for (let i = 0; i < SPREAD_KEYS; i += concurrency) {
  await Promise.all(Array.from({ length: Math.min(concurrency, SPREAD_KEYS - i) }, (_, j) => seed(i + j)));
}

const decrement = (i: number) => ({
  TableName: 'bench',
  Key: key(i),
  UpdateExpression: 'SET available = available - :one',
  ConditionExpression: 'available >= :one',
  ExpressionAttributeValues: { ':one': { N: '1' } },
});

async function run(label: string, op: (n: number) => Promise<unknown>): Promise<void> {
  let done = 0;
  let failed = 0;
  const cpuBefore = await server.cpuMs();
  const deadline = performance.now() + caseMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        try {
          await op(done + failed);
          done++;
        } catch {
          failed++;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = await server.cpuMs();
  const serverCpu =
    cpuBefore === undefined || cpuAfter === undefined ? '' : `  server CPU ${((cpuAfter - cpuBefore) * 1000 / done).toFixed(0)} µs/op`;
  console.log(`${label.padEnd(44)} ${(done / seconds).toFixed(0).padStart(6)} /s${serverCpu}${failed ? `  (${failed} failed)` : ''}`);
}

const spread = () => Math.floor(Math.random() * SPREAD_KEYS);
console.log(
  `concurrency ${concurrency}, ${caseMs / 1000} s per case, stream enabled (NEW_AND_OLD_IMAGES), ` +
    `server ${values['in-process'] ? 'in-process' : 'in a child process'}, load average ${loadavg()[0]!.toFixed(1)}`,
);
await run('UpdateItem (conditional), spread keys', () => ddb.send(new UpdateItemCommand(decrement(spread()))));
await run('UpdateItem (conditional), one hot key', () => ddb.send(new UpdateItemCommand(decrement(0))));
await run('TransactWriteItems (2 updates), spread keys', () => {
  const a = spread();
  return ddb.send(
    new TransactWriteItemsCommand({ TransactItems: [{ Update: decrement(a) }, { Update: decrement((a + 1) % SPREAD_KEYS) }] }),
  );
});
await run('TransactWriteItems (2 updates), one hot key', () =>
  ddb.send(new TransactWriteItemsCommand({ TransactItems: [{ Update: decrement(0) }, { Update: decrement(1) }] })),
);

ddb.destroy();
await server.stop();
