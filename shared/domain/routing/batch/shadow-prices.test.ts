import { describe, expect, it } from 'vitest';
import { allocateBatch } from './allocate-batch.ts';
import type { Batch } from './types.ts';

// Look-ahead in the batch allocator (issue 17 step 4): shadow prices per (location, SKU) join the per-unit costs.
const batch = (shadowPrices?: Batch['shadowPrices']): Batch => ({
  id: 'b',
  unfilledPenalty: 1000,
  locations: [
    { id: 'ST', type: 'store', inventory: { TEE: 2 } },
    { id: 'WH', type: 'warehouse', inventory: { TEE: 50 } },
  ],
  orders: ['o1', 'o2'].map((orderId) => ({
    orderId,
    groupKey: orderId,
    lines: [{ lineId: '1', sku: 'TEE', quantity: 1, weightLb: 1 }],
    costs: { ST: { shipmentCost: 9, unitCost: 0.5 }, WH: { shipmentCost: 10.5, unitCost: 1 } },
  })),
  ...(shadowPrices ? { shadowPrices } : {}),
});

describe('allocateBatch with shadow prices', () => {
  it('takes the store units without prices, the warehouse when they cost more than they save, and proves both', () => {
    const plain = allocateBatch(batch());
    expect(plain.allocations.map((a) => a.locationId)).toEqual(['ST', 'ST']);
    const priced = allocateBatch(batch({ ST: { TEE: 2.5 } }));
    expect(priced.allocations.map((a) => a.locationId)).toEqual(['WH', 'WH']);
    expect(priced.optimal).toBe(true);
    // The plan's cost includes nothing for units it does not take at a priced location.
    expect(priced.cost).toBeCloseTo(2 * 11.5, 9);
    const cheap = allocateBatch(batch({ ST: { TEE: 1 } }));
    expect(cheap.allocations.map((a) => a.locationId)).toEqual(['ST', 'ST']);
    expect(cheap.cost).toBeCloseTo(2 * (9.5 + 1), 9);
  });

  it('ignores prices of SKUs and locations the batch does not use', () => {
    expect(allocateBatch(batch({ ST: { MUG: 99 }, XX: { TEE: 99 } })).allocations).toEqual(allocateBatch(batch()).allocations);
  });
});
