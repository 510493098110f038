import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateBatch } from './allocate-batch.ts';
import type { Batch, BatchAllocation } from './types.ts';

// The benchmark's scoring rules, written out again here so the tests do not trust the allocator's
// own arithmetic: null when the plan is infeasible, else its cost.
function score(batch: Batch, allocations: readonly BatchAllocation[]): number | null {
  const orders = new Map(batch.orders.map((o) => [o.orderId, o]));
  const locations = new Map(batch.locations.map((l) => [l.id, l]));
  const firstOfGroup = new Map<string, Batch['orders'][number]>();
  for (const o of batch.orders) if (!firstOfGroup.has(o.groupKey)) firstOfGroup.set(o.groupKey, o);
  const filled = new Map<string, number>();
  const taken = new Map<string, number>();
  const parcels = new Map<string, number>();
  let cost = 0;
  for (const a of allocations) {
    const o = orders.get(a.orderId);
    const line = o?.lines.find((l) => l.lineId === a.lineId);
    const loc = locations.get(a.locationId);
    const c = o?.costs[a.locationId];
    if (!o || !line || !loc || !c || !Number.isInteger(a.quantity) || a.quantity <= 0) return null;
    const lk = `${o.orderId}|${line.lineId}`;
    const sk = `${loc.id}|${line.sku}`;
    filled.set(lk, (filled.get(lk) ?? 0) + a.quantity);
    taken.set(sk, (taken.get(sk) ?? 0) + a.quantity);
    if (filled.get(lk)! > line.quantity || taken.get(sk)! > (loc.inventory[line.sku] ?? 0)) return null;
    cost += c.unitCost * line.weightLb * a.quantity;
    parcels.set(`${o.groupKey}|${loc.id}`, firstOfGroup.get(o.groupKey)!.costs[loc.id]!.shipmentCost);
  }
  for (const p of parcels.values()) cost += p;
  for (const o of batch.orders) for (const l of o.lines) cost += batch.unfilledPenalty * (l.quantity - (filled.get(`${o.orderId}|${l.lineId}`) ?? 0));
  return cost;
}

// Every way to split every line's units over the locations (or leave them unfilled) within stock.
function bruteForce(batch: Batch): number {
  const lines = batch.orders.flatMap((o) => o.lines.map((l) => ({ o, l })));
  const stock = new Map(batch.locations.map((loc) => [loc.id, { ...loc.inventory }]));
  const current: BatchAllocation[] = [];
  let best = Infinity;
  const visit = (i: number): void => {
    if (i === lines.length) {
      best = Math.min(best, score(batch, current)!);
      return;
    }
    const { o, l } = lines[i]!;
    const locs = batch.locations.filter((loc) => o.costs[loc.id]);
    const split = (li: number, left: number): void => {
      if (li === locs.length || left === 0) {
        visit(i + 1);
        return;
      }
      const loc = locs[li]!;
      const inv = stock.get(loc.id)!;
      for (let q = 0; q <= Math.min(left, inv[l.sku] ?? 0); q++) {
        if (q > 0) {
          current.push({ orderId: o.orderId, lineId: l.lineId, locationId: loc.id, quantity: q });
          inv[l.sku]! -= q;
        }
        split(li + 1, left - q);
        if (q > 0) {
          current.pop();
          inv[l.sku]! += q;
        }
      }
    };
    split(0, l.quantity);
  };
  visit(0);
  return best;
}

