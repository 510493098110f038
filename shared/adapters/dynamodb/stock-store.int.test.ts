import { describe, expect, it } from 'vitest';
import { emptyNetwork, type SkuNetwork } from '#domain/inventory/projection';
import { useTestCloud } from '../../../infra/local/test-cloud.ts';
import { dynamoSkuNetworkStore } from './stock-store.ts';

useTestCloud();

const tenantId = `t_netstore${Date.now().toString(36)}`;
const network = (sku: string, version: number, available = version): SkuNetwork => ({ ...emptyNetwork(tenantId, sku), available, version });

// Projection writes in batches: one transaction per 25 SKUs, each write still guarded by its own version.
describe('the SKU network store', () => {
  it('writes a batch larger than one transaction, each item once', async () => {
    const skus = Array.from({ length: 60 }, (_, i) => `BATCH-${i}`);

    const written = await dynamoSkuNetworkStore.putManyIfVersion(skus.map((sku) => ({ network: network(sku, 1), expectedVersion: 0 })));

    expect(written).toEqual(skus.map(() => true));
    const stored = await dynamoSkuNetworkStore.getMany(tenantId, skus);
    expect([...stored.values()].map((n) => n.version)).toEqual(skus.map(() => 1));
  });

  it('answers false for a stale version and still writes the rest of its transaction', async () => {
    const skus = ['MIX-A', 'MIX-B', 'MIX-C'];
    await dynamoSkuNetworkStore.putManyIfVersion(skus.map((sku) => ({ network: network(sku, 1), expectedVersion: 0 })));

    // B was written by someone else meanwhile (version 2): this writer's version-1 view of it is stale.
    await dynamoSkuNetworkStore.putManyIfVersion([{ network: network('MIX-B', 2, 50), expectedVersion: 1 }]);
    const written = await dynamoSkuNetworkStore.putManyIfVersion(skus.map((sku) => ({ network: network(sku, 2, 7), expectedVersion: 1 })));

    expect(written).toEqual([true, false, true]);
    const stored = await dynamoSkuNetworkStore.getMany(tenantId, skus);
    expect(skus.map((sku) => [stored.get(sku)?.version, stored.get(sku)?.available])).toEqual([
      [2, 7],
      [2, 50],
      [2, 7],
    ]);
  });

  it('refuses to create an item that exists (version 0) and to write one that does not', async () => {
    const written = await dynamoSkuNetworkStore.putManyIfVersion([
      { network: network('MIX-A', 3), expectedVersion: 0 },
      { network: network('NEVER-WRITTEN', 2), expectedVersion: 1 },
    ]);
    expect(written).toEqual([false, false]);
  });
});
