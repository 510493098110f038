// DynamoDB Streams: one stream per table (a new one each time streaming is enabled), records appended in commit
// order and kept 24 hours, served through the DynamoDB Streams JSON API.
//
// Each stream has exactly one shard that stays open while the stream is enabled. AWS splits shards over time and
// consumers must follow parent/child shards; with one shard a consumer sees one totally ordered sequence, which is
// the simplest thing that honours the per-item ordering guarantee AWS gives.
//
// Records are persisted in the same store batch as the item writes that produce them, so after a restart the
// stream holds exactly the committed changes.
//
// A local extension: a consumer (a stream poller, by its mapping name) reports the position it has checkpointed
// (`LocalDynamoDBStreams.PutConsumerCheckpoint`), and the retention caps never drop a record after it, even one the
// consumer has read ahead. The positions are kept in the store, so they hold records across a restart as well.
import { randomBytes } from 'node:crypto';
import { dynaliteDb, type Item, type KeySchemaElement, type TableDescription } from './dynalite.ts';
import type { BatchOp, MemoryDb } from './memory-db.ts';
import { RawJson } from './raw-json.ts';
import { apiError, resourceNotFound, validationException } from './errors.ts';

export type StreamViewType = 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';
export const STREAM_VIEW_TYPES: readonly StreamViewType[] = ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'];

const RETENTION_MS = 24 * 60 * 60 * 1000;
/**
 * A local deviation: besides AWS's 24 hours, a stream keeps at most this many records, and this much record text,
 * of what every active reader has already read and every consumer has checkpointed (the oldest go first), so a busy
 * local cloud's memory stays bounded whatever the size of its items (a record of a large item with both images is tens
 * of KB). Records a reader still has to read, or a consumer to checkpoint, are never dropped for the caps; a
 * TRIM_HORIZON replay sees the newest such records and everything after them.
 */
export interface StreamRetention {
  records: number;
  /** Characters of record JSON. */
  bytes: number;
}
export const DEFAULT_STREAM_RETENTION: StreamRetention = { records: 10_000, bytes: 24 * 1024 * 1024 };
const SEQUENCE_DIGITS = 21;
const MAX_GET_RECORDS = 1000;
const STREAM_PREFIX = '@streams~';
const RECORD_PREFIX = '@records~';
const SEQUENCE_KEY = '@sequence';
const CONSUMER_PREFIX = '@consumers~';

interface StreamMeta {
  streamArn: string;
  streamLabel: string;
  tableName: string;
  viewType: StreamViewType;
  keySchema: KeySchemaElement[];
  status: 'ENABLED' | 'DISABLED';
  createdAt: number;
  disabledAt?: number;
  shardId: string;
  startingSequenceNumber: string;
  endingSequenceNumber?: string;
}

export interface StreamRecord {
  eventID: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  eventVersion: '1.1';
  eventSource: 'aws:dynamodb';
  awsRegion: string;
  dynamodb: {
    ApproximateCreationDateTime: number;
    Keys: Item;
    NewImage?: Item;
    OldImage?: Item;
    SequenceNumber: string;
    SizeBytes: number;
    StreamViewType: StreamViewType;
  };
  userIdentity?: { PrincipalId: string; Type: string };
}

/** A record as the stream keeps it: serialised once at commit (every reader gets the same text, and text is smaller). */
interface StoredRecord {
  seq: number;
  at: number;
  json: string;
}

interface Stream {
  meta: StreamMeta;
  records: StoredRecord[];
  /** Characters of the records' JSON, for the retention cap. */
  bytes?: number;
  /** Where each reader (an iterator chain) last read, and when: the record cap never drops what a reader has not read. */
  readers?: Map<string, { position: number; at: number }>;
  /** What each consumer has checkpointed, and when it last said so: the cap never drops a record after it. */
  consumers?: Map<string, { position: number; at: number }>;
}

/** A reader that has not called GetRecords for this long no longer holds records back from the cap. */
const READER_IDLE_MS = 5 * 60 * 1000;
/**
 * A consumer that has not reported for this long (a mapping that was removed) no longer holds records back. The local
 * pollers report every few seconds while they run; after a restart the time counts from the load.
 */
