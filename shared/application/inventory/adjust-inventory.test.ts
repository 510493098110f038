// The adjustment use case against a small in-memory stock store that applies each StockWrite as DynamoDB would
// (one atomic conditional update, the item as it was returned on a refusal), and can be told to throttle.
import { describe, expect, it } from 'vitest';
import { emptyLevel, type StockLevel, type StockWrite } from '#domain/inventory/stock';
import type { Adjustment } from '#domain/inventory/schemas';
import type { LocationStore, StockStore } from '../ports.ts';
import { adjustInventory } from './adjust-inventory.ts';
import { AdjustmentsUnavailableError } from './errors.ts';
import { TemporarilyUnavailableError } from '../errors.ts';

const tenantId = 't_0123456789';
const clock = { now: () => new Date('2026-01-01T00:00:00.000Z') };
const locations = { existing: async (_: string, ids: string[]) => new Set(ids.filter((id) => id !== 'GHOST')) } as unknown as LocationStore;

class ThrottlingError extends Error {}

type Stored = StockLevel & { unreserved?: number };

function memoryStock(options: { throttle?: (write: StockWrite) => boolean; beforeWrite?: (item: Stored | undefined) => void } = {}) {
  const items = new Map<string, Stored>();
  const key = (locationId: string, sku: string) => `${locationId} ${sku}`;
  const store: StockStore & { items: Map<string, Stored>; writes: number } = {
    items,
    writes: 0,
    async getMany(_tenantId, pairs) {
      return new Map(pairs.flatMap((p) => (items.has(key(p.locationId, p.sku)) ? [[key(p.locationId, p.sku), { ...items.get(key(p.locationId, p.sku))! }] as const] : [])));
    },
    async adjust(_tenantId, locationId, sku, write, now) {
      await Promise.resolve();
      if (options.throttle?.(write)) throw new ThrottlingError('Rate of requests exceeds the allowed throughput');
      options.beforeWrite?.(items.get(key(locationId, sku)));
      store.writes++;
      const old = items.get(key(locationId, sku));
      const base: Stored = old ?? { ...emptyLevel(tenantId, locationId, sku, now), unreserved: 0 };
      const sequenceOk = write.sequence === undefined || old?.lastSequence === undefined || old.lastSequence < write.sequence;
      let next: Stored;
      if (write.kind === 'add') {
        const guardOk = write.delta >= 0 || (old?.unreserved !== undefined && old.unreserved >= -write.delta);
        if (!guardOk || !sequenceOk) return { applied: false, current: old && { ...old } };
        next = { ...base, onHand: base.onHand + write.delta, available: base.available + write.delta, unreserved: (old ? (old.unreserved ?? 0) : 0) + write.delta };
      } else {
        const basisOk = write.basis === 'absent' ? !old : !!old && old.reserved === write.basis.reserved && old.safetyStock === write.basis.safetyStock;
        if (!basisOk || !sequenceOk) return { applied: false, current: old && { ...old } };
        const { level } = write;
        next = { ...base, onHand: level.onHand, reserved: level.reserved, safetyStock: level.safetyStock, available: level.available, unreserved: level.onHand - level.reserved };
      }
      next = { ...next, version: base.version + 1, updatedAt: now.toISOString(), ...(write.sequence !== undefined ? { lastSequence: write.sequence } : {}) };
      items.set(key(locationId, sku), next);
      return { applied: true, level: { ...next } };
    },
    // Unsharded items only: sharded adjustments are tested against the local cloud (stock-shards.int.test.ts).
    getShards: async (_tenantId, locationId, sku) => (items.has(key(locationId, sku)) ? [{ ...items.get(key(locationId, sku))! }] : []),
    rewriteShards: async () => false,
    rebalance: async () => true,
    listBySku: async () => [],
    listByLocation: async () => ({ items: [] }),
  };
  return store;
}

const adjust = (stock: StockStore, adjustments: Adjustment[]) => adjustInventory({ locations, stock, clock }, tenantId, adjustments);

