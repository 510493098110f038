import { describe, expect, it } from 'vitest';
import { emptyNetwork, type SkuNetwork } from '#domain/inventory/projection';
import type { NetworkWrite, SkuNetworkStore } from '../ports.ts';
import { cachedSkuNetworks } from './cached-networks.ts';
import { projectStockChanges } from './project-stock.ts';

/** An in-memory store with version checks, counting its reads. */
function memoryStore() {
  const items = new Map<string, SkuNetwork>();
  const store = {
    reads: 0,
    items,
    async getMany(tenantId: string, skus: string[]) {
      store.reads++;
      return new Map(skus.flatMap((sku) => (items.has(`${tenantId} ${sku}`) ? [[sku, items.get(`${tenantId} ${sku}`)!] as const] : [])));
    },
    async putManyIfVersion(writes: NetworkWrite[]) {
      return writes.map(({ network, expectedVersion }) => {
        const key = `${network.tenantId} ${network.sku}`;
        if ((items.get(key)?.version ?? 0) !== expectedVersion) return 'stale' as const;
        items.set(key, network);
        return 'written' as const;
      });
    },
  } satisfies SkuNetworkStore & { reads: number; items: Map<string, SkuNetwork> };
  return store;
}

const clock = { now: () => new Date('2025-01-01T00:00:01.000Z') };
const stock = (version: number, onHand: number) => ({
  tenantId: 't_0123456789',
  sku: 'S1',
  change: { kind: 'stock' as const, level: { tenantId: 't_0123456789', locationId: 'A', sku: 'S1', onHand, reserved: 0, safetyStock: 0, available: onHand, version, updatedAt: '2025-01-01T00:00:00.000Z' } },
});

describe('cached SKU networks', () => {
  it('read a projection once, then serve the one they wrote', async () => {
    const inner = memoryStore();
    const networks = cachedSkuNetworks(inner);
    await projectStockChanges({ networks, clock }, [stock(1, 5)]);
    await projectStockChanges({ networks, clock }, [stock(2, 4)]);
    await projectStockChanges({ networks, clock }, [stock(3, 3)]);
    expect(inner.reads).toBe(1);
    expect(inner.items.get('t_0123456789 S1')).toMatchObject({ available: 3, version: 3 });
  });

  it('recover when another writer changed the item behind their back', async () => {
    const inner = memoryStore();
    const networks = cachedSkuNetworks(inner);
    await projectStockChanges({ networks, clock }, [stock(1, 5)]);
    const stored = inner.items.get('t_0123456789 S1')!;
    inner.items.set('t_0123456789 S1', { ...stored, lowStockThreshold: 1, skuVersion: 1, version: stored.version + 1 });

    const result = await projectStockChanges({ networks, clock }, [stock(2, 4)]);

    expect(result.failed.size).toBe(0);
    expect(inner.items.get('t_0123456789 S1')).toMatchObject({ available: 4, lowStockThreshold: 1, version: 3 });
  });

  it('read again what a failed write may or may not have changed', async () => {
    const inner = memoryStore();
    await inner.putManyIfVersion([{ network: { ...emptyNetwork('t_0123456789', 'S1'), version: 1 }, expectedVersion: 0 }]);
    const networks = cachedSkuNetworks({ ...inner, putManyIfVersion: () => Promise.reject(new Error('throttled')) });
    await networks.getMany('t_0123456789', ['S1']);

    const result = await projectStockChanges({ networks, clock }, [stock(2, 4)]);
    await networks.getMany('t_0123456789', ['S1']);

    expect(result.failed).toEqual(new Set(['t_0123456789 S1']));
    expect(inner.reads).toBe(2);
  });

  it('forget the least recently used entries beyond their size', async () => {
    const inner = memoryStore();
    const networks = cachedSkuNetworks(inner, 1);
    await networks.putManyIfVersion([{ network: { ...emptyNetwork('t_0123456789', 'S1'), version: 1 }, expectedVersion: 0 }]);
    await networks.putManyIfVersion([{ network: { ...emptyNetwork('t_0123456789', 'S2'), version: 1 }, expectedVersion: 0 }]);
    await networks.getMany('t_0123456789', ['S1']);
    expect(inner.reads).toBe(1);
  });
});
