import { existsSync, readFileSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
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
import type { FunctionId, QueueMappingSpec, StreamMappingSpec } from '../../topology.ts';
import { REGION } from '../constants.ts';
import { matchesPattern } from '../eventbridge/index.ts';

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

/** How a poller that failed is restarted: the first wait, doubled on each failure in a row up to the cap. */
export interface RestartBackoff {
  firstMs: number;
  maxMs: number;
}
const DEFAULT_RESTART_BACKOFF: RestartBackoff = { firstMs: 100, maxMs: 10_000 };

/** How often a stream poller tells the stream its checkpoint when it moved, and at least how often when it did not. */
const REPORT_CHECKPOINT_MS = 250;
const REPORT_HEARTBEAT_MS = 5_000;

/**
 * A Lambda event source mapping for the table's stream: batches in shard order, ReportBatchItemFailures (the batch is
 * retried from the first failed record), bisect on error, a bounded number of retries, then the batch's description
 * goes to the on-failure queue and the mapping moves on, as Lambda does. The position is checkpointed in the data
 * directory (flushed to the disk) after each batch, so a restart skips nothing and replays at most the batch that was
 * in flight. The checkpoint is reported to the stream, which keeps every record after it for as long as the poller
 * reports (the stream's cap would otherwise drop records the poller has read ahead but not yet handled).
 *
 * Any error (the endpoint dropping the connection, a checkpoint that cannot be written, the on-failure queue being
 * unreachable) is logged with the mapping's name and the poller starts again from its last checkpoint after a backoff.
 */
/** How long an idle stream poller waits for the table's notice before it reads anyway (a lost notice costs this much). */
const STREAM_NOTICE_MAX_WAIT_MS = 1000;

export function startStreamPoller(options: {
  name: string;
  tableName: string;
  mapping: StreamMappingSpec;
  onFailureQueueUrl: string;
  invoke: Invoke;
  checkpointDir?: string;
  idleDelayMs?: number;
  /**
   * The local table's notice that stream records became readable: with it an idle poller waits for the notice (or
   * STREAM_NOTICE_MAX_WAIT_MS at most) instead of polling an empty stream every `idleDelayMs`.
   */
  onStreamRecords?: (listener: () => void) => () => void;
  restartBackoff?: RestartBackoff;
  log: Log;
}): Poller {
  const { mapping, invoke, log } = options;
  const dynamodb = new DynamoDBClient({});
  const streams = new DynamoDBStreamsClient({});
  const sqs = new SQSClient({});
  const checkpoints = new CheckpointFile(options.checkpointDir, `stream-${options.name}.json`);
  const idleDelay = options.idleDelayMs ?? 25;
  const loop = new PollLoop(options.name, options.restartBackoff ?? DEFAULT_RESTART_BACKOFF, log);
  // Set by a notice, cleared before each read: a notice that arrives while a read is on its way is never lost.
  let notified = true;
  let wake: (() => void) | undefined;
  const unsubscribe = options.onStreamRecords?.(() => {
    notified = true;
    // Records wait to be read: the mapping is not drained (settle() must not return before it reads them).
    loop.busy();
    wake?.();
  });
  const waitForRecords = async () => {
    if (options.onStreamRecords && !notified) {
      await Promise.race([new Promise<void>((resolve) => (wake = resolve)), loop.pause(STREAM_NOTICE_MAX_WAIT_MS)]);
      wake = undefined;
    }
    // Then `idleDelay` more, as Lambda's poller reads a shard a few times a second: what a busy table writes meanwhile
    // goes in one batch instead of a read and an invocation per commit.
    await loop.pause(idleDelay);
  };
  const mayMatch = prefilter(mapping.filters);
  let streamArnSeen: string | undefined;
  const reporter = new CheckpointReporter(options.name, () => {
    // Before its first checkpoint a TRIM_HORIZON mapping still needs the whole stream.
    const position = checkpoints.read() ?? (mapping.startingPosition === 'TRIM_HORIZON' ? '0' : undefined);
    return streamArnSeen && position ? { streamArn: streamArnSeen, position } : undefined;
  }, log);

  async function run(): Promise<void> {
    const table = await dynamodb.send(new DescribeTableCommand({ TableName: options.tableName }));
    const streamArn = table.Table?.LatestStreamArn;
    if (!streamArn) throw new Error(`Table ${options.tableName} has no stream`);
    streamArnSeen = streamArn;
    const stream = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const shardId = stream.StreamDescription?.Shards?.[0]?.ShardId;
    if (!shardId) throw new Error(`Stream ${streamArn} has no shard`);
    let position = checkpoints.read();
    let iterator = await shardIterator(streamArn, shardId, position);
    let buffer: StreamRecord[] = [];

    while (!loop.stopped) {
      if (buffer.length < mapping.batchSize && iterator) {
        notified = false;
        const page = await getRecords(iterator, mayMatch);
        iterator = page.NextShardIterator;
        buffer.push(...(page.Records ?? []));
      }
      if (buffer.length === 0) {
        loop.healthy();
        loop.idle();
        await waitForRecords();
        continue;
      }
      loop.busy();
      const batch = buffer.slice(0, mapping.batchSize);
      const processed = await deliver(streamArn, shardId, batch);
      if (processed === 0) continue;
      buffer = buffer.slice(processed);
      position = batch[processed - 1]!.dynamodb!.SequenceNumber!;
      // A checkpoint that cannot be written throws: the restart reads the batch again from the last one that was.
      await checkpoints.write(position);
      loop.healthy();
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
      // Stopping between retries leaves the batch without a checkpoint: the next start delivers it again.
      if (loop.stopped) return 0;
      const failedAt = await invokeBatch(streamArn, pending);
      if (failedAt === undefined) return doneThrough(pending[pending.length - 1]!);
      // Records before the first failure are done: checkpoint there; the failed record leads the next batch.
      if (failedAt > 0) return doneThrough(pending[failedAt - 1]!);
      // Nothing got through: bisecting narrows the retry down to the poison record.
      if (mapping.bisectBatchOnError && pending.length > 1) pending = pending.slice(0, Math.ceil(pending.length / 2));
      if (attempt < mapping.retryAttempts) await loop.pause(Math.min(1000, 20 * 2 ** attempt));
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

  reporter.start();
  return loop.start(run, () => {
    reporter.stop();
    unsubscribe?.();
  });
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
async function getRecords(iterator: string, mayMatch: (text: string) => boolean): Promise<{ Records?: Polled[]; NextShardIterator?: string }> {
  return readPage(await postToStreams('DynamoDBStreams_20120810.GetRecords', { ShardIterator: iterator, Limit: 1000 }), mayMatch);
}

/** One JSON request to the local streams endpoint on the pollers' keep-alive sockets; resolves with the 200 answer's text. */
function postToStreams(target: string, payload: Record<string, unknown>): Promise<string> {
  const endpoint = new URL(process.env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS ?? '');
  const body = JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: endpoint.hostname,
        port: endpoint.port,
        path: '/',
        method: 'POST',
        agent: streamsAgent,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) return reject(new Error(`${target} failed (${res.statusCode}): ${text.slice(0, 300)}`));
          resolve(text);
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
export function startQueuePoller(options: {
  name: string;
  queueUrl: string;
  queueArn: string;
  mapping: QueueMappingSpec;
  invoke: Invoke;
  restartBackoff?: RestartBackoff;
  log: Log;
}): Poller {
  const sqs = new SQSClient({});
  const { mapping, log } = options;
  const loop = new PollLoop(options.name, options.restartBackoff ?? DEFAULT_RESTART_BACKOFF, log);

  async function run(): Promise<void> {
    while (!loop.stopped) {
      const messages = await gather();
      if (messages.length === 0) {
        loop.healthy();
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
      // Ten to a DeleteMessageBatch, as SQS allows.
      for (let i = 0; i < done.length; i += 10) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: options.queueUrl,
            Entries: done.slice(i, i + 10).map((r, j) => ({ Id: String(j), ReceiptHandle: r.receiptHandle })),
          }),
        );
      }
      loop.healthy();
    }
  }

  /**
   * One batch, as Lambda's poller builds it: a long poll for the first messages, then, with a batching window, more
   * receives (ten at most each, as SQS allows) until the batch is full or the window since the first message is over.
   */
  async function gather() {
    const receive = (max: number, waitSeconds: number) =>
      sqs
        .send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: Math.min(10, max),
            WaitTimeSeconds: waitSeconds,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        )
        .then((received) => received.Messages ?? []);
    const messages = await receive(mapping.batchSize, 1);
    const windowEnds = Date.now() + mapping.maxBatchingWindowSeconds * 1000;
    while (messages.length > 0 && messages.length < mapping.batchSize && Date.now() < windowEnds && !loop.stopped) {
      const more = await receive(mapping.batchSize - messages.length, 0);
      if (more.length === 0) await loop.pause(Math.min(50, windowEnds - Date.now()));
      messages.push(...more);
    }
    return messages;
  }

  // A batch whose deletion failed is received again after its visibility timeout: at least once, as on AWS.
  return loop.start(run);
}

