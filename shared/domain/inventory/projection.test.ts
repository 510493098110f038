import { describe, expect, it } from 'vitest';
import { becameLow, changedLocations, emptyNetwork, mergeNetwork, type NetworkChange } from './projection.ts';
import type { StockLevel } from './stock.ts';

const now = new Date('2025-01-01T00:00:01.000Z');
const stock = (locationId: string, version: number, onHand: number, reserved = 0): NetworkChange => ({
  kind: 'stock',
  level: { tenantId: 't_0123456789', locationId, sku: 'S1', onHand, reserved, safetyStock: 0, available: onHand - reserved, version, updatedAt: `2025-01-01T00:00:00.${String(version).padStart(3, '0')}Z` } satisfies StockLevel,
});

describe('mergeNetwork', () => {
  it('sums the availability of every location', () => {
    const { network } = mergeNetwork(emptyNetwork('t_0123456789', 'S1'), [stock('A', 1, 5), stock('B', 1, 7, 2)], now);
    expect(network.available).toBe(10);
    expect(network.locations.B).toMatchObject({ onHand: 7, reserved: 2, available: 5 });
    expect(network.version).toBe(1);
  });

  it('changes nothing when the same records are replayed', () => {
    const once = mergeNetwork(emptyNetwork('t_0123456789', 'S1'), [stock('A', 1, 5), stock('A', 2, 4)], now).network;
    const again = mergeNetwork(once, [stock('A', 1, 5), stock('A', 2, 4)], now);
    expect(again.changed).toBe(false);
    expect(again.network).toBe(once);
  });

  it('keeps the newest version when records arrive out of order', () => {
    const { network } = mergeNetwork(emptyNetwork('t_0123456789', 'S1'), [stock('A', 3, 1), stock('A', 2, 9), stock('A', 1, 5)], now);
    expect(network.locations.A).toMatchObject({ onHand: 1, version: 3 });
  });

  it('reports the oldest commit it folded in, for the lag', () => {
    const merged = mergeNetwork(emptyNetwork('t_0123456789', 'S1'), [stock('A', 5, 1), stock('B', 2, 1)], now);
    expect(merged.oldestApplied).toBe('2025-01-01T00:00:00.002Z');
  });

  it('takes the low-stock threshold from the newest SKU version', () => {
    const base = emptyNetwork('t_0123456789', 'S1');
    const { network } = mergeNetwork(base, [{ kind: 'sku', lowStockThreshold: 2, version: 3 }, { kind: 'sku', lowStockThreshold: 9, version: 2 }], now);
    expect(network.lowStockThreshold).toBe(2);
  });
});

describe('events of a projection change', () => {
  it('lists only the locations whose entry moved', () => {
    const before = mergeNetwork(emptyNetwork('t_0123456789', 'S1'), [stock('A', 1, 5), stock('B', 1, 5)], now).network;
    const after = mergeNetwork(before, [stock('B', 2, 3)], now).network;
    expect(changedLocations(before, after).map((l) => l.locationId)).toEqual(['B']);
  });

  it('says low once, when the availability crosses below the threshold', () => {
    const high = mergeNetwork(emptyNetwork('t_0123456789', 'S1'), [stock('A', 1, 10)], now).network;
    const low = mergeNetwork(high, [stock('A', 2, 3)], now).network;
    const lower = mergeNetwork(low, [stock('A', 3, 2)], now).network;
    expect(becameLow(high, low)).toBe(true);
    expect(becameLow(low, lower)).toBe(false);
  });

  it('does not call a SKU low before it was stocked anywhere', () => {
    const catalogued = mergeNetwork(emptyNetwork('t_0123456789', 'S1'), [{ kind: 'sku', lowStockThreshold: 5, version: 1 }], now).network;
    expect(becameLow(undefined, catalogued)).toBe(false);
  });
});