const smallBatch = fc
  .record({
    locations: fc.integer({ min: 1, max: 3 }),
    skus: fc.integer({ min: 1, max: 3 }),
    groups: fc.integer({ min: 1, max: 3 }),
  })
  .chain(({ locations, skus, groups }) =>
    fc.record({
      inventory: fc.array(fc.array(fc.integer({ min: 0, max: 2 }), { minLength: skus, maxLength: skus }), { minLength: locations, maxLength: locations }),
      costs: fc.array(
        fc.array(fc.record({ shipmentCost: fc.integer({ min: 3, max: 15 }), unitCost: fc.constantFrom(0.5, 0.8, 1.3) }), { minLength: locations, maxLength: locations }),
        { minLength: groups, maxLength: groups },
      ),
      orders: fc.array(
        fc.record({
          group: fc.integer({ min: 0, max: groups - 1 }),
          lines: fc.uniqueArray(
            fc.record({ sku: fc.integer({ min: 0, max: skus - 1 }), quantity: fc.integer({ min: 1, max: 2 }), weightLb: fc.constantFrom(0.5, 1, 2.5) }),
            { minLength: 1, maxLength: 2, selector: (l) => l.sku },
          ),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    }),
  )
  .map(
    (r): Batch => ({
      id: 'b',
      unfilledPenalty: 100,
      locations: r.inventory.map((units, i) => ({ id: `L${i}`, inventory: Object.fromEntries(units.map((u, s) => [`S${s}`, u])) })),
      orders: r.orders.map((o, i) => ({
        orderId: `O${i}`,
        groupKey: `C${o.group}`,
        lines: o.lines.map((l, li) => ({ lineId: String(li + 1), sku: `S${l.sku}`, quantity: l.quantity, weightLb: l.weightLb })),
        costs: Object.fromEntries(r.costs[o.group]!.map((c, li) => [`L${li}`, c])),
      })),
    }),
  );

function location(id: string, inventory: Record<string, number>) {
  return { id, type: 'warehouse', inventory };
}

describe('allocateBatch', () => {
  it('plans random small batches feasibly, never below its bound, and the bound never above the brute-force optimum', () => {
    fc.assert(
      fc.property(smallBatch, (batch) => {
        const plan = allocateBatch(batch);
        const cost = score(batch, plan.allocations);
        expect(cost).not.toBeNull();
        expect(cost!).toBeCloseTo(plan.cost, 6);
        const optimum = bruteForce(batch);
        expect(plan.lowerBound).toBeLessThanOrEqual(optimum + 1e-6);
        expect(cost!).toBeGreaterThanOrEqual(plan.lowerBound - 1e-6);
        if (plan.optimal) expect(cost!).toBeCloseTo(optimum, 6);
      }),
      { numRuns: 150 },
    );
  });

  it('ships two orders of one customer in one parcel when that is cheaper than their separate optima', () => {
    // Alone, the second order would ship from NEAR (cheaper per lb); together one WIDE parcel carries both.
    const batch: Batch = {
      id: 'repeat',
      unfilledPenalty: 1000,
      locations: [location('WIDE', { A: 5, B: 5 }), location('NEAR', { B: 5 })],
      orders: ['O1', 'O2'].map((orderId, i) => ({
        orderId,
        groupKey: 'C-1',
        lines: [{ lineId: '1', sku: i === 0 ? 'A' : 'B', quantity: 1, weightLb: 2 }],
        costs: { WIDE: { shipmentCost: 10, unitCost: 1.5 }, NEAR: { shipmentCost: 9, unitCost: 0.5 } },
      })),
    };
    const plan = allocateBatch(batch);
    expect(plan.allocations).toEqual([
      { orderId: 'O1', lineId: '1', locationId: 'WIDE', quantity: 1 },
      { orderId: 'O2', lineId: '1', locationId: 'WIDE', quantity: 1 },
    ]);
    expect(plan.parcels).toBe(1);
    expect(plan.cost).toBeCloseTo(10 + 3 + 3, 9);
    expect(plan.optimal).toBe(true);
  });

  it('gives the last nearby unit to the later order that has no cheap alternative', () => {
    // O1 comes first and is a little cheaper from NEAR, but O2 is far from everything else.
    const batch: Batch = {
      id: 'scarce',
      unfilledPenalty: 1000,
      locations: [location('NEAR', { A: 1 }), location('MID', { A: 5 }), location('FAR', { A: 5 })],
      orders: [
        { orderId: 'O1', groupKey: 'C-1', lines: [{ lineId: '1', sku: 'A', quantity: 1, weightLb: 1 }], costs: { NEAR: { shipmentCost: 10, unitCost: 1 }, MID: { shipmentCost: 11, unitCost: 1 }, FAR: { shipmentCost: 20, unitCost: 1 } } },
        { orderId: 'O2', groupKey: 'C-2', lines: [{ lineId: '1', sku: 'A', quantity: 1, weightLb: 1 }], costs: { NEAR: { shipmentCost: 10, unitCost: 1 }, MID: { shipmentCost: 25, unitCost: 1 }, FAR: { shipmentCost: 20, unitCost: 1 } } },
      ],
    };
    const plan = allocateBatch(batch);
    expect(plan.allocations).toEqual(
      expect.arrayContaining([
        { orderId: 'O1', lineId: '1', locationId: 'MID', quantity: 1 },
        { orderId: 'O2', lineId: '1', locationId: 'NEAR', quantity: 1 },
      ]),
    );
    expect(plan.cost).toBeCloseTo(12 + 11, 9);
    expect(plan.optimal).toBe(true);
    expect(plan.provenGap).toBe(0);
  });

  it('leaves unfilled only what no stock can fill, and measures its gap without that penalty', () => {
    const batch: Batch = {
      id: 'short',
      unfilledPenalty: 1000,
      locations: [location('L1', { A: 1 })],
      orders: ['O1', 'O2'].map((orderId, i) => ({
        orderId,
        groupKey: `C-${i}`,
        lines: [{ lineId: '1', sku: 'A', quantity: 1, weightLb: 1 }],
        costs: { L1: { shipmentCost: 10 + i, unitCost: 1 } },
      })),
    };
    const plan = allocateBatch(batch);
    expect(plan.unfilledUnits).toBe(1);
    expect(plan.unavoidableUnfilled).toBe(1);
    expect(plan.cost).toBeCloseTo(1000 + 11, 9);
    expect(plan.optimal).toBe(true);
  });

  it('gives the same plan for the same batch', () => {
    fc.assert(
      fc.property(smallBatch, (batch) => {
        expect(allocateBatch(batch)).toEqual(allocateBatch(batch));
      }),
      { numRuns: 30 },
    );
  });
});
