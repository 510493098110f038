// The store dynalite's actions run against: the shape of dynalite's own `db.create()` (table, item, index and tag
// sub-databases with per-key locks, getTable), over our MemoryDb instead of its JSON-encoded leveldb.
import { Readable } from 'node:stream';
import { requireFromDynalite, type Callback, type StoreLike, type SubDb, type TableDescription } from './dynalite.ts';
import { MemoryDb, type BatchOp, type RangeOptions } from './memory-db.ts';

const { Lock } = requireFromDynalite('lock') as { Lock: () => SubDb['lock'] };

/** dynalite's item size limit (400 KB), as its `db.create()` sets it */
const MAX_ITEM_SIZE_KB = 400;

export interface LocalSubDb extends SubDb {
  /** the value now, without waiting for a callback */
  getNow(key: string): unknown;
  batch(ops: BatchOp[], cb: Callback<void>): void;
  createKeyStream(options?: RangeOptions): Readable;
}

export interface Store extends StoreLike {
  db: MemoryDb;
  tableDb: LocalSubDb & { awsAccountId: string; awsRegion: string };
  getItemDb(name: string): LocalSubDb;
  getIndexDb(indexType: string, tableName: string, indexName: string): LocalSubDb;
  deleteItemDb(name: string, cb: Callback<void>): void;
  deleteIndexDb(indexType: string, tableName: string, indexName: string, cb: Callback<void>): void;
  getTagDb(name: string): LocalSubDb;
  deleteTagDb(name: string, cb: Callback<void>): void;
}

/** Table rows and index entries are kept as JSON text (see MemoryDb); descriptions, tags and stream data as objects. */
export const isPackedKey = (key: string): boolean => key.startsWith('item-') || key.startsWith('index-');

export function createStore(db: MemoryDb): Store {
  const subDbs = new Map<string, LocalSubDb>();
  const subDb = (name: string, copies = false): LocalSubDb => {
    let existing = subDbs.get(name);
    if (!existing) subDbs.set(name, (existing = prefixed(db, `${name}~`, copies)));
    return existing;
  };
  const deleteSubDb = (name: string, cb: Callback<void>): void => {
    subDbs.delete(name);
    const prefix = `${name}~`;
    db.batch([...db.keys({ gte: prefix, lt: `${prefix}\xff` })].map((key) => ({ type: 'del' as const, key })));
    process.nextTick(cb, null);
  };
  const indexDbName = (indexType: string, tableName: string, indexName: string): string =>
    `index-${indexType.toLowerCase()}~${tableName}~${indexName}`;

  // Table descriptions are copied in and out: dynalite's table operations change the object they read before writing
  // it back, and a description must not change under a reader that holds it.
  const tableDb = Object.assign(subDb('table', true), {
    awsAccountId: (process.env.AWS_ACCOUNT_ID ?? '0000-0000-0000').replace(/[^\d]/g, ''),
    awsRegion: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
  });

  return {
    options: { createTableMs: 0, updateTableMs: 0, deleteTableMs: 0, maxItemSizeKb: MAX_ITEM_SIZE_KB, maxItemSize: MAX_ITEM_SIZE_KB * 1024 },
    db,
    tableDb,
    getItemDb: (name) => subDb(`item-${name}`),
    deleteItemDb: (name, cb) => deleteSubDb(`item-${name}`, cb),
    getIndexDb: (indexType, tableName, indexName) => subDb(indexDbName(indexType, tableName, indexName)),
    deleteIndexDb: (indexType, tableName, indexName, cb) => deleteSubDb(indexDbName(indexType, tableName, indexName), cb),
    getTagDb: (name) => subDb(`tag-${name}`, true),
    deleteTagDb: (name, cb) => deleteSubDb(`tag-${name}`, cb),
    getTable(name, checkStatus, cb) {
      const callback = (typeof checkStatus === 'function' ? checkStatus : cb)!;
      // As dynalite: a callback in second place counts as checking the status.
      const check = checkStatus !== false;
      const table = tableDb.getNow(name) as TableDescription | undefined;
      if (!table || (check && (table.TableStatus === 'CREATING' || table.TableStatus === 'DELETING'))) {
        const error = Object.assign(new Error('NotFoundError'), {
          name: 'NotFoundError',
          statusCode: 400,
          body: {
            __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException',
            message: check ? 'Requested resource not found' : `Requested resource not found: Table: ${name} not found`,
          },
        });
        process.nextTick(callback, error);
        return;
      }
      process.nextTick(callback, null, table);
    },
  };
}

function prefixed(db: MemoryDb, prefix: string, copies: boolean): LocalSubDb {
  const copy = copies ? (value: unknown): unknown => structuredClone(value) : (value: unknown): unknown => value;
  const bounded = (options: RangeOptions = {}): RangeOptions => {
    const range: RangeOptions = { ...(options.reverse ? { reverse: true } : {}), ...(options.limit !== undefined ? { limit: options.limit } : {}) };
    if (options.gte !== undefined) range.gte = prefix + options.gte;
    else if (options.gt !== undefined) range.gt = prefix + options.gt;
    else range.gte = prefix;
    if (options.lte !== undefined) range.lte = prefix + options.lte;
    else if (options.lt !== undefined) range.lt = prefix + options.lt;
    else range.lt = `${prefix}\xff`;
    return range;
  };
  return {
    lock: Lock(),
    getNow: (key) => copy(db.get(prefix + key)),
    get: (key, cb) => process.nextTick(cb, null, copy(db.get(prefix + key))),
    put: (key, value, cb) => {
      db.put(prefix + key, copy(value));
      process.nextTick(cb, null);
    },
    del: (key, cb) => {
      db.del(prefix + key);
      process.nextTick(cb, null);
    },
    batch: (ops, cb) => {
      db.batch(ops.map((op) => ({ ...op, key: prefix + op.key, ...(op.type === 'put' ? { value: copy(op.value) } : {}) })));
      process.nextTick(cb, null);
    },
    createValueStream: (options) => streamOf(db.values(bounded(options as RangeOptions)), copy),
    createKeyStream: (options) => streamOf(db.keys(bounded(options)), (key) => (key as string).slice(prefix.length)),
  };
}

/** A readable over a synchronous generator, filled as far as the reader asks on each read. */
function streamOf<T>(source: Generator<T>, map: (value: T) => unknown): Readable {
  return new Readable({
    objectMode: true,
    read() {
      for (;;) {
        const next = source.next();
        if (next.done) {
          this.push(null);
          return;
        }
        if (!this.push(map(next.value))) return;
      }
    },
    destroy(error, callback) {
      source.return(undefined);
      callback(error);
    },
  });
}
