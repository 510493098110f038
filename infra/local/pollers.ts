import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord, SQSBatchResponse } from 'aws-lambda';
import type { FunctionId, QueueMappingSpec, StreamMappingSpec } from '../topology.ts';
import { REGION } from './constants.ts';
import { matchesPattern } from './eventbridge/index.ts';

export type Invoke = (id: FunctionId, event: unknown) => Promise<unknown>;

export interface Poller {
  /** Resolves once everything available now has been handed to the function (or sent to the failure queue). */
  drained(): Promise<void>;
  stop(): Promise<void>;
}

interface Log {
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/**
 * A Lambda event source mapping for the table's stream: batches in shard order, ReportBatchItemFailures (the batch is
 * retried from the first failed record), bisect on error, a bounded number of retries, then the batch's description
 * goes to the on-failure queue and the mapping moves on, as Lambda does. The position is checkpointed in the data
 * directory so a restart neither replays nor skips records.
 */
export function startStreamPoller(options: {
  name: string;
  tableName: string;
  mapping: StreamMappingSpec;
  onFailureQueueUrl: string;
  invoke: Invoke;
  checkpointDir?: string;
  idleDelayMs?: number;
  log: Log;
}): Poller {
  const { mapping, invoke, log } = options;
  const dynamodb = new DynamoDBClient({});
  const streams = new DynamoDBStreamsClient({});
  const sqs = new SQSClient({});
  const checkpoints = new CheckpointFile(options.checkpointDir, `stream-${options.name}.json`);
  const idleDelay = options.idleDelayMs ?? 25;
  const loop = new PollLoop();
  const mayMatch = prefilter(mapping.filters);

  async function run(): Promise<void> {
    const table = await dynamodb.send(new DescribeTableCommand({ TableName: options.tableName }));
    const streamArn = table.Table?.LatestStreamArn;
    if (!streamArn) throw new Error(`Table ${options.tableName} has no stream`);
    const stream = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const shardId = stream.StreamDescription?.Shards?.[0]?.ShardId;
    if (!shardId) throw new Error(`Stream ${streamArn} has no shard`);
    let position = checkpoints.read();
    let iterator = await shardIterator(streamArn, shardId, position);
    let buffer: StreamRecord[] = [];

    while (!loop.stopped) {
      if (buffer.length < mapping.batchSize && iterator) {
        const page = await getRecords(iterator, mayMatch);
        iterator = page.NextShardIterator;
        buffer.push(...(page.Records ?? []));
      }
      if (buffer.length === 0) {
        loop.idle();
        await sleep(idleDelay);
        continue;
      }
      loop.busy();
      const batch = buffer.slice(0, mapping.batchSize);
      const processed = await deliver(streamArn, shardId, batch);
      buffer = buffer.slice(processed);
      position = batch[processed - 1]?.dynamodb?.SequenceNumber ?? position;
      if (position) checkpoints.write(position);
    }
  }

  async function shardIterator(streamArn: string, shardId: string, after: string | undefined): Promise<string | undefined> {
    const result = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: after ? 'AFTER_SEQUENCE_NUMBER' : mapping.startingPosition,
        ...(after ? { SequenceNumber: after } : {}),
      }),
    );
    return result.ShardIterator;
  }

  /** Hands one batch to the function with Lambda's retry rules; returns how many records are done with. */
  async function deliver(streamArn: string, shardId: string, batch: StreamRecord[]): Promise<number> {
    const doneThrough = (record: StreamRecord) => batch.indexOf(record) + 1;
    let pending = batch;
    for (let attempt = 0; attempt <= mapping.retryAttempts; attempt++) {
      const failedAt = await invokeBatch(streamArn, pending);
      if (failedAt === undefined) return doneThrough(pending[pending.length - 1]!);
      // Records before the first failure are done: checkpoint there; the failed record leads the next batch.
      if (failedAt > 0) return doneThrough(pending[failedAt - 1]!);
      // Nothing got through: bisecting narrows the retry down to the poison record.
      if (mapping.bisectBatchOnError && pending.length > 1) pending = pending.slice(0, Math.ceil(pending.length / 2));
      if (attempt < mapping.retryAttempts) await sleep(Math.min(1000, 20 * 2 ** attempt));
    }
    await sendToFailureQueue(streamArn, shardId, pending);
    return doneThrough(pending[pending.length - 1]!);
  }

  /** Index of the first failed record in the batch, or undefined when all succeeded. */
  async function invokeBatch(streamArn: string, records: StreamRecord[]): Promise<number | undefined> {
    const lambdaRecords = records.filter((r) => !(r as Polled).filteredOut).map((r) => lambdaRecord(r, streamArn));
    // Lambda event filtering: records no pattern matches never reach the function and count as processed.
    const delivered = mapping.filters?.length ? lambdaRecords.filter((r) => mapping.filters!.some((p) => matchesPattern(p, r))) : lambdaRecords;
    if (delivered.length === 0) return undefined;
    try {
      const response = (await invoke(mapping.function, { Records: delivered })) as SQSBatchResponse | undefined;
      const failures = response?.batchItemFailures ?? [];
      if (failures.length === 0) return undefined;
      const failedIds = new Set(failures.map((f) => f.itemIdentifier));
      const index = records.findIndex((r) => failedIds.has(r.dynamodb?.SequenceNumber ?? ''));
      // An identifier that names no record of the batch means the whole batch failed, as on Lambda.
      return index === -1 ? 0 : index;
    } catch (error) {
      log.warn('Stream batch failed; retrying', { mapping: options.name, error: String(error) });
      return 0;
    }
  }

  async function sendToFailureQueue(streamArn: string, shardId: string, records: StreamRecord[]): Promise<void> {
    const first = records[0]?.dynamodb;
    const last = records[records.length - 1]?.dynamodb;
    log.error('Stream batch exhausted its retries; sent to the on-failure queue', { mapping: options.name, records: records.length });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: options.onFailureQueueUrl,
        MessageBody: JSON.stringify({
          requestContext: { condition: 'RetryAttemptsExhausted', functionArn: mapping.function, approximateInvokeCount: mapping.retryAttempts + 1 },
          version: '1.0',
          timestamp: new Date().toISOString(),
          DDBStreamBatchInfo: {
            shardId,
            startSequenceNumber: first?.SequenceNumber,
            endSequenceNumber: last?.SequenceNumber,
            approximateArrivalOfFirstRecord: first?.ApproximateCreationDateTime,
            approximateArrivalOfLastRecord: last?.ApproximateCreationDateTime,
            batchSize: records.length,
            streamArn,
          },
        }),
      }),
    );
  }

  return loop.start(run, (error) => log.error('Stream poller stopped on an error', { mapping: options.name, error: String(error) }));
}

