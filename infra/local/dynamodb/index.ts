// The local DynamoDB endpoint: one node:http server that speaks the DynamoDB and DynamoDB Streams JSON protocols,
// built on dynalite used in-process (its validations, actions and leveldb store), plus transactions, streams and TTL.
// See docs/local-dynamodb.md for what is and is not supported.
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDbApi } from './api.ts';
import { dynaliteDb, isApiError, type ApiError, type Store } from './dynalite.ts';
import { internalServerError, serializationException, unknownOperation } from './errors.ts';
import { Streams } from './streams.ts';
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
}

export interface LocalDynamoDb {
  /** http://127.0.0.1:PORT, serves DynamoDB and DynamoDB Streams */
  endpoint: string;
  /** run one TTL sweep now, returns items deleted */
  sweepTtl(): Promise<number>;
  close(): Promise<void>;
}

const DYNAMODB_TARGET = 'DynamoDB_20120810.';
const STREAMS_TARGET = 'DynamoDBStreams_20120810.';
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
const DEFAULT_SWEEP_MS = 5000;

export async function startLocalDynamoDb(options: LocalDynamoDbOptions = {}): Promise<LocalDynamoDb> {
  const now = options.now ?? Date.now;
  let path: string | undefined;
  if (options.dataDir) {
    path = join(options.dataDir, 'leveldb');
    await mkdir(path, { recursive: true });
  }
  const store = dynaliteDb.create({ ...(path ? { path } : {}), createTableMs: 0, updateTableMs: 0, deleteTableMs: 0 });
  closeIteratorsWithTheirStreams(store);
  const streams = new Streams(store.db, store.tableDb.awsRegion, store.tableDb.awsAccountId, now);
  await streams.load();
  const writePath = new WritePath(store, streams);
  const ttl = new TimeToLive(store.db, writePath, now);
  await ttl.load();
  const transactions = new Transactions(writePath, store, now);
  const api = new DynamoDbApi(store, writePath, transactions, streams, ttl);

  const dispatch = (target: string, body: Record<string, unknown>): Promise<Record<string, unknown>> => {
    if (target.startsWith(DYNAMODB_TARGET)) return api.handle(target.slice(DYNAMODB_TARGET.length), body);
    if (target.startsWith(STREAMS_TARGET)) return streams.handle(target.slice(STREAMS_TARGET.length), body);
    return Promise.reject(unknownOperation());
  };

  const server = createServer((req, res) => handleRequest(req, res, dispatch));
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';

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

  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    async sweepTtl() {
      // A sweep already running may have read the items before the caller's writes: wait for it, then run ours.
      await housekeeping?.catch(() => 0);
      return runHousekeeping();
    },
    close() {
      closing ??= (async () => {
        clearInterval(timer);
        await housekeeping?.catch(() => 0);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await new Promise<void>((resolve, reject) =>
          store.lifecycleManager.gracefulClose((err) => (err ? reject(err) : resolve())),
        );
      })();
      return closing;
    },
  };
}

function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  dispatch: (target: string, body: Record<string, unknown>) => Promise<Record<string, unknown>>,
): void {
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
      (result) => send(res, 200, result),
      (err: unknown) => {
        if (isApiError(err)) return send(res, err.statusCode, err.body);
        console.error('[local-dynamodb] unexpected error', err);
        send(res, 500, internalServerError(err instanceof Error ? err.message : String(err)).body!);
      },
    );
  });
}

function send(res: ServerResponse, status: number, payload: NonNullable<ApiError['body']> | Record<string, unknown>): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    'Content-Type': 'application/x-amz-json-1.0',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
  });
  res.end(text);
}

/**
 * dynalite reads ranges (Query, Scan) through streams over leveldb iterators, and closes an iterator with `return()`,
 * which abstract-level 3 iterators do not have: every range read left its iterator open, registered with the database
 * and holding a snapshot of the in-memory tree, so memory grew with every query. These streams close their iterator
 * when they end or are destroyed (a query that stops at its Limit destroys its stream).
 */
export function closeIteratorsWithTheirStreams(store: Store): void {
  const db = store.db as unknown as Record<'values' | 'keys', (options: unknown) => { next(): Promise<unknown>; close(): Promise<void> }> &
    Record<'createValueStream' | 'createKeyStream', (options: unknown) => Readable>;
  const streamOf = (iterator: { next(): Promise<unknown>; close(): Promise<void> }) =>
    new Readable({
      objectMode: true,
      read() {
        iterator.next().then(
          (value) => this.push(value === undefined ? null : value),
          (error: Error) => this.destroy(error),
        );
      },
      destroy(error, callback) {
        iterator.close().then(
          () => callback(error),
          () => callback(error),
        );
      },
    });
  db.createValueStream = (options) => streamOf(db.values(options));
  db.createKeyStream = (options) => streamOf(db.keys(options));
}