/**
 * The run-until-stopped loop both pollers share, supervised: when `run` throws, the error is logged with the mapping's
 * name and `run` starts again after a backoff (doubling while the failures go on; reset by `healthy()`), so no error
 * stops a mapping for good. It also carries the "drained" signal `settle()` waits on.
 */
class PollLoop {
  stopped = false;
  private caughtUp = false;
  private waiters: Array<() => void> = [];
  private failures = 0;
  private readonly stopping = new AbortController();

  constructor(
    private readonly name: string,
    private readonly backoff: RestartBackoff,
    private readonly log: Log,
  ) {}

  /** Nothing left to deliver right now: wake whoever waits for the drain. */
  idle(): void {
    this.caughtUp = true;
    for (const wake of this.waiters.splice(0)) wake();
  }

  busy(): void {
    this.caughtUp = false;
  }

  /** A batch went through (or there was none): the next failure starts the backoff from its first step again. */
  healthy(): void {
    this.failures = 0;
  }

  /** Waits, or less if the poller is stopped meanwhile. */
  async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.stopping.signal }).catch(() => undefined);
  }

  start(run: () => Promise<void>, onStopped?: () => void): Poller {
    const supervised = (async () => {
      while (!this.stopped) {
        try {
          await run();
        } catch (error) {
          if (this.stopped) break;
          // A failing poller is not drained: what it has not delivered yet is still to come.
          this.busy();
          const restartInMs = Math.min(this.backoff.maxMs, this.backoff.firstMs * 2 ** Math.min(this.failures, 30));
          this.failures++;
          this.log.error('Poller failed; restarting from its last checkpoint', {
            mapping: this.name,
            error: String(error),
            failuresInARow: this.failures,
            restartInMs,
          });
          await this.pause(restartInMs);
        }
      }
      onStopped?.();
    })();
    return {
      drained: () => (this.caughtUp ? Promise.resolve() : new Promise<void>((resolve) => this.waiters.push(resolve))),
      stop: async () => {
        this.stopped = true;
        this.stopping.abort();
        await supervised;
        this.idle();
      },
    };
  }
}