const streamsAgent = new Agent({ keepAlive: true, maxSockets: 4 });

/** A record of the page; one no filter of the mapping can match is kept only for its place in the stream. */
type Polled = StreamRecord & { filteredOut?: true };

/**
 * What a record's JSON text must contain for a filter to match: for every leaf of a pattern that lists plain strings,
 * one of them as a JSON string. A record that fails this cannot match and is never parsed (under load two thirds of
 * each mapping's records are filtered out). No filters: every record may match.
 */
export function prefilter(patterns: readonly unknown[] | undefined): (text: string) => boolean {
  if (!patterns?.length) return () => true;
  const required = patterns.map((pattern) => {
    const leaves: string[][] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) {
        if (node.length > 0 && node.every((value) => typeof value === 'string')) leaves.push(node.map((value) => JSON.stringify(value)));
      } else if (node !== null && typeof node === 'object') {
        for (const child of Object.values(node)) walk(child);
      }
    };
    walk(pattern);
    return leaves;
  });
  return (text) => required.some((leaves) => leaves.every((literals) => literals.some((literal) => text.includes(literal))));
}

/**
 * The local endpoint writes each record of a GetRecords page on a line of its own (JSON allows the whitespace, and
 * JSON text never holds a raw newline), so records can be told apart without parsing them. Any other layout is
 * parsed whole.
 */
const PAGE_HEAD = '{"Records":[';
const SEQUENCE_NUMBER = /"SequenceNumber":"(\d+)"/;

export function readPage(text: string, mayMatch: (text: string) => boolean): { Records?: Polled[]; NextShardIterator?: string } {
  const lines = text.split('\n');
  if (lines.length < 2 || lines[0] !== PAGE_HEAD || !lines[lines.length - 1]!.startsWith(']')) {
    return JSON.parse(text) as { Records?: StreamRecord[]; NextShardIterator?: string };
  }
  const records: Polled[] = [];
  for (let i = 1; i < lines.length - 1; i++) {
    const line = lines[i]!;
    const recordText = line.endsWith(',') ? line.slice(0, -1) : line;
    const sequenceNumber = mayMatch(recordText) ? undefined : SEQUENCE_NUMBER.exec(recordText)?.[1];
    records.push(sequenceNumber ? { dynamodb: { SequenceNumber: sequenceNumber }, filteredOut: true } : (JSON.parse(recordText) as StreamRecord));
  }
  const tail = lines[lines.length - 1]!.slice(1);
  const rest = tail === '}' ? {} : (JSON.parse(`{${tail.slice(1)}`) as { NextShardIterator?: string });
  return { Records: records, ...rest };
}

/**
 * GetRecords straight on the wire, the way the Lambda service polls: the records arrive in the very JSON shape Lambda
 * hands to functions (attribute values included), so they need no SDK deserialisation and re-shaping, which was the
 * local cloud's single largest CPU cost under load.
 */