const CONSUMER_IDLE_MS = 10 * 60 * 1000;
const MAX_CONSUMER_NAME = 256;

/** A consumer's checkpoint as the store keeps it. */
interface StoredConsumer {
  arn: string;
  name: string;
  position: number;
}

/** One committed item change, as the write path reports it. */
export interface ItemChange {
  tableName: string;
  oldItem: Item | undefined;
  newItem: Item | undefined;
  byService: boolean;
}

/** Records of one commit, numbered but not visible to readers until the commit is made. */
export interface CommitTicket {
  ops: BatchOp[];
  entries: { stream: Stream; stored: StoredRecord }[];
}

const pad = (seq: number): string => String(seq).padStart(SEQUENCE_DIGITS, '0');
const consumerKey = (arn: string, name: string): string => `${CONSUMER_PREFIX}${arn}~${name}`;

// eventIDs only need to be unique: a random per-process prefix and a counter avoid a randomBytes call per record.
const EVENT_ID_PREFIX = randomBytes(8).toString('hex');
let eventCounter = 0;
const nextEventId = (): string => EVENT_ID_PREFIX + (eventCounter++).toString(16).padStart(16, '0');

export class Streams {
  private readonly streams = new Map<string, Stream>();
  private readonly latestByTable = new Map<string, Stream>();
  private lastAssigned = 0;
  private lastPublished = 0;
  private readonly publishedListeners = new Set<() => void>();

  constructor(
    private readonly db: MemoryDb,
    private readonly region: string,
    private readonly accountId: string,
    private readonly now: () => number,
    private readonly retention: StreamRetention = DEFAULT_STREAM_RETENTION,
  ) {}

  async load(): Promise<void> {
    const stored = (await this.db.get(SEQUENCE_KEY)) as number | undefined;
    this.lastAssigned = stored ?? 0;
    for await (const [, value] of this.db.iterator({ gte: STREAM_PREFIX, lt: STREAM_PREFIX + '\xff' })) {
      const meta = value as StreamMeta;
      const stream: Stream = { meta, records: [] };
      this.streams.set(meta.streamArn, stream);
      const latest = this.latestByTable.get(meta.tableName);
      if (!latest || latest.meta.createdAt <= meta.createdAt) this.latestByTable.set(meta.tableName, stream);
      this.lastAssigned = Math.max(this.lastAssigned, Number(meta.startingSequenceNumber) - 1);
    }
    for await (const [, value] of this.db.iterator({ gte: RECORD_PREFIX, lt: RECORD_PREFIX + '\xff' })) {
      // Data directories written before records were kept as text hold the record object.
      const { arn, seq, at, json, record } = value as StoredRecord & { arn: string; record?: StreamRecord };
      const stored: StoredRecord = { seq, at, json: json ?? JSON.stringify(record) };
      const stream = this.streams.get(arn);
      if (stream) append(stream, stored);
      this.lastAssigned = Math.max(this.lastAssigned, stored.seq);
    }
    this.lastPublished = this.lastAssigned;
    const loadedAt = this.now();
    for await (const [, value] of this.db.iterator({ gte: CONSUMER_PREFIX, lt: CONSUMER_PREFIX + '\xff' })) {
      const { arn, name, position } = value as StoredConsumer;
      const stream = this.streams.get(arn);
      if (stream) (stream.consumers ??= new Map()).set(name, { position, at: loadedAt });
    }
  }

