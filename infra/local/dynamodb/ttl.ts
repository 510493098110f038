// Time to Live: UpdateTimeToLive / DescribeTimeToLive and a sweeper that deletes expired items through the write path,
// so each deletion is serialised with other writers and emits a REMOVE stream record attributed to the service.
//
// As on AWS: the TTL attribute must be a Number holding epoch seconds; items whose value is more than five years in
// the past are left alone; other types are ignored. Settings change at once (no ENABLING/DISABLING phase).
import { dynaliteDb, type Item, type TableDescription } from './dynalite.ts';
import type { MemoryDb } from './memory-db.ts';
import { resourceNotFound, validationException } from './errors.ts';
import type { WriteOp, WritePath } from './write-path.ts';

const TTL_PREFIX = '@ttl~';
/** Rows a sweep reads before it yields to the event loop. */
const SWEEP_CHUNK = 2000;
const FIVE_YEARS_S = 5 * 365 * 24 * 60 * 60;
const SWEEP_BATCH = 100;

interface TtlSetting {
  AttributeName: string;
  Enabled: boolean;
}

export class TimeToLive {
  private readonly settings = new Map<string, TtlSetting>();

  constructor(
    private readonly db: MemoryDb,
    private readonly writePath: WritePath,
    private readonly now: () => number,
  ) {}

  async load(): Promise<void> {
    for await (const [key, value] of this.db.iterator({ gte: TTL_PREFIX, lt: TTL_PREFIX + '\xff' })) {
      this.settings.set(key.slice(TTL_PREFIX.length), value as TtlSetting);
    }
  }

  async update(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const tableName = body.TableName;
    const spec = body.TimeToLiveSpecification as Record<string, unknown> | undefined;
    if (typeof tableName !== 'string' || !tableName) throw validationException("The parameter 'TableName' is required but was not present in the request");
    if (!spec || typeof spec.Enabled !== 'boolean' || typeof spec.AttributeName !== 'string') {
      throw validationException('TimeToLiveSpecification with AttributeName and Enabled is required');
    }
    if (spec.AttributeName.length < 1 || spec.AttributeName.length > 255) {
      throw validationException('TimeToLiveSpecification.AttributeName must have length between 1 and 255');
    }
    await this.existingTable(tableName);
    const current = this.settings.get(tableName);
    if (spec.Enabled && current?.Enabled) throw validationException('TimeToLive is already enabled');
    if (!spec.Enabled && !current?.Enabled) throw validationException('TimeToLive is already disabled');
    const setting: TtlSetting = { AttributeName: spec.AttributeName, Enabled: spec.Enabled };
    await this.db.put(TTL_PREFIX + tableName, setting);
    this.settings.set(tableName, setting);
    return { TimeToLiveSpecification: setting };
  }

  async describe(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const tableName = String(body.TableName ?? '');
    await this.existingTable(tableName);
    const setting = this.settings.get(tableName);
    return {
      TimeToLiveDescription: setting?.Enabled
        ? { TimeToLiveStatus: 'ENABLED', AttributeName: setting.AttributeName }
        : { TimeToLiveStatus: 'DISABLED' },
    };
  }

  async forgetTable(tableName: string): Promise<void> {
    if (!this.settings.delete(tableName)) return;
    await this.db.batch([{ type: 'del', key: TTL_PREFIX + tableName }]);
  }

  /** Deletes every expired item of every table with TTL enabled; returns how many were deleted. */
  async sweep(): Promise<number> {
    const nowS = this.now() / 1000;
    let deleted = 0;
    for (const [tableName, setting] of this.settings) {
      if (!setting.Enabled) continue;
      let table: TableDescription;
      try {
        table = await this.writePath.getTable(tableName);
      } catch {
        continue;
      }
      const expired: Item[] = [];
      const prefix = `item-${tableName}~`;
      // Only rows whose text holds the attribute as a number are parsed (`"expiresAt":{"N":`): most rows have no TTL.
      const needle = `${JSON.stringify(setting.AttributeName)}:{"N":`;
      // A chunk of keys at a time, yielding to the event loop in between, so a sweep of a large table never stalls the
      // requests (the rows are read as they are when their chunk comes).
      for (let after: string | undefined; ; ) {
        const keys = [...this.db.keys({ ...(after === undefined ? { gte: prefix } : { gt: after }), lt: prefix + '\xff', limit: SWEEP_CHUNK })];
        if (keys.length === 0) break;
        after = keys.at(-1)!;
        for (const [, value] of this.db.iteratorContaining(needle, { gte: keys[0]!, lte: after })) {
          const ttl = (value as Item)[setting.AttributeName]?.N;
          if (typeof ttl !== 'string') continue;
          const at = Number(ttl);
          if (at < nowS && at > nowS - FIVE_YEARS_S) expired.push(value as Item);
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      for (let i = 0; i < expired.length; i += SWEEP_BATCH) {
        const ops = expired.slice(i, i + SWEEP_BATCH).map((item) => this.deletion(table, setting.AttributeName, item));
        const { outcomes } = await this.writePath.write(ops, false);
        deleted += outcomes.filter((o) => o.ok && o.changed).length;
      }
    }
    return deleted;
  }

  private deletion(table: TableDescription, attributeName: string, item: Item): WriteOp {
    const key: Item = {};
    for (const { AttributeName } of table.KeySchema) key[AttributeName] = item[AttributeName]!;
    return {
      kind: 'Delete',
      table,
      key: dynaliteDb.createKey(key, table),
      // Delete only if the TTL value is still the one seen as expired (a writer may have extended it meanwhile).
      data: {
        TableName: table.TableName,
        Key: key,
        Expected: { [attributeName]: { ComparisonOperator: 'EQ', AttributeValueList: [item[attributeName]] } },
      },
      byService: true,
    };
  }

  private async existingTable(tableName: string): Promise<void> {
    try {
      await this.writePath.getTable(tableName);
    } catch {
      throw resourceNotFound(`Requested resource not found: Table: ${tableName} not found`);
    }
  }
}
