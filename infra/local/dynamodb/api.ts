// The DynamoDB API (X-Amz-Target DynamoDB_20120810.*): item writes go through our write path, table operations and
// reads go to dynalite's own actions, and the stream and TTL parts of table descriptions are added here.
import {
  dynaliteDb,
  runAction,
  validateRequest,
  type DynaliteOperation,
  type Item,
  type Request,
  type StoreLike,
  type TableDescription,
} from './dynalite.ts';
import { apiError, unknownOperation, validationException } from './errors.ts';
import { PartiQl } from './partiql.ts';
import type { Store } from './store.ts';
import { STREAM_VIEW_TYPES, type Streams, type StreamViewType } from './streams.ts';
import type { Transactions } from './transactions.ts';
import type { TimeToLive } from './ttl.ts';
import type { WriteKind, WriteOp, WritePath } from './write-path.ts';

type Body = Record<string, unknown>;

const READ_OPERATIONS = new Set<string>([
  'GetItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'TagResource',
  'UntagResource',
  'ListTagsOfResource',
]);

const SINGLE_WRITES: Record<string, { kind: WriteKind; keyMember: 'Item' | 'Key' }> = {
  PutItem: { kind: 'Put', keyMember: 'Item' },
  UpdateItem: { kind: 'Update', keyMember: 'Key' },
  DeleteItem: { kind: 'Delete', keyMember: 'Key' },
};

const TABLE_SETTLE_POLLS = 500;

export class DynamoDbApi {
  private readonly readStore: StoreLike;
  private readonly partiql: PartiQl;

  constructor(
    private readonly store: Store,
    private readonly writePath: WritePath,
    private readonly transactions: Transactions,
    private readonly streams: Streams,
    private readonly ttl: TimeToLive,
  ) {
    this.readStore = writePath.readStore();
    this.partiql = new PartiQl(store, writePath, this.readStore);
  }

  async handle(operation: string, body: Body): Promise<Body> {
    const single = SINGLE_WRITES[operation];
    if (single) return this.singleWrite(operation as DynaliteOperation, single.kind, single.keyMember, body);
    if (READ_OPERATIONS.has(operation)) {
      const op = operation as DynaliteOperation;
      return runAction(op, this.readStore, validateRequest(op, body, this.store));
    }
    switch (operation) {
      case 'TransactWriteItems':
        return this.transactions.transactWriteItems(body);
      case 'TransactGetItems':
        return this.transactions.transactGetItems(body);
      case 'BatchWriteItem':
        return this.batchWriteItem(body);
      case 'ExecuteStatement':
        return this.partiql.executeStatement(body);
      case 'BatchExecuteStatement':
        return this.partiql.batchExecuteStatement(body);
      case 'CreateTable':
        return this.createTable(body);
      case 'UpdateTable':
        return this.updateTable(body);
      case 'DeleteTable':
        return this.deleteTable(body);
      case 'ListTables':
        return this.listTables(body);
      case 'DescribeTable': {
        const result = await runAction('DescribeTable', this.store, validateRequest('DescribeTable', body, this.store));
        return { Table: this.withStream(result.Table as TableDescription) };
      }
      case 'UpdateTimeToLive':
        return this.ttl.update(body);
      case 'DescribeTimeToLive':
        return this.ttl.describe(body);
      default:
        throw unknownOperation();
    }
  }

  private async singleWrite(
    operation: DynaliteOperation,
    kind: WriteKind,
    keyMember: 'Item' | 'Key',
    body: Body,
  ): Promise<Body> {
    const returnOld = body.ReturnValuesOnConditionCheckFailure === 'ALL_OLD';
    const data = validateRequest(operation, body, this.store);
    const table = await this.writePath.getTable(data.TableName as string);
    const keySource = data[keyMember] as Item;
    const invalid = kind === 'Put' ? dynaliteDb.validateItem(keySource, table) : dynaliteDb.validateKey(keySource, table);
    if (invalid) throw invalid;
    const op: WriteOp = { kind, table, key: dynaliteDb.createKey(keySource, table), data, returnOldOnConditionFailure: returnOld };
    const [outcome] = (await this.writePath.write([op], true)).outcomes;
    if (!outcome!.ok) {
      const { error, item } = outcome!;
      if (item && error.body) error.body = { ...error.body, Item: item };
      throw error;
    }
    return outcome!.result;
  }

  private async batchWriteItem(body: Body): Promise<Body> {
    const data = validateRequest('BatchWriteItem', body, this.store);
    const requestItems = data.RequestItems as Record<string, Body[]>;
    const ops: WriteOp[] = [];
    for (const [tableName, requests] of Object.entries(requestItems)) {
      const table = await this.writePath.getTable(tableName);
      const seen = new Set<string>();
      for (const request of requests) {
        const put = request.PutRequest as { Item: Item } | undefined;
        const del = request.DeleteRequest as { Key: Item } | undefined;
        const keySource = put ? put.Item : del!.Key;
        const invalid = put ? dynaliteDb.validateItem(keySource, table) : dynaliteDb.validateKey(keySource, table);
        if (invalid) throw validationException('The provided key element does not match the schema');
        const key = dynaliteDb.createKey(keySource, table);
        if (seen.has(key)) throw validationException('Provided list of item keys contains duplicates');
        seen.add(key);
        const opData: Request = put ? { TableName: tableName, Item: put.Item } : { TableName: tableName, Key: del!.Key };
        ops.push({ kind: put ? 'Put' : 'Delete', table, key, data: opData });
      }
    }
    const { outcomes } = await this.writePath.write(ops, false);
    const failed = outcomes.find((o) => !o.ok);
    if (failed && !failed.ok) throw failed.error;
    return { UnprocessedItems: {} };
  }