  /** Starts a new stream for the table; AWS rejects enabling a second one while one is enabled. */
  async enable(table: TableDescription, viewType: StreamViewType): Promise<void> {
    const current = this.latestByTable.get(table.TableName);
    if (current?.meta.status === 'ENABLED') {
      throw validationException(`Table already has an enabled stream: ${current.meta.streamArn}`);
    }
    let createdAt = this.now();
    if (current && createdAt <= current.meta.createdAt) createdAt = current.meta.createdAt + 1;
    const streamLabel = new Date(createdAt).toISOString().replace('Z', '');
    const meta: StreamMeta = {
      streamArn: `arn:aws:dynamodb:${this.region}:${this.accountId}:table/${table.TableName}/stream/${streamLabel}`,
      streamLabel,
      tableName: table.TableName,
      viewType,
      keySchema: table.KeySchema.map(({ AttributeName, KeyType }) => ({ AttributeName, KeyType })),
      status: 'ENABLED',
      createdAt,
      shardId: `shardId-${String(createdAt).padStart(20, '0')}-${randomBytes(4).toString('hex')}`,
      startingSequenceNumber: pad(this.lastAssigned + 1),
    };
    const stream: Stream = { meta, records: [] };
    await this.db.put(STREAM_PREFIX + meta.streamArn, meta);
    this.streams.set(meta.streamArn, stream);
    this.latestByTable.set(table.TableName, stream);
  }

  /** Closes the table's stream (UpdateTable StreamEnabled=false, DeleteTable); its records stay readable 24 h. */
  async disable(tableName: string, mustExist: boolean): Promise<void> {
    const current = this.latestByTable.get(tableName);
    if (!current || current.meta.status !== 'ENABLED') {
      if (mustExist) throw validationException('Table does not have an enabled stream');
      return;
    }
    current.meta.status = 'DISABLED';
    current.meta.disabledAt = this.now();
    current.meta.endingSequenceNumber = pad(this.lastAssigned);
    await this.db.put(STREAM_PREFIX + current.meta.streamArn, current.meta);
  }

  /** The stream attributes DescribeTable/CreateTable/UpdateTable answers carry. */
  tableAttributes(tableName: string): Record<string, unknown> {
    const stream = this.latestByTable.get(tableName);
    if (!stream) return {};
    return {
      ...(stream.meta.status === 'ENABLED'
        ? { StreamSpecification: { StreamEnabled: true, StreamViewType: stream.meta.viewType } }
        : {}),
      LatestStreamArn: stream.meta.streamArn,
      LatestStreamLabel: stream.meta.streamLabel,
    };
  }

  hasEnabledStream(tableName: string): boolean {
    return this.latestByTable.get(tableName)?.meta.status === 'ENABLED';
  }

  /**
   * Numbers the records for one commit's changes and returns the store ops that persist them. The write path calls
   * this, writes the batch and publishes the ticket without yielding in between, so sequence numbers follow commit
   * order and a failed batch (a journal that cannot be written) leaves no record behind.
   */
  prepare(changes: ItemChange[]): CommitTicket | undefined {
    let ticket: CommitTicket | undefined;
    for (const change of changes) {
      const stream = this.latestByTable.get(change.tableName);
      if (!stream || stream.meta.status !== 'ENABLED') continue;
      const seq = ++this.lastAssigned;
      const at = this.now();
      const stored: StoredRecord = { seq, at, json: JSON.stringify(this.buildRecord(stream.meta, change, seq, at)) };
      ticket ??= { ops: [], entries: [] };
      ticket.entries.push({ stream, stored });
      ticket.ops.push({ type: 'put', key: RECORD_PREFIX + pad(seq), value: { arn: stream.meta.streamArn, ...stored } });
    }
    return ticket;
  }

  /** The commit's store batch was written: its records become readable (and the stream's readers are told). */
  publish(ticket: CommitTicket): void {
    for (const { stream, stored } of ticket.entries) {
      append(stream, stored);
      this.lastPublished = stored.seq;
    }
    if (ticket.entries.length) for (const listener of this.publishedListeners) listener();
  }

  /** Calls `listener` whenever records become readable; returns the unsubscribe. */
  onPublished(listener: () => void): () => void {
    this.publishedListeners.add(listener);
    return () => this.publishedListeners.delete(listener);
  }

