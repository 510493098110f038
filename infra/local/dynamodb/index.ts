// The local DynamoDB endpoint: a node:http server (two, with a priority port) that speaks the DynamoDB and DynamoDB Streams JSON protocols,
// built on dynalite used in-process (its validations and actions) over our own in-memory store, plus transactions,
// streams and TTL.
// See docs/local-dynamodb.md for what is and is not supported.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDbApi } from './api.ts';
import { isApiError, requireFromDynalite, type ApiError } from './dynalite.ts';
import { internalServerError, serializationException, unknownOperation } from './errors.ts';
import { MemoryDb } from './memory-db.ts';
import { RawJson } from './raw-json.ts';
import { createStore, isPackedKey } from './store.ts';
import { Streams, type StreamRetention } from './streams.ts';
import { Transactions } from './transactions.ts';
import { TimeToLive } from './ttl.ts';
import { WritePath } from './write-path.ts';

export interface LocalDynamoDbOptions {
  /** 0 = ephemeral */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** undefined = in-memory */
  dataDir?: string;
  /** default 5000 */
  ttlSweepIntervalMs?: number;
  /** ms clock for TTL/streams, default Date.now */
  now?: () => number;
  /**
   * Also listen on a second port, for the callers that must not wait behind the others' backlog (the API's intake):
   * its requests start as soon as they arrive, while the first port's are queued and started a slice at a time
   * between turns of the event loop.
   */
  priorityEndpoint?: boolean;
  /** How much already-read stream history to keep (default DEFAULT_STREAM_RETENTION). */
  streamRetention?: StreamRetention;
  /**
   * With `dataDir`: flush the journal to the disk before answering (default true), so an answered write survives a
   * machine crash, not only a process crash. One flush serves every write made while the previous one ran.
   */
  fsync?: boolean;
}

export interface LocalDynamoDb {
  /** http://127.0.0.1:PORT, serves DynamoDB and DynamoDB Streams */
  endpoint: string;
  /** The same table behind the second port, when `priorityEndpoint` was asked for. */
  priorityEndpoint?: string;
  /** run one TTL sweep now, returns items deleted */
  sweepTtl(): Promise<number>;
  /**
   * Not an AWS API: calls `listener` soon after stream records become readable (at most once per event-loop turn), so
   * the local stream pollers wait for records instead of polling an idle stream. Returns the unsubscribe.
   */
  onStreamRecords(listener: () => void): () => void;
  close(): Promise<void>;
}

const DYNAMODB_TARGET = 'DynamoDB_20120810.';
const STREAMS_TARGET = 'DynamoDBStreams_20120810.';
/** Not an AWS API: what the local stream pollers tell the streams (their checkpoints), see streams.ts. */
const LOCAL_STREAMS_TARGET = 'LocalDynamoDBStreams.';
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
const DEFAULT_SWEEP_MS = 5000;
const JOURNAL_FILE = 'dynamodb.jsonl';
/** where data directories written before the in-memory store kept dynalite's leveldb */
const LEVELDB_DIR = 'leveldb';

export async function startLocalDynamoDb(options: LocalDynamoDbOptions = {}): Promise<LocalDynamoDb> {
  const now = options.now ?? Date.now;
  let db: MemoryDb;
  if (options.dataDir) {
    await mkdir(options.dataDir, { recursive: true });
    const file = join(options.dataDir, JOURNAL_FILE);
    const importing = !existsSync(file) && existsSync(join(options.dataDir, LEVELDB_DIR));
    db = MemoryDb.open({ file, packed: isPackedKey, fsync: options.fsync ?? true });
    if (importing) await importLevelDb(options.dataDir, db);
  } else {
    db = MemoryDb.open({ packed: isPackedKey });
  }
  const store = createStore(db);
  const streams = new Streams(store.db, store.tableDb.awsRegion, store.tableDb.awsAccountId, now, options.streamRetention);
  await streams.load();
  const writePath = new WritePath(store, streams);
  const ttl = new TimeToLive(store.db, writePath, now);
  await ttl.load();
  const transactions = new Transactions(writePath, store, now);
  const api = new DynamoDbApi(store, writePath, transactions, streams, ttl);

  const dispatch = (target: string, body: Record<string, unknown>): Promise<Record<string, unknown> | RawJson> => {
    if (target.startsWith(DYNAMODB_TARGET)) return api.handle(target.slice(DYNAMODB_TARGET.length), body);
    if (target.startsWith(STREAMS_TARGET)) return streams.handle(target.slice(STREAMS_TARGET.length), body);
    if (target.startsWith(LOCAL_STREAMS_TARGET)) return streams.handleLocal(target.slice(LOCAL_STREAMS_TARGET.length), body);
    return Promise.reject(unknownOperation());
  };

  const host = options.host ?? '127.0.0.1';
  const url = (port: number) => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const backlog = options.priorityEndpoint ? new Backlog() : undefined;
  const queued: typeof dispatch = backlog ? (target, body) => backlog.run(() => dispatch(target, body)) : dispatch;
  const whenDurable = () => db.whenDurable();
  const server = await listen(host, options.port ?? 0, (req, res) => handleRequest(req, res, queued, whenDurable));
  const priorityServer = backlog ? await listen(host, 0, (req, res) => handleRequest(req, res, dispatch, whenDurable)) : undefined;
  const servers = priorityServer ? [server, priorityServer] : [server];

  // Housekeeping shares one timer: TTL sweep, stream trimming, idempotency-token expiry. Runs never overlap.
  let housekeeping: Promise<number> | undefined;
  const runHousekeeping = (): Promise<number> => {
    housekeeping ??= (async () => {
      try {
        const deleted = await ttl.sweep();
        await streams.trim();
        transactions.expireTokens();
        return deleted;
      } finally {
        housekeeping = undefined;
      }
    })();
    return housekeeping;
  };
  const timer = setInterval(() => {
    runHousekeeping().catch((err: unknown) => console.error('[local-dynamodb] housekeeping failed', err));
  }, options.ttlSweepIntervalMs ?? DEFAULT_SWEEP_MS);
  timer.unref();

  // One notice per event-loop turn however many commits published records in it.
  const streamListeners = new Set<() => void>();
  let noticePending = false;
  streams.onPublished(() => {
    if (noticePending || streamListeners.size === 0) return;
    noticePending = true;
    setImmediate(() => {
      noticePending = false;
      for (const listener of streamListeners) listener();
    });
  });

  let closing: Promise<void> | undefined;
  return {
    onStreamRecords(listener) {
      streamListeners.add(listener);
      return () => streamListeners.delete(listener);
    },
    endpoint: url((server.address() as AddressInfo).port),
    ...(priorityServer ? { priorityEndpoint: url((priorityServer.address() as AddressInfo).port) } : {}),
    async sweepTtl() {
      // A sweep already running may have read the items before the caller's writes: wait for it, then run ours.
      await housekeeping?.catch(() => 0);
      return runHousekeeping();
    },
    close() {
      closing ??= (async () => {
        clearInterval(timer);
        await housekeeping?.catch(() => 0);
        await Promise.all(
          servers.map(
            (s) =>
              new Promise<void>((resolve) => {
                s.close(() => resolve());
                s.closeAllConnections();
              }),
          ),
        );
        db.close();
      })();
      return closing;
    },
  };
}

