// The one write path every item change goes through (PutItem, UpdateItem, DeleteItem, BatchWriteItem,
// TransactWriteItems, TTL deletions):
//   1. take dynalite's per-key locks for every key, in a stable order (tables sorted, keys sorted per table);
//   2. run dynalite's own putItem/updateItem/deleteItem actions against a staging store whose lock is a no-op (we hold
//      the real locks), whose reads go to the real db and whose writes are buffered;
//   3. if every item passed (or, for non-atomic batches, per item), commit the buffered writes and the stream records
//      in one batch of the store, then release the locks.
// Conditions, update expressions and index maintenance are therefore exactly dynalite's.
import {
  actions,
  dynaliteDb,
  type Action,
  type ApiError,
  type Callback,
  type Item,
  type Request,
  type StoreLike,
  type SubDb,
  type TableDescription,
} from './dynalite.ts';
import type { BatchOp } from './memory-db.ts';
import type { Store } from './store.ts';
import type { ItemChange, Streams } from './streams.ts';

export type WriteKind = 'Put' | 'Update' | 'Delete' | 'ConditionCheck';

export interface WriteOp {
  kind: WriteKind;
  table: TableDescription;
  /** dynalite's item key (db.createKey) */
  key: string;
  /** the request after dynalite's validations (parsed expressions included) */
  data: Request;
  /** ReturnValuesOnConditionCheckFailure=ALL_OLD */
  returnOldOnConditionFailure?: boolean;
  /** TTL deletions: the stream record names the DynamoDB service as the actor */
  byService?: boolean;
}

export type WriteOutcome =
  | { ok: true; result: Record<string, unknown>; changed: boolean }
  | { ok: false; error: ApiError; item?: Item };

interface Staged {
  outcome: WriteOutcome;
  writes: BatchOp[];
  change?: ItemChange;
}

const ACTION_OF: Record<Exclude<WriteKind, 'ConditionCheck'>, Action> = {
  Put: actions.PutItem,
  Update: actions.UpdateItem,
  Delete: actions.DeleteItem,
};

const passThrough = <F>(done: F): F => done;
const notAvailable = (): never => {
  throw new Error('not available to a staged write');
};

export class WritePath {
  private readonly tables = new Map<string, TableDescription>();

  constructor(
    private readonly store: Store,
    private readonly streams: Streams,
  ) {}

  /** Table descriptions are read on every item operation; keep ACTIVE ones until a table operation invalidates them. */
  async getTable(name: string): Promise<TableDescription> {
    const cached = this.tables.get(name);
    if (cached) return cached;
    const table = await new Promise<TableDescription>((resolve, reject) =>
      this.store.getTable(name, true, (err, t) => (err ? reject(err) : resolve(t!))),
    );
    if (table.TableStatus === 'ACTIVE') this.tables.set(name, table);
    return table;
  }

  invalidateTable(name: string): void {
    this.tables.delete(name);
  }

  /** A store for dynalite's read actions (GetItem, Query, ...) that serves table descriptions from the cache. */
  readStore(): StoreLike {
    const cachedStore = Object.create(this.store) as StoreLike;
    cachedStore.getTable = (name, checkStatus, cb) => {
      const callback = (typeof checkStatus === 'function' ? checkStatus : cb)!;
      if (checkStatus === false) return this.store.getTable(name, false, callback);
      this.getTable(name).then((t) => callback(null, t), callback);
    };
    return cachedStore;
  }