  /** Drops records older than 24 hours or beyond the retention caps, and streams disabled for longer than 24 hours. */
  async trim(): Promise<void> {
    const horizon = this.now() - RETENTION_MS;
    const ops: BatchOp[] = [];
    const now = this.now();
    for (const stream of this.streams.values()) {
      // The cap only takes records at or below the slowest active reader's position and every consumer's checkpoint.
      let readUpTo = Infinity;
      for (const [id, reader] of stream.readers ?? []) {
        if (now - reader.at > READER_IDLE_MS) stream.readers!.delete(id);
        else readUpTo = Math.min(readUpTo, reader.position);
      }
      for (const [name, consumer] of stream.consumers ?? []) {
        if (now - consumer.at > CONSUMER_IDLE_MS) {
          stream.consumers!.delete(name);
          ops.push({ type: 'del', key: consumerKey(stream.meta.streamArn, name) });
        } else {
          readUpTo = Math.min(readUpTo, consumer.position);
        }
      }
      let drop = 0;
      let bytes = stream.bytes ?? 0;
      const overCap = () => stream.records.length - drop > this.retention.records || bytes > this.retention.bytes;
      while (drop < stream.records.length && overCap() && stream.records[drop]!.seq <= readUpTo) bytes -= stream.records[drop++]!.json.length;
      while (drop < stream.records.length && stream.records[drop]!.at < horizon) bytes -= stream.records[drop++]!.json.length;
      if (drop === 0) continue;
      stream.bytes = bytes;
      for (const stored of stream.records.splice(0, drop)) ops.push({ type: 'del', key: RECORD_PREFIX + pad(stored.seq) });
      // The checkpoints that allowed the drop go into the same batch: after a restart they hold back what they held.
      for (const [name, { position }] of stream.consumers ?? []) {
        ops.push({ type: 'put', key: consumerKey(stream.meta.streamArn, name), value: { arn: stream.meta.streamArn, name, position } satisfies StoredConsumer });
      }
    }
    for (const stream of [...this.streams.values()]) {
      const { meta } = stream;
      if (meta.status === 'DISABLED' && meta.disabledAt! < horizon && stream.records.length === 0) {
        this.streams.delete(meta.streamArn);
        if (this.latestByTable.get(meta.tableName) === stream) this.latestByTable.delete(meta.tableName);
        ops.push({ type: 'del', key: STREAM_PREFIX + meta.streamArn });
        for (const name of stream.consumers?.keys() ?? []) ops.push({ type: 'del', key: consumerKey(meta.streamArn, name) });
      }
    }
    if (ops.length === 0) return;
    // Remember the counter so sequence numbers keep growing even when every record has been trimmed.
    ops.push({ type: 'put', key: SEQUENCE_KEY, value: this.lastAssigned });
    await this.db.batch(ops);
  }

  async handle(operation: string, body: Record<string, unknown>): Promise<Record<string, unknown> | RawJson> {
    switch (operation) {
      case 'ListStreams':
        return this.listStreams(body);
      case 'DescribeStream':
        return this.describeStream(body);
      case 'GetShardIterator':
        return this.getShardIterator(body);
      case 'GetRecords':
        return this.getRecords(body);
      default:
        throw apiError('com.amazon.coral.service#UnknownOperationException', `Unknown operation ${operation}`);
    }
  }

  /** The local extension's operations (not AWS APIs), for the local stream pollers. */
  async handleLocal(operation: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (operation === 'PutConsumerCheckpoint') return this.putConsumerCheckpoint(body);
    throw apiError('com.amazon.coral.service#UnknownOperationException', `Unknown operation ${operation}`);
  }

  /**
   * A consumer's checkpoint: the last record it is done with ('0' before its first). It is the consumer's retention
   * floor from now on, and repeating it is the consumer's heartbeat. The store learns it with the next trim that
   * drops records, so a restart never finds a floor ahead of what the consumer had checkpointed.
   */
  private putConsumerCheckpoint(body: Record<string, unknown>): Record<string, unknown> {
    const stream = this.streamOrThrow(body.StreamArn);
    const name = body.Consumer;
    if (typeof name !== 'string' || name.length === 0 || name.length > MAX_CONSUMER_NAME) {
      throw validationException(`Consumer must be a string of 1 to ${MAX_CONSUMER_NAME} characters`);
    }
    const position = typeof body.SequenceNumber === 'string' && /^\d{1,40}$/.test(body.SequenceNumber) ? Number(body.SequenceNumber) : NaN;
    if (!Number.isSafeInteger(position)) throw validationException(`Invalid SequenceNumber: ${String(body.SequenceNumber)}`);
    (stream.consumers ??= new Map()).set(name, { position, at: this.now() });
    return {};
  }