function getRecords(iterator: string, mayMatch: (text: string) => boolean): Promise<{ Records?: Polled[]; NextShardIterator?: string }> {
  const endpoint = new URL(process.env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS ?? '');
  const body = JSON.stringify({ ShardIterator: iterator, Limit: 1000 });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: endpoint.hostname,
        port: endpoint.port,
        path: '/',
        method: 'POST',
        agent: streamsAgent,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDBStreams_20120810.GetRecords', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) return reject(new Error(`GetRecords failed (${res.statusCode}): ${text.slice(0, 300)}`));
          try {
            resolve(readPage(text, mayMatch));
          } catch (error) {
            reject(error as Error);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function lambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const stream = record.dynamodb ?? {};
  const created = stream.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: REGION,
    eventSourceARN: streamArn,
    // Lambda spells the identity in lower camel case (the Streams API in Pascal case).
    ...(record.userIdentity ? { userIdentity: { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId } } : {}),
    dynamodb: {
      // Lambda delivers epoch seconds; the Streams SDK hands us a Date.
      ApproximateCreationDateTime: created instanceof Date ? Math.floor(created.getTime() / 1000) : typeof created === 'number' ? Math.floor(created) : undefined,
      Keys: stream.Keys,
      NewImage: stream.NewImage,
      OldImage: stream.OldImage,
      SequenceNumber: stream.SequenceNumber,
      SizeBytes: stream.SizeBytes,
      StreamViewType: stream.StreamViewType,
    },
  } as DynamoDBRecord;
}

/**
 * A Lambda event source mapping for a queue: batches of up to `batchSize`, ReportBatchItemFailures (only the failed
 * messages stay on the queue), failed messages reappear after the visibility timeout and move to the DLQ after
 * maxReceiveCount receives (SQS's redrive policy does that part).
 */
export function startQueuePoller(options: { name: string; queueUrl: string; queueArn: string; mapping: QueueMappingSpec; invoke: Invoke; log: Log }): Poller {
  const sqs = new SQSClient({});
  const { mapping, log } = options;
  const loop = new PollLoop();

  async function run(): Promise<void> {
    while (!loop.stopped) {
      const received = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: Math.min(10, mapping.batchSize),
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      const messages = received.Messages ?? [];
      if (messages.length === 0) {
        loop.idle();
        continue;
      }
      loop.busy();
      const records = messages.map((m) => ({
        messageId: m.MessageId!,
        receiptHandle: m.ReceiptHandle!,
        body: m.Body ?? '',
        attributes: m.Attributes ?? {},
        messageAttributes: m.MessageAttributes ?? {},
        md5OfBody: m.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: options.queueArn,
        awsRegion: REGION,
      }));
      let failed: Set<string>;
      try {
        const response = (await options.invoke(mapping.function, { Records: records })) as SQSBatchResponse | undefined;
        failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      } catch (error) {
        log.warn('Queue batch failed; its messages will be received again', { mapping: options.name, error: String(error) });
        failed = new Set(records.map((r) => r.messageId));
      }
      const done = records.filter((r) => !failed.has(r.messageId));
      if (done.length) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: options.queueUrl,
            Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
          }),
        );
      }
    }
  }

  return loop.start(run, (error) => log.error('Queue poller stopped on an error', { mapping: options.name, error: String(error) }));
}

/** The run-until-stopped loop both pollers share, with the "drained" signal `settle()` waits on. */
class PollLoop {
  stopped = false;
  private caughtUp = false;
  private waiters: Array<() => void> = [];

  /** Nothing left to deliver right now: wake whoever waits for the drain. */
  idle(): void {
    this.caughtUp = true;
    for (const wake of this.waiters.splice(0)) wake();
  }

  busy(): void {
    this.caughtUp = false;
  }

  start(run: () => Promise<void>, onError: (error: unknown) => void): Poller {
    const running = run().catch((error: unknown) => {
      if (!this.stopped) onError(error);
    });
    return {
      drained: () => (this.caughtUp ? Promise.resolve() : new Promise<void>((resolve) => this.waiters.push(resolve))),
      stop: async () => {
        this.stopped = true;
        await running;
        this.idle();
      },
    };
  }
}

/** A stream position kept in the data directory (written atomically); in memory when there is none. */
class CheckpointFile {
  private value: string | undefined;
  constructor(
    private readonly dir: string | undefined,
    private readonly file: string,
  ) {
    if (dir && existsSync(join(dir, file))) {
      this.value = (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { sequenceNumber?: string }).sequenceNumber;
    }
  }
  read(): string | undefined {
    return this.value;
  }
  write(sequenceNumber: string): void {
    this.value = sequenceNumber;
    if (!this.dir) return;
    const path = join(this.dir, this.file);
    writeFileSync(`${path}.tmp`, JSON.stringify({ sequenceNumber }));
    renameSync(`${path}.tmp`, path);
  }
}