describe('adjustInventory', () => {
  it('applies every one of 200 concurrent +1 movements of one item', async () => {
    const stock = memoryStock();

    const reports = await Promise.all(Array.from({ length: 200 }, () => adjust(stock, [{ locationId: 'L1', sku: 'S1', delta: 1 }])));

    expect(reports.every((r) => r.applied === 1 && r.errors.length === 0)).toBe(true);
    expect(stock.items.get('L1 S1')).toMatchObject({ onHand: 200, available: 200, version: 200 });
  });

  it('refuses a decrement that would reach into the reserved units, and says so', async () => {
    const stock = memoryStock();
    await adjust(stock, [{ locationId: 'L1', sku: 'S1', set: 5 }]);
    stock.items.set('L1 S1', { ...stock.items.get('L1 S1')!, reserved: 4, available: 1, unreserved: 1 });

    const report = await adjust(stock, [{ locationId: 'L1', sku: 'S1', delta: -2 }]);

    expect(report).toEqual({ applied: 0, ignored: [], errors: [expect.objectContaining({ index: 0, field: 'adjustments[0].delta', code: 'BELOW_RESERVED' })] });
    expect(stock.items.get('L1 S1')).toMatchObject({ onHand: 5 });
  });

  it('applies a decrement of an item written before `unreserved` existed, repairing it', async () => {
    const stock = memoryStock();
    stock.items.set('L1 S1', { ...emptyLevel(tenantId, 'L1', 'S1', clock.now()), onHand: 5, available: 5, version: 3 });

    const report = await adjust(stock, [{ locationId: 'L1', sku: 'S1', delta: -2 }]);

    expect(report.applied).toBe(1);
    expect(stock.items.get('L1 S1')).toMatchObject({ onHand: 3, unreserved: 3, version: 4 });
  });

  it('computes a count again when a reservation moved the item between the read and the write', async () => {
    let raced = false;
    const stock = memoryStock({
      beforeWrite: (item) => {
        if (item && !raced) {
          raced = true;
          stock.items.set('L1 S1', { ...item, reserved: item.reserved + 3, available: item.available - 3, unreserved: (item.unreserved ?? 0) - 3, version: item.version + 1 });
        }
      },
    });
    stock.items.set('L1 S1', { ...emptyLevel(tenantId, 'L1', 'S1', clock.now()), onHand: 10, available: 10, unreserved: 10, version: 1 });

    const report = await adjust(stock, [{ locationId: 'L1', sku: 'S1', set: 8 }]);

    expect(report.applied).toBe(1);
    expect(stock.items.get('L1 S1')).toMatchObject({ onHand: 8, reserved: 3, available: 5, unreserved: 5 });
  });

  it('applies a request\'s adjustments of one item in order, each answered on its own', async () => {
    const stock = memoryStock();

    const report = await adjust(stock, [
      { locationId: 'L1', sku: 'S1', set: 3, sequence: 2 },
      { locationId: 'L1', sku: 'S1', delta: -5 },
      { locationId: 'L1', sku: 'S1', delta: 4, sequence: 1 },
      { locationId: 'L1', sku: 'S1', delta: -1 },
    ]);

    expect(report.applied).toBe(2);
    expect(report.errors).toEqual([expect.objectContaining({ index: 1, code: 'NEGATIVE_ON_HAND' })]);
    expect(report.ignored).toEqual([expect.objectContaining({ index: 2, lastSequence: 2 })]);
    expect(stock.items.get('L1 S1')).toMatchObject({ onHand: 2 });
  });

  it('refuses the whole request as temporarily unavailable when no item could be written', async () => {
    const stock = memoryStock({ throttle: () => true });

    const attempt = adjust(stock, [{ locationId: 'L1', sku: 'S1', delta: 1 }, { locationId: 'L2', sku: 'S1', set: 4 }, { locationId: 'GHOST', sku: 'S1', delta: 1 }]);

    const error = await attempt.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdjustmentsUnavailableError);
    expect(error).toBeInstanceOf(TemporarilyUnavailableError);
    expect((error as AdjustmentsUnavailableError).retryAfterSeconds).toBeGreaterThan(0);
    expect((error as AdjustmentsUnavailableError).report.errors.map((e) => [e.index, e.code])).toEqual([[0, 'TEMPORARY_FAILURE'], [1, 'TEMPORARY_FAILURE'], [2, 'UNKNOWN_LOCATION']]);
    expect(stock.writes).toBe(0);
  });

  it('answers the items it applied, and the throttled ones as temporary failures, when some could be written', async () => {
    const stock = memoryStock({ throttle: (write) => write.kind === 'put' });

    const report = await adjust(stock, [{ locationId: 'L1', sku: 'S1', delta: 1 }, { locationId: 'L2', sku: 'S1', set: 4 }]);

    expect(report.applied).toBe(1);
    expect(report.errors).toEqual([expect.objectContaining({ index: 1, code: 'TEMPORARY_FAILURE' })]);
  });

  it('answers a request of final refusals alone with its report, not as unavailable', async () => {
    const report = await adjust(memoryStock(), [{ locationId: 'GHOST', sku: 'S1', delta: 1 }]);
    expect(report).toMatchObject({ applied: 0, errors: [expect.objectContaining({ code: 'UNKNOWN_LOCATION' })] });
  });
});