  private buildRecord(meta: StreamMeta, change: ItemChange, seq: number, at: number): StreamRecord {
    const image = (change.newItem ?? change.oldItem)!;
    const keys: Item = {};
    for (const { AttributeName } of meta.keySchema) keys[AttributeName] = image[AttributeName]!;
    const withNew = meta.viewType === 'NEW_IMAGE' || meta.viewType === 'NEW_AND_OLD_IMAGES';
    const withOld = meta.viewType === 'OLD_IMAGE' || meta.viewType === 'NEW_AND_OLD_IMAGES';
    const dynamodb: StreamRecord['dynamodb'] = {
      ApproximateCreationDateTime: Math.floor(at / 1000),
      Keys: keys,
      SequenceNumber: pad(seq),
      SizeBytes: 0,
      StreamViewType: meta.viewType,
    };
    if (withNew && change.newItem) dynamodb.NewImage = change.newItem;
    if (withOld && change.oldItem) dynamodb.OldImage = change.oldItem;
    dynamodb.SizeBytes =
      dynaliteDb.itemSize(keys) +
      (dynamodb.NewImage ? dynaliteDb.itemSize(dynamodb.NewImage) : 0) +
      (dynamodb.OldImage ? dynaliteDb.itemSize(dynamodb.OldImage) : 0);
    const record: StreamRecord = {
      eventID: nextEventId(),
      eventName: !change.oldItem ? 'INSERT' : !change.newItem ? 'REMOVE' : 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: this.region,
      dynamodb,
    };
    if (change.byService) record.userIdentity = { PrincipalId: 'dynamodb.amazonaws.com', Type: 'Service' };
    return record;
  }

  private streamOrThrow(arn: unknown): Stream {
    const stream = typeof arn === 'string' ? this.streams.get(arn) : undefined;
    if (!stream) throw resourceNotFound(`Requested resource not found: Stream: ${String(arn)} not found`);
    return stream;
  }

  private listStreams(body: Record<string, unknown>): Record<string, unknown> {
    const limit = typeof body.Limit === 'number' ? body.Limit : 100;
    if (limit < 1 || limit > 100) throw validationException('Limit must be between 1 and 100');
    let streams = [...this.streams.values()]
      .map((s) => s.meta)
      .filter((m) => body.TableName == null || m.tableName === body.TableName)
      .sort((a, b) => (a.streamArn < b.streamArn ? -1 : 1));
    if (typeof body.ExclusiveStartStreamArn === 'string') {
      const start = body.ExclusiveStartStreamArn;
      streams = streams.filter((m) => m.streamArn > start);
    }
    const page = streams.slice(0, limit);
    return {
      Streams: page.map((m) => ({ StreamArn: m.streamArn, TableName: m.tableName, StreamLabel: m.streamLabel })),
      ...(streams.length > limit ? { LastEvaluatedStreamArn: page[page.length - 1]!.streamArn } : {}),
    };
  }

  private describeStream(body: Record<string, unknown>): Record<string, unknown> {
    const { meta } = this.streamOrThrow(body.StreamArn);
    const range: Record<string, string> = { StartingSequenceNumber: meta.startingSequenceNumber };
    if (meta.endingSequenceNumber) range.EndingSequenceNumber = meta.endingSequenceNumber;
    const shards = body.ExclusiveStartShardId === meta.shardId ? [] : [{ ShardId: meta.shardId, SequenceNumberRange: range }];
    return {
      StreamDescription: {
        StreamArn: meta.streamArn,
        StreamLabel: meta.streamLabel,
        StreamStatus: meta.status,
        StreamViewType: meta.viewType,
        CreationRequestDateTime: meta.createdAt / 1000,
        TableName: meta.tableName,
        KeySchema: meta.keySchema,
        Shards: shards,
      },
    };
  }

