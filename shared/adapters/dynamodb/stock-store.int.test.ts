// The SKU network store's batched, version-guarded writes against the local DynamoDB: what it reads back is exactly
// what was written, whether a write was a whole item or only the entries that changed.
import { describe, expect, it } from 'vitest';
import { emptyNetwork, mergeNetwork, type NetworkChange, type SkuNetwork } from '#domain/inventory/projection';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { dynamoSkuNetworkStore as store, networkWriteStatement } from './stock-store.ts';

useTestCloud();

const tenantId = 't_0123456789';
const at = new Date('2026-01-01T00:00:00.000Z');
const stock = (sku: string, locationId: string, onHand: number, version: number): NetworkChange => ({
  kind: 'stock',
  level: { tenantId, locationId, sku, onHand, reserved: 0, safetyStock: 0, available: onHand, version, updatedAt: at.toISOString() },
});
const merge = (base: SkuNetwork, ...changes: NetworkChange[]) => mergeNetwork(base, changes, at).network;
const readBack = async (sku: string) => (await store.getMany(tenantId, [sku])).get(sku);
const write = async (network: SkuNetwork, previous?: SkuNetwork) => {
  const [outcome] = await store.putManyIfVersion([{ network, expectedVersion: previous?.version ?? 0, ...(previous ? { previous } : {}) }]);
  return outcome;
};

describe('the SKU network store', () => {
  it('writes a new network whole, then only what changed, and reads back exactly what it wrote', async () => {
    const first = merge(emptyNetwork(tenantId, 'RT'), stock('RT', 'A', 5, 1), stock('RT', 'B', 7, 1), stock('RT', 'C', 1, 1));
    const second = merge(first, stock('RT', 'B', 6, 2));
    const third = merge(second, { kind: 'sku', lowStockThreshold: 3, version: 1 }, stock('RT', 'D', 2, 1));

    expect(await write(first)).toBe('written');
    expect(await write(second, first)).toBe('written');
    expect(await write(third, second)).toBe('written');

    expect(await readBack('RT')).toEqual(third);
  });

  it('updates only the location entries that changed', async () => {
    const first = merge(emptyNetwork(tenantId, 'ONE'), stock('ONE', 'WEST', 5, 1), stock('ONE', 'EAST', 5, 1));
    const second = merge(first, stock('ONE', 'EAST', 4, 2));

    const { Statement } = networkWriteStatement({ network: second, expectedVersion: first.version, previous: first });

    expect(Statement).toContain('"locations"."EAST"');
    expect(Statement).not.toContain('WEST');
    expect(Statement).not.toContain('"lowStockThreshold"');
  });

  it('removes the entries the new network no longer has', async () => {
    const first = merge(emptyNetwork(tenantId, 'RM'), stock('RM', 'A', 5, 1), stock('RM', 'B', 5, 1));
    await write(first);
    const { B: _dropped, ...locations } = first.locations;
    const second: SkuNetwork = { ...first, locations, available: 5, version: first.version + 1 };

    expect(await write(second, first)).toBe('written');
    expect(await readBack('RM')).toEqual(second);
  });

  it('answers stale, and writes nothing, when the stored version moved on or the item is not there', async () => {
    const first = merge(emptyNetwork(tenantId, 'ST'), stock('ST', 'A', 5, 1));
    const second = merge(first, stock('ST', 'A', 4, 2));
    await write(first);
    await write(second, first);

    const late = merge(first, stock('ST', 'A', 3, 3));
    const missing = merge(merge(emptyNetwork(tenantId, 'NONE'), stock('NONE', 'A', 1, 1)), stock('NONE', 'A', 2, 2));

    expect(await write(late, first)).toBe('stale');
    expect(await write(first)).toBe('stale');
    expect(await write(missing, { ...missing, version: 1 })).toBe('stale');
    expect(await readBack('ST')).toEqual(second);
    expect(await readBack('NONE')).toBeUndefined();
  });

  it('writes more networks than one call takes, each with its own outcome', async () => {
    const networks = Array.from({ length: 30 }, (_, i) => merge(emptyNetwork(tenantId, `MANY-${i}`), stock(`MANY-${i}`, 'A', i, 1)));
    await write(networks[7]!);

    const outcomes = await store.putManyIfVersion(networks.map((network) => ({ network, expectedVersion: 0 })));

    expect(outcomes.filter((o) => o === 'written')).toHaveLength(29);
    expect(outcomes[7]).toBe('stale');
    expect((await store.getMany(tenantId, networks.map((n) => n.sku))).size).toBe(30);
  });
});
