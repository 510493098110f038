import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyNetwork, mergeNetwork, type NetworkChange } from './projection.ts';
import type { StockLevel } from './stock.ts';

const now = new Date('2025-01-01T00:00:01.000Z');
const tenantId = 't_0123456789';

/** One shard's stock item as its stream record shows it. */
const shard = (shardIndex: number, version: number, onHand: number, reserved: number, layout: { count: number; epoch: number }, safetyStock = 0): NetworkChange => ({
  kind: 'stock',
  level: {
    tenantId, locationId: 'DC1', sku: 'S1', onHand, reserved, safetyStock, available: onHand - reserved - safetyStock, version,
    updatedAt: '2025-01-01T00:00:00.000Z', ...(shardIndex ? { shard: shardIndex } : {}), shardCount: layout.count, epoch: layout.epoch,
  } satisfies StockLevel,
});

const fold = (changes: NetworkChange[]) => changes.reduce((network, change) => mergeNetwork(network, [change], now).network, emptyNetwork(tenantId, 'S1'));

describe('the projection of a sharded location+SKU', () => {
  it('shows the sums of the shards and keeps each shard for the router', () => {
    const four = { count: 4, epoch: 100 };
    const network = fold([shard(0, 2, 40, 5, four, 3), shard(1, 1, 37, 0, four), shard(2, 4, 37, 10, four), shard(3, 1, 37, 37, four)]);
    expect(network.locations.DC1).toMatchObject({ onHand: 151, reserved: 52, safetyStock: 3, available: 96, shardCount: 4 });
    expect(network.available).toBe(96);
    expect(network.locations.DC1!.shards!['2']).toMatchObject({ available: 27, version: 4 });
  });

  it('folds an unsharded entry into shard 0 when the location+SKU is split, and leaves the old layout out', () => {
    const before = fold([{ kind: 'stock', level: { tenantId, locationId: 'DC1', sku: 'S1', onHand: 9, reserved: 0, safetyStock: 0, available: 9, version: 7, updatedAt: '2025-01-01T00:00:00.000Z' } }]);
    const two = { count: 2, epoch: 50 };
    const { network } = mergeNetwork(before, [shard(1, 1, 10, 0, two)], now);
    // Shard 1 of the new layout arrived before shard 0's record: the old unsharded count is not added to it.
    expect(network.locations.DC1).toMatchObject({ onHand: 10, shardCount: 2 });
    const { network: both } = mergeNetwork(network, [shard(0, 8, 10, 0, two)], now);
    expect(both.locations.DC1).toMatchObject({ onHand: 20, available: 20 });
  });

  it('drops the removed shards when the location+SKU goes back to one, even if a late record of one arrives', () => {
    const four = { count: 4, epoch: 100 };
    const one = { count: 1, epoch: 200 };
    const network = fold([shard(0, 1, 10, 0, four), shard(1, 1, 10, 0, four), shard(2, 1, 10, 0, four), shard(3, 1, 10, 0, four), shard(0, 2, 40, 0, one), shard(2, 3, 10, 2, four)]);
    expect(network.locations.DC1).toMatchObject({ onHand: 40, reserved: 0, available: 40, shardCount: 1 });
  });

  it('gives the same sums whatever order the shards\u2019 records arrive in, replayed or not (property)', () => {
    const layout = { count: 3, epoch: 10 };
    const histories = fc.array(fc.array(fc.record({ onHand: fc.integer({ min: 0, max: 50 }), reserved: fc.integer({ min: 0, max: 50 }) }), { minLength: 1, maxLength: 4 }), { minLength: 3, maxLength: 3 });
    fc.assert(
      fc.property(histories, fc.integer(), fc.boolean(), (perShard, seed, replay) => {
        const records = perShard.flatMap((versions, k) => versions.map((v, i) => shard(k, i + 1, Math.max(v.onHand, v.reserved), v.reserved, layout)));
        const shuffled = fc.sample(fc.shuffledSubarray(records, { minLength: records.length, maxLength: records.length }), { seed, numRuns: 1 })[0]!;
        const network = fold(replay ? [...shuffled, ...records] : shuffled);
        const last = perShard.map((versions) => versions.at(-1)!);
        const onHand = last.reduce((sum, v) => sum + Math.max(v.onHand, v.reserved), 0);
        const reserved = last.reduce((sum, v) => sum + v.reserved, 0);
        expect(network.locations.DC1).toMatchObject({ onHand, reserved, available: onHand - reserved });
      }),
    );
  });
});