  /** dynalite lists tables by scanning every key of the database; a key range over the table records is enough. */
  private async listTables(body: Body): Promise<Body> {
    const data = validateRequest('ListTables', body, this.store);
    const limit = (data.Limit as number | undefined) ?? 100;
    const start = data.ExclusiveStartTableName as string | undefined;
    const names: string[] = [];
    const range = { ...(start ? { gt: `table~${start}` } : { gte: 'table~' }), lt: 'table~\xff', limit: limit + 1 };
    for await (const key of this.store.db.keys(range)) names.push(key.slice('table~'.length));
    if (names.length <= limit) return { TableNames: names };
    names.length = limit;
    return { TableNames: names, LastEvaluatedTableName: names[limit - 1] };
  }

  private async createTable(body: Body): Promise<Body> {
    const viewType = this.streamSpecification(body.StreamSpecification);
    const data = validateRequest('CreateTable', body, this.store);
    const name = data.TableName as string;
    this.writePath.invalidateTable(name);
    const result = await runAction('CreateTable', this.store, data);
    // dynalite flips the table to ACTIVE on a timer (createTableMs = 0); answer once it has, so callers can use it at once.
    const table = await this.settle(name, true);
    if (viewType) await this.streams.enable(table!, viewType);
    return { TableDescription: this.withStream(result.TableDescription as TableDescription) };
  }

  private async updateTable(body: Body): Promise<Body> {
    const viewType = this.streamSpecification(body.StreamSpecification);
    const streamChange = body.StreamSpecification != null;
    const name = body.TableName;
    const othersRequested = ['ProvisionedThroughput', 'BillingMode', 'GlobalSecondaryIndexUpdates', 'SSESpecification'].some(
      (k) => body[k] != null,
    );
    if (streamChange && typeof name === 'string') {
      if (viewType && this.streams.hasEnabledStream(name)) {
        throw validationException('Table already has an enabled stream');
      }
      if (!viewType && !this.streams.hasEnabledStream(name)) throw validationException('Table does not have an enabled stream');
    }
    let description: TableDescription;
    if (othersRequested || !streamChange) {
      const data = validateRequest('UpdateTable', body, this.store);
      this.writePath.invalidateTable(data.TableName as string);
      description = (await runAction('UpdateTable', this.store, data)).TableDescription as TableDescription;
      await this.settle(description.TableName, true);
    } else {
      const data = validateRequest('DescribeTable', { TableName: name }, this.store);
      description = (await runAction('DescribeTable', this.store, data)).Table as TableDescription;
    }
    if (streamChange) {
      if (viewType) await this.streams.enable(description, viewType);
      else await this.streams.disable(description.TableName, true);
    }
    return { TableDescription: this.withStream(description) };
  }

  private async deleteTable(body: Body): Promise<Body> {
    const data = validateRequest('DeleteTable', body, this.store);
    const name = data.TableName as string;
    this.writePath.invalidateTable(name);
    const result = await runAction('DeleteTable', this.store, data);
    await this.streams.disable(name, false);
    await this.ttl.forgetTable(name);
    const description = this.withStream(result.TableDescription as TableDescription);
    await this.settle(name, false);
    return { TableDescription: description };
  }

  /** Waits for dynalite's table timers (all 0 ms) to fire: until the table is ACTIVE (or gone). */
  private async settle(name: string, active: boolean): Promise<TableDescription | undefined> {
    for (let i = 0; i < TABLE_SETTLE_POLLS; i++) {
      const table = await new Promise<TableDescription | undefined>((resolve) =>
        this.store.getTable(name, false, (err, t) => resolve(err ? undefined : t)),
      );
      this.writePath.invalidateTable(name);
      if (active ? table?.TableStatus === 'ACTIVE' : !table) return table;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    throw apiError('InternalServerError', `Table ${name} did not settle`, {}, 500);
  }

  /** Validates a StreamSpecification; returns the view type when it enables a stream. */
  private streamSpecification(spec: unknown): StreamViewType | undefined {
    if (spec == null) return undefined;
    const { StreamEnabled, StreamViewType } = spec as { StreamEnabled?: unknown; StreamViewType?: unknown };
    if (typeof StreamEnabled !== 'boolean') {
      throw validationException(
        "1 validation error detected: Value null at 'streamSpecification.streamEnabled' failed to satisfy constraint: Member must not be null",
      );
    }
    if (!StreamEnabled) return undefined;
    if (!STREAM_VIEW_TYPES.includes(StreamViewType as StreamViewType)) {
      throw validationException(
        'One or more parameter values were invalid: StreamViewType must be one of KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES when streams are enabled',
      );
    }
    return StreamViewType as StreamViewType;
  }

  private withStream(table: TableDescription): TableDescription {
    return { ...table, ...this.streams.tableAttributes(table.TableName) };
  }
}
