// Fault injection against the real local endpoints: the stream and queue pollers keep going through connection
// resets, handlers that throw and checkpoints that cannot be written, and deliver every record at least once; a
// poller restarted after a kill gets again what it had read ahead but not checkpointed.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FunctionId, QueueId, StreamMappingSpec } from '../../topology.ts';
import { useLocalAwsSettings } from '../cloud-settings.ts';
import { createTable, readStream, startHarness, type Harness } from '../dynamodb/test-support.ts';
import { startQueuePoller, startStreamPoller, type Invoke, type Poller } from './index.ts';
import { startLocalSqs, type LocalSqs } from '../sqs/index.ts';

/** A TCP proxy that can answer the next requests with a connection reset, and remembers what clients sent. */
interface ResettingProxy {
  url: string;
  /** The next `count` chunks clients send are not forwarded: their connection is reset instead. */
  resetNext(count: number): void;
  sent(): string;
  close(): Promise<void>;
}

async function startResettingProxy(target: string): Promise<ResettingProxy> {
  const { hostname, port } = new URL(target);
  let resets = 0;
  let sent = '';
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      if (resets > 0) {
        resets--;
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      sent += chunk.toString();
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    for (const [socket, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      socket.on('error', () => other.destroy());
      socket.on('close', () => {
        sockets.delete(socket);
        other.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    resetNext: (count) => void (resets += count),
    sent: () => sent,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

interface Logged {
  level: 'warn' | 'error';
  message: string;
  extra?: Record<string, unknown>;
}

function recordingLog(): { log: { warn: (m: string, e?: Record<string, unknown>) => void; error: (m: string, e?: Record<string, unknown>) => void }; entries: Logged[] } {
  const entries: Logged[] = [];
  return {
    entries,
    log: {
      warn: (message, extra) => void entries.push({ level: 'warn', message, ...(extra ? { extra } : {}) }),
      error: (message, extra) => void entries.push({ level: 'error', message, ...(extra ? { extra } : {}) }),
    },
  };
}

const mapping = (overrides: Partial<StreamMappingSpec> = {}): StreamMappingSpec => ({
  function: 'publishTableEvents' as FunctionId,
  batchSize: 5,
  maxBatchingWindowSeconds: 0,
  startingPosition: 'TRIM_HORIZON',
  retryAttempts: 50,
  bisectBatchOnError: false,
  onFailure: 'tableEventsDlq' as QueueId,
  ...overrides,
});
const fastRestarts = { firstMs: 10, maxMs: 100 };
const keyOf = (record: DynamoDBRecord): string => record.dynamodb!.Keys!.pk!.S!;
const pksOf = (count: number, prefix = 'item'): string[] => Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(2, '0')}`);

function pointStreamPollersAt(endpoint: string): void {
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  process.env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS = endpoint;
}

let h: Harness;
let pollers: Poller[] = [];
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  useLocalAwsSettings();
  h = await startHarness();
});
afterEach(async () => {
  await Promise.all(pollers.map((poller) => poller.stop()));
  pollers = [];
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => h.close());

describe('a stream poller', () => {
  it('delivers every record although its handler throws and its endpoint resets connections', async () => {
    const proxy = await startResettingProxy(h.server.endpoint);
    cleanups.push(() => proxy.close());
    pointStreamPollersAt(proxy.url);
    const { name } = await createTable(h.ddb, { streamViewType: 'NEW_AND_OLD_IMAGES' });
    const pks = pksOf(40);
    for (const pk of pks.slice(0, 20)) await h.doc.send(new PutCommand({ TableName: name, Item: { pk, sk: 'x' } }));
    const delivered = new Set<string>();
    let calls = 0;
    const invoke: Invoke = async (_id, event) => {
      // Every third call throws outside the batch-failure protocol, and the next request on the wire is reset.
      if (++calls % 3 === 1) {
        proxy.resetNext(1);
        throw new Error('handler crashed');
      }
      for (const record of (event as { Records: DynamoDBRecord[] }).Records) delivered.add(keyOf(record));
      return undefined;
    };
    const { log, entries } = recordingLog();
    // More resets in a row than the SDK retries: the poller's own start fails too.
    proxy.resetNext(4);

    pollers.push(startStreamPoller({ name: 'faulty-mapping', tableName: name, mapping: mapping(), onFailureQueueUrl: 'http://127.0.0.1:9/unused', invoke, restartBackoff: fastRestarts, log }));
    for (const pk of pks.slice(20)) await h.doc.send(new PutCommand({ TableName: name, Item: { pk, sk: 'x' } }));

    await vi.waitFor(() => expect([...delivered].sort()).toEqual(pks), { timeout: 30_000, interval: 50 });
    const restarts = entries.filter((entry) => entry.level === 'error' && entry.extra?.mapping === 'faulty-mapping');
    expect(restarts.length).toBeGreaterThan(0);
    expect(restarts.map((entry) => String(entry.extra?.error)).join('\n')).toMatch(/ECONNRESET|socket hang up/);
  });

  it('delivers a batch again when its checkpoint could not be written, and goes on once it can', async () => {
    pointStreamPollersAt(h.server.endpoint);
    const dir = await mkdtemp(join(tmpdir(), 'poller-checkpoints-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const checkpointDir = join(dir, 'created-later');
    const { name, streamArn } = await createTable(h.ddb, { streamViewType: 'KEYS_ONLY' });
    const pks = pksOf(10);
    for (const pk of pks) await h.doc.send(new PutCommand({ TableName: name, Item: { pk, sk: 'x' } }));
    const lastSequenceNumber = (await readStream(h.streams, streamArn!)).at(-1)!.dynamodb!.SequenceNumber!;
    const deliveries: string[] = [];
    const invoke: Invoke = async (_id, event) => {
      for (const record of (event as { Records: DynamoDBRecord[] }).Records) deliveries.push(keyOf(record));
      return undefined;
    };
    const { log, entries } = recordingLog();
    const checkpointFile = join(checkpointDir, 'stream-checkpointing-mapping.json');

    pollers.push(startStreamPoller({ name: 'checkpointing-mapping', tableName: name, mapping: mapping(), onFailureQueueUrl: 'http://127.0.0.1:9/unused', invoke, checkpointDir, restartBackoff: fastRestarts, log }));
    await vi.waitFor(() => expect(entries.filter((entry) => entry.level === 'error').length).toBeGreaterThanOrEqual(2), { timeout: 10_000, interval: 20 });
    await mkdir(checkpointDir);
    await vi.waitFor(() => expect(existsSync(checkpointFile) && JSON.parse(readFileSync(checkpointFile, 'utf8')).sequenceNumber).toBe(lastSequenceNumber), { timeout: 10_000, interval: 20 });

    expect(deliveries.filter((pk) => pk === pks[0]).length).toBeGreaterThanOrEqual(2);
    expect([...new Set(deliveries)].sort()).toEqual(pks);
    expect(entries[0]).toMatchObject({ level: 'error', extra: { mapping: 'checkpointing-mapping', error: expect.stringContaining('ENOENT') } });
  });

  it('gets again, after a kill and a restart of the streams, the records it had read ahead but not checkpointed', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'poller-restart-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    // A small cap (20 KB of record text, ~1.6 KB a record) that 30 records exceed; no housekeeping timer in between.
    const streamOptions = { dataDir: join(dataDir, 'dynamodb'), streamRetention: { records: 1000, bytes: 20_000 }, ttlSweepIntervalMs: 3_600_000 };
    let streams = await startHarness(streamOptions);
    cleanups.push(() => streams.close());
    const proxy = await startResettingProxy(streams.server.endpoint);
    cleanups.push(() => proxy.close());
    pointStreamPollersAt(proxy.url);
    const { name } = await createTable(streams.ddb, { streamViewType: 'NEW_AND_OLD_IMAGES' });
    const pks = pksOf(30);
    for (const pk of pks) await streams.doc.send(new PutCommand({ TableName: name, Item: { pk, sk: 'x', text: 'y'.repeat(1500) } }));
    let release: (error: Error) => void = () => undefined;
    const firstRun: string[] = [];
    const hangsOnTheSecondBatch: Invoke = async (_id, event) => {
      if (firstRun.length > 0) return new Promise((_resolve, reject) => (release = reject));
      for (const record of (event as { Records: DynamoDBRecord[] }).Records) firstRun.push(keyOf(record));
      return undefined;
    };
    const options = { name: 'restarted-mapping', tableName: name, mapping: mapping(), onFailureQueueUrl: 'http://127.0.0.1:9/unused', checkpointDir: dataDir, restartBackoff: fastRestarts };
    const killed = startStreamPoller({ ...options, invoke: hangsOnTheSecondBatch, log: recordingLog().log });
    // The poller has read the whole page ahead, handled the first batch and told the stream its checkpoint.
    await vi.waitFor(() => expect(proxy.sent()).toContain(`"Consumer":"restarted-mapping","SequenceNumber":"${checkpointOf(dataDir, 'restarted-mapping')}"`), { timeout: 10_000, interval: 20 });
    expect(firstRun).toEqual(pks.slice(0, 5));

    // A kill: the batch in flight is never checkpointed; then the stream applies its cap and the process restarts.
    const stopping = killed.stop();
    release(new Error('killed'));
    await stopping;
    await streams.server.sweepTtl();
    await streams.close();
    streams = await startHarness(streamOptions);
    pointStreamPollersAt(streams.server.endpoint);
    const secondRun: string[] = [];
    const invoke: Invoke = async (_id, event) => {
      for (const record of (event as { Records: DynamoDBRecord[] }).Records) secondRun.push(keyOf(record));
      return undefined;
    };
    pollers.push(startStreamPoller({ ...options, invoke, log: recordingLog().log }));

    await vi.waitFor(() => expect(secondRun).toHaveLength(25), { timeout: 10_000, interval: 20 });
    expect(secondRun).toEqual(pks.slice(5));
  });
});

function checkpointOf(dir: string, mappingName: string): string | undefined {
  const file = join(dir, `stream-${mappingName}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { sequenceNumber: string }).sequenceNumber : undefined;
}

describe('a queue poller', () => {
  let sqs: LocalSqs;

  beforeAll(async () => {
    sqs = await startLocalSqs({ inventoryFeed: { description: 'fault injection', visibilityTimeoutSeconds: 1, maxReceiveCount: 100, retentionSeconds: 3600 } } as Record<QueueId, never>);
  });
  afterAll(() => sqs.close());

  it('receives every message although its endpoint resets connections', async () => {
    const proxy = await startResettingProxy(sqs.endpoint);
    cleanups.push(() => proxy.close());
    process.env.AWS_ENDPOINT_URL_SQS = proxy.url;
    const queue = sqs.queueUrls['inventoryFeed' as QueueId];
    const direct = new SQSClient({ endpoint: sqs.endpoint });
    const bodies = pksOf(20, 'message');
    for (let i = 0; i < bodies.length; i += 10) {
      await direct.send(new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: bodies.slice(i, i + 10).map((body, j) => ({ Id: String(j), MessageBody: body })) }));
    }
    direct.destroy();
    const received = new Set<string>();
    const invoke: Invoke = async (_id, event) => {
      for (const record of (event as { Records: Array<{ body: string }> }).Records) received.add(record.body);
      return undefined;
    };
    const { log, entries } = recordingLog();
    // More resets in a row than the SDK retries: ReceiveMessage itself fails.
    proxy.resetNext(4);

    // The SQS client sends to the queue's URL, so the URL must name the proxy.
    const queueUrl = queue.url.replace(new URL(sqs.endpoint).origin, proxy.url);
    pollers.push(startQueuePoller({ name: 'faulty-queue-mapping', queueUrl, queueArn: queue.arn, mapping: { queue: 'inventoryFeed' as QueueId, function: 'consumeInventoryFeed' as FunctionId, batchSize: 10, maxBatchingWindowSeconds: 0 }, invoke, restartBackoff: fastRestarts, log }));

    await vi.waitFor(() => expect([...received].sort()).toEqual(bodies), { timeout: 30_000, interval: 50 });
    expect(entries.some((entry) => entry.level === 'error' && entry.extra?.mapping === 'faulty-queue-mapping')).toBe(true);
  });
});
