import { describe, expect, it } from 'vitest';
import { entrySize, joinNetwork, layOut, NETWORK_LIMITS, shardOf, splitNetwork, storedSize } from './network-layout.ts';
import { becameLow, changedLocations, emptyNetwork, MAX_MOVED_PER_WRITE, mergeNetwork, type NetworkChange, type SkuNetwork } from './projection.ts';

const tenantId = 't_0123456789';
const now = new Date('2026-01-01T00:00:00.000Z');
const longId = (i: number) => `LOC-${String(i).padStart(6, '0')}-`.padEnd(128, 'x');
const stock = (locationId: string, version: number, onHand = 5): NetworkChange => ({
  kind: 'stock',
  level: { tenantId, locationId, sku: 'S1', onHand, reserved: 0, safetyStock: 0, available: onHand, version, updatedAt: now.toISOString() },
});

/** Folds the changes in as the projection does, one write after another (each moves at most MAX_MOVED_PER_WRITE). */
function project(base: SkuNetwork, changes: NetworkChange[]): SkuNetwork {
  let network = base;
  for (let pending = changes; pending.length; ) {
    const merged = mergeNetwork(network, pending, now);
    network = merged.network;
    pending = merged.rest;
  }
  return network;
}

const bytesOf = (locations: SkuNetwork['locations']) => Object.entries(locations).reduce((sum, [id, entry]) => sum + entrySize(id, entry), 0);

describe('the stored size of a value', () => {
  it('counts as DynamoDB does: UTF-8 strings, numbers by their digits, 3 bytes a map plus 1 an element', () => {
    expect(storedSize('héllo')).toBe(6);
    expect(storedSize(12345)).toBe(5);
    expect(storedSize({ a: 1, bc: 'xy' })).toBe(3 + (1 + 1 + 3) + (1 + 2 + 2));
  });
});

describe('the network layout', () => {
  it('keeps an ordinary network in one item', () => {
    const network = project(emptyNetwork(tenantId, 'S1'), Array.from({ length: 200 }, (_, i) => stock(`STORE-${i}`, 1)));
    expect(network.shards).toBeUndefined();
  });

  it('splits 5,000 locations with 128-character ids into shards that each stay under the shard limit', () => {
    const network = project(emptyNetwork(tenantId, 'S1'), Array.from({ length: 5000 }, (_, i) => stock(longId(i), 1)));

    const counts = network.shards!.length;
    const perShard = new Array<number>(counts).fill(0);
    for (const [id, entry] of Object.entries(network.locations)) perShard[shardOf(id, counts)]! += entrySize(id, entry);

    expect(bytesOf(network.locations)).toBeGreaterThan(400 * 1024);
    expect(Math.max(...perShard)).toBeLessThanOrEqual(NETWORK_LIMITS.shardMaxBytes);
    expect(counts).toBeLessThanOrEqual(NETWORK_LIMITS.maxShards);
  });

  it('joins what it split back into the same network', () => {
    const network = project(emptyNetwork(tenantId, 'S1'), Array.from({ length: 1000 }, (_, i) => stock(longId(i), 1)));
    const everyShard = { ...network, shards: network.shards!.map(() => network.version) };

    const { head, shards } = splitNetwork(everyShard, []);

    expect(shards).toHaveLength(network.shards!.length);
    expect(joinNetwork(head, shards)).toEqual(everyShard);
  });

  it('rewrites only the shard of the location that moved', () => {
    const before = project(emptyNetwork(tenantId, 'S1'), Array.from({ length: 1000 }, (_, i) => stock(longId(i), 1)));
    const after = mergeNetwork(before, [stock(longId(7), 2, 1)], now).network;

    const rewritten = after.shards!.flatMap((version, i) => (version === after.version ? [i] : []));

    expect(rewritten).toEqual([shardOf(longId(7), before.shards!.length)]);
    expect(splitNetwork(after, changedLocations(before, after)).shards.map((s) => s.index)).toEqual(rewritten);
  });

  it('refuses to join shards read across a write: one at another version than the head names, or one missing', () => {
    const network = project(emptyNetwork(tenantId, 'S1'), Array.from({ length: 1000 }, (_, i) => stock(longId(i), 1)));
    const everyShard = { ...network, shards: network.shards!.map(() => network.version) };
    const { head, shards } = splitNetwork(everyShard, []);

    expect(joinNetwork(head, shards.map((s, i) => (i === 1 ? { ...s, version: s.version + 1 } : s)))).toBeUndefined();
    expect(joinNetwork(head, shards.slice(1))).toBeUndefined();
  });

  it('splits a network that outgrows one item, and never joins it back into one', () => {
    const small = project(emptyNetwork(tenantId, 'S1'), Array.from({ length: 10 }, (_, i) => stock(longId(i), 1)));
    const grown = project(small, Array.from({ length: 600 }, (_, i) => stock(longId(i + 10), 1)));

    expect(small.shards).toBeUndefined();
    expect(grown.shards?.length).toBeGreaterThan(1);
    expect(layOut({ ...grown, locations: {} }, grown)).toHaveLength(grown.shards!.length);
  });
});

describe('one projection write', () => {
  it('moves at most MAX_MOVED_PER_WRITE locations and leaves the rest for the next version', () => {
    const merged = mergeNetwork(emptyNetwork(tenantId, 'S1'), Array.from({ length: MAX_MOVED_PER_WRITE + 3 }, (_, i) => stock(`L-${i}`, 1)), now);

    expect(Object.keys(merged.network.locations)).toHaveLength(MAX_MOVED_PER_WRITE);
    expect(merged.rest).toHaveLength(3);
  });

  it('names the locations it moved in a split network\'s head, for StockChanged and StockLow', () => {
    const before = project(emptyNetwork(tenantId, 'S1'), Array.from({ length: 1000 }, (_, i) => stock(longId(i), 1)));
    const after = mergeNetwork(before, [stock(longId(3), 2, 0)], now).network;
    const { head } = splitNetwork(after, changedLocations(before, after));
    const { head: beforeHead } = splitNetwork({ ...before, shards: before.shards!.map(() => before.version) }, []);

    expect(changedLocations(beforeHead, head).map((e) => e.locationId)).toEqual([longId(3)]);
    expect(becameLow(beforeHead, { ...head, available: 0 })).toBe(true);
  });
});