  /** Holds the locks of the given (table, key) pairs while fn runs. */
  async withLocks<T>(targets: { table: TableDescription; key: string }[], fn: () => Promise<T>): Promise<T> {
    const release = await this.lock(targets);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /**
   * Applies the ops under their locks. atomic: all-or-nothing (transactions, single-item writes); otherwise each op
   * that passed is committed (BatchWriteItem, TTL sweeps).
   */
  async write(ops: WriteOp[], atomic: boolean): Promise<{ committed: boolean; outcomes: WriteOutcome[] }> {
    const release = await this.lock(ops);
    try {
      const staged = ops.length === 1 ? [await this.stage(ops[0]!)] : await Promise.all(ops.map((op) => this.stage(op)));
      const allOk = staged.every((s) => s.outcome.ok);
      if (atomic && !allOk) return { committed: false, outcomes: staged.map((s) => s.outcome) };
      const writes: BatchOp[] = [];
      const changes: ItemChange[] = [];
      for (const s of staged) {
        if (!s.outcome.ok || !s.change) continue;
        for (const w of s.writes) writes.push(w);
        changes.push(s.change);
      }
      const ticket = changes.length ? this.streams.prepare(changes) : undefined;
      if (ticket) for (const op of ticket.ops) writes.push(op);
      this.store.db.batch(writes);
      if (ticket) this.streams.publish(ticket);
      return { committed: true, outcomes: staged.map((s) => s.outcome) };
    } finally {
      release();
    }
  }

  private lock(targets: { table: TableDescription; key: string }[]): Promise<() => void> {
    if (targets.length === 1) {
      const { table, key } = targets[0]!;
      return new Promise((resolve) => this.store.getItemDb(table.TableName).lock(key, (release) => resolve(release(() => {}))));
    }
    const byTable = new Map<string, Set<string>>();
    for (const { table, key } of targets) {
      let keys = byTable.get(table.TableName);
      if (!keys) byTable.set(table.TableName, (keys = new Set()));
      keys.add(key);
    }
    const tableNames = [...byTable.keys()].sort();
    const releases: (() => void)[] = [];
    const releaseAll = (): void => {
      for (const release of releases.reverse()) release();
    };
    // Tables are locked one after the other in name order; within a table the lock library queues all keys at once.
    return tableNames
      .reduce<Promise<void>>(
        (prev, name) =>
          prev.then(
            () =>
              new Promise<void>((resolve) =>
                this.store.getItemDb(name).lock([...byTable.get(name)!].sort(), (release) => {
                  releases.push(release(() => {}));
                  resolve();
                }),
              ),
          ),
        Promise.resolve(),
      )
      .then(() => releaseAll);
  }

  private stage(op: WriteOp): Promise<Staged> {
    const { db } = this.store;
    const tableName = op.table.TableName;
    const itemPrefix = `item-${tableName}~`;
    const writes: BatchOp[] = [];
    let oldItem: Item | undefined;
    let newItem: Item | null | undefined;

    // Reads, the action and the buffered writes all run synchronously: the staged write sees one state of the item.
    const readItem = (key: string, cb: Callback<unknown>): void => {
      oldItem = db.get(itemPrefix + key) as Item | undefined;
      cb(null, oldItem);
    };

    if (op.kind === 'ConditionCheck') {
      return new Promise((resolve) => {
        readItem(op.key, (err) => {
          if (err) return resolve({ outcome: { ok: false, error: err }, writes });
          const failed = dynaliteDb.checkConditional(op.data, oldItem);
          resolve({ outcome: failed ? this.failure(op, failed, oldItem) : { ok: true, result: {}, changed: false }, writes });
        });
      });
    }

    const itemDb: SubDb = {
      lock: (_key, exec) => exec(passThrough),
      get: readItem,
      put: (key, value, cb) => {
        writes.push({ type: 'put', key: itemPrefix + key, value });
        newItem = value as Item;
        cb();
      },
      del: (key, cb) => {
        writes.push({ type: 'del', key: itemPrefix + key });
        newItem = null;
        cb();
      },
      createValueStream: notAvailable,
    };
    const indexDb = (prefix: string): SubDb => ({
      lock: notAvailable,
      get: notAvailable,
      put: (key, value, cb) => {
        writes.push({ type: 'put', key: prefix + key, value });
        cb();
      },
      del: (key, cb) => {
        writes.push({ type: 'del', key: prefix + key });
        cb();
      },
      createValueStream: notAvailable,
    });
    const staging: StoreLike = {
      options: this.store.options,
      tableDb: this.store.tableDb,
      getTable: (_name, checkStatus, cb) => (typeof checkStatus === 'function' ? checkStatus : cb)!(null, op.table),
      getItemDb: () => itemDb,
      getIndexDb: (indexType, table, index) => indexDb(`index-${indexType.toLowerCase()}~${table}~${index}~`),
    };

    const action = ACTION_OF[op.kind];
    return new Promise((resolve) => {
      action(staging, op.data, (err, result) => {
        if (err) return resolve({ outcome: this.failure(op, err, oldItem), writes });
        const changed = newItem === null ? oldItem !== undefined : newItem !== undefined && !sameValue(oldItem, newItem);
        resolve({
          outcome: { ok: true, result: result ?? {}, changed },
          writes,
          ...(changed
            ? { change: { tableName, oldItem, newItem: newItem ?? undefined, byService: op.byService === true } }
            : {}),
        });
      });
    });
  }

  private failure(op: WriteOp, error: ApiError, oldItem: Item | undefined): WriteOutcome {
    const conditional = error.body?.__type.endsWith('#ConditionalCheckFailedException') === true;
    return { ok: false, error, ...(conditional && op.returnOldOnConditionFailure && oldItem ? { item: oldItem } : {}) };
  }
}

/**
 * Structural equality of two items (AWS emits no stream record for a write that changes nothing). Map attribute order
 * does not matter; list and set order does (a reordered set counts as a change, which errs on the side of a record).
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b, k) || !sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}