  private getShardIterator(body: Record<string, unknown>): Record<string, unknown> {
    const stream = this.streamOrThrow(body.StreamArn);
    if (body.ShardId !== stream.meta.shardId) {
      throw resourceNotFound(`Requested resource not found: Shard: ${String(body.ShardId)} in Stream: ${stream.meta.streamArn}`);
    }
    let position: number;
    switch (body.ShardIteratorType) {
      case 'TRIM_HORIZON':
        position = 0;
        break;
      case 'LATEST':
        position = this.lastPublished;
        break;
      case 'AT_SEQUENCE_NUMBER':
      case 'AFTER_SEQUENCE_NUMBER': {
        const seq = typeof body.SequenceNumber === 'string' && /^\d{1,40}$/.test(body.SequenceNumber) ? Number(body.SequenceNumber) : NaN;
        if (!Number.isSafeInteger(seq)) {
          throw validationException(`Invalid SequenceNumber for ${body.ShardIteratorType}: ${String(body.SequenceNumber)}`);
        }
        position = body.ShardIteratorType === 'AT_SEQUENCE_NUMBER' ? seq - 1 : seq;
        break;
      }
      default:
        throw validationException(
          `1 validation error detected: Value '${String(body.ShardIteratorType)}' at 'shardIteratorType' failed to satisfy constraint: ` +
            'Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_SEQUENCE_NUMBER, TRIM_HORIZON]',
        );
    }
    return { ShardIterator: encodeIterator(stream.meta.streamArn, position, randomBytes(6).toString('hex')) };
  }

  private getRecords(body: Record<string, unknown>): RawJson {
    const limit = body.Limit == null ? MAX_GET_RECORDS : Number(body.Limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_GET_RECORDS) {
      throw validationException(
        `1 validation error detected: Value '${String(body.Limit)}' at 'limit' failed to satisfy constraint: ` +
          'Member must have value less than or equal to 1000',
      );
    }
    const iterator = decodeIterator(body.ShardIterator);
    const stream = this.streams.get(iterator.arn);
    if (!stream) throw apiError('ExpiredIteratorException', 'Iterator expired: the stream no longer exists');
    const { records } = stream;
    let lo = 0;
    let hi = records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (records[mid]!.seq <= iterator.position) lo = mid + 1;
      else hi = mid;
    }
    const page = records.slice(lo, lo + limit);
    const position = page.length ? page[page.length - 1]!.seq : iterator.position;
    const closed = stream.meta.status === 'DISABLED' && lo + page.length >= records.length;
    if (iterator.reader) (stream.readers ??= new Map()).set(iterator.reader, { position, at: this.now() });
    const next = closed ? '' : `,"NextShardIterator":${JSON.stringify(encodeIterator(stream.meta.streamArn, position, iterator.reader))}`;
    // One record a line (JSON allows the whitespace): the local stream pollers tell records apart without parsing.
    const lines = page.length ? `\n${page.map((s) => s.json).join(',\n')}\n` : '';
    return new RawJson(`{"Records":[${lines}]${next}}`);
  }
}

function encodeIterator(arn: string, position: number, reader?: string): string {
  return Buffer.from(JSON.stringify(reader ? [arn, position, reader] : [arn, position])).toString('base64url');
}

function decodeIterator(value: unknown): { arn: string; position: number; reader?: string } {
  try {
    const [arn, position, reader] = JSON.parse(Buffer.from(String(value), 'base64url').toString()) as [unknown, unknown, unknown];
    if (typeof arn === 'string' && typeof position === 'number') return { arn, position, ...(typeof reader === 'string' ? { reader } : {}) };
  } catch {
    // fall through to the AWS error below
  }
  throw validationException('Invalid ShardIterator');
}

function append(stream: Stream, stored: StoredRecord): void {
  stream.records.push(stored);
  stream.bytes = (stream.bytes ?? 0) + stored.json.length;
}