/**
 * Tells the stream a poller's checkpoint (`LocalDynamoDBStreams.PutConsumerCheckpoint`) when it moved and, as a
 * heartbeat, every few seconds when it did not, on a timer of its own: a poller waiting on a slow handler or restarting
 * keeps its floor. A failed report is retried on the next tick; it only delays trimming.
 */
class CheckpointReporter {
  private timer: NodeJS.Timeout | undefined;
  private reported: string | undefined;
  private reportedAt = 0;
  private inFlight = false;
  private failing = false;

  constructor(
    private readonly name: string,
    private readonly current: () => { streamArn: string; position: string } | undefined,
    private readonly log: Log,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), REPORT_CHECKPOINT_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    const current = this.current();
    if (!current || this.inFlight) return;
    const key = `${current.streamArn} ${current.position}`;
    if (key === this.reported && Date.now() - this.reportedAt < REPORT_HEARTBEAT_MS) return;
    this.inFlight = true;
    try {
      await postToStreams('LocalDynamoDBStreams.PutConsumerCheckpoint', { StreamArn: current.streamArn, Consumer: this.name, SequenceNumber: current.position });
      this.reported = key;
      this.reportedAt = Date.now();
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.log.warn('Could not report the stream checkpoint; retrying', { mapping: this.name, error: String(error) });
      this.failing = true;
    } finally {
      this.inFlight = false;
    }
  }
}

/**
 * A stream position kept in the data directory (in memory when there is none). A write is flushed to the disk and
 * renamed into place before `read()` returns it, so what the poller reports to the stream is never ahead of the file.
 */
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
  async write(sequenceNumber: string): Promise<void> {
    if (this.dir) {
      const path = join(this.dir, this.file);
      const temporary = await open(`${path}.tmp`, 'w');
      try {
        await temporary.writeFile(JSON.stringify({ sequenceNumber }));
        await temporary.datasync();
      } finally {
        await temporary.close();
      }
      await rename(`${path}.tmp`, path);
      const dir = await open(this.dir, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    }
    this.value = sequenceNumber;
  }
}