async function listen(host: string, port: number, onRequest: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  const server = createServer(onRequest);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

/** How long queued requests run before the event loop may take in more: a priority request waits about this long at most. */
const BACKLOG_SLICE_MS = 1;

/**
 * Requests of the ordinary port, started in arrival order but only from a check-phase callback: a priority request
 * parsed in the same turn of the event loop starts first, and one parsed later waits for one slice at most.
 */
class Backlog {
  private readonly queue: Array<() => void> = [];
  private scheduled = false;

  run<T>(start: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push(() => start().then(resolve, reject));
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.drain);
      }
    });
  }

  private readonly drain = (): void => {
    const until = performance.now() + BACKLOG_SLICE_MS;
    do this.queue.shift()!();
    while (this.queue.length > 0 && performance.now() < until);
    if (this.queue.length > 0) setImmediate(this.drain);
    else this.scheduled = false;
  };
}

function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  dispatch: (target: string, body: Record<string, unknown>) => Promise<Record<string, unknown> | RawJson>,
  whenDurable: () => Promise<void> | undefined,
): void {
  // Any answer, a read or a failed condition too, may rest on writes not yet on the disk: it waits for them.
  const answer = (status: number, payload: Parameters<typeof send>[2]): void => {
    const durable = whenDurable();
    if (!durable) return send(res, status, payload);
    durable.then(
      () => send(res, status, payload),
      (err: unknown) => {
        console.error('[local-dynamodb] the journal could not be flushed to the disk', err);
        send(res, 500, internalServerError('The journal could not be flushed to the disk').body!);
      },
    );
  };
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
  });
  req.on('end', () => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('healthy: dynamodb.us-east-1.amazonaws.com ');
      return;
    }
    if (size > MAX_REQUEST_BYTES) {
      res.writeHead(413);
      res.end();
      return;
    }
    // Signatures (SigV4 from the SDK's dummy credentials) are accepted without being checked.
    const target = String(req.headers['x-amz-target'] ?? '');
    let body: Record<string, unknown>;
    try {
      const text = chunks.length === 1 ? chunks[0]!.toString() : Buffer.concat(chunks).toString();
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error('not an object');
    } catch {
      send(res, 400, serializationException('Request body is not a JSON object').body!);
      return;
    }
    dispatch(target, body).then(
      (result) => answer(200, result),
      (err: unknown) => {
        if (isApiError(err)) return answer(err.statusCode, err.body!);
        console.error('[local-dynamodb] unexpected error', err);
        send(res, 500, internalServerError(err instanceof Error ? err.message : String(err)).body!);
      },
    );
  });
}

function send(res: ServerResponse, status: number, payload: NonNullable<ApiError['body']> | Record<string, unknown> | RawJson): void {
  const text = payload instanceof RawJson ? payload.text : JSON.stringify(payload);
  res.writeHead(status, {
    'Content-Type': 'application/x-amz-json-1.0',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
  });
  res.end(text);
}

/**
 * A data directory from before the in-memory store holds dynalite's leveldb: its entries (same keys, same values) are
 * copied into the store once, and the directory is renamed so it is not imported again.
 */
async function importLevelDb(dataDir: string, db: MemoryDb): Promise<void> {
  const { Level } = requireFromDynalite('level') as {
    Level: new (path: string, options: { valueEncoding: 'json' }) => {
      iterator(): AsyncIterable<[string, unknown]>;
      close(): Promise<void>;
    };
  };
  const path = join(dataDir, LEVELDB_DIR);
  const level = new Level(path, { valueEncoding: 'json' });
  let ops: { type: 'put'; key: string; value: unknown }[] = [];
  for await (const [key, value] of level.iterator()) {
    ops.push({ type: 'put', key, value });
    if (ops.length >= 1000) {
      db.batch(ops);
      ops = [];
    }
  }
  db.batch(ops);
  await level.close();
  await rename(path, `${path}.imported`);
}
