import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CandidateLocation } from './apply-rules.ts';
import { allocateBatch } from './batch/allocate-batch.ts';
import type { Batch } from './batch/types.ts';
import { orderShadowPrices, shadowPrice, windowShadowPrices, type WindowLookAheadOrder } from './look-ahead.ts';
import { routeOrder, type RouteRequest } from './route-order.ts';
import { parseRoutingRules } from './rules.ts';

// Look-ahead inside a release window (issue 17): one order's shadow prices, computed on the window's shared stock.

const locations: Array<{ id: string; stock: Record<string, number> }> = [
  { id: 'ST', stock: { TEE: 2, CAP: 1 } },
  { id: 'WH', stock: { TEE: 500, CAP: 500 } },
  { id: 'ST2', stock: { TEE: 3 } },
];
const expected = { ST: { TEE: 0.5, CAP: 0.2 }, ST2: { TEE: 0.4 }, WH: { TEE: 20 } };
const week = { horizonDays: 7, unitPremium: 5 };

describe('windowShadowPrices', () => {
  it('prices each order\'s candidates for its own SKUs, averaging over the whole window\'s units of the SKU', () => {
    const orders: WindowLookAheadOrder[] = [
      { orderId: 'o1', lines: [{ sku: 'TEE', quantity: 1 }], candidates: ['ST', 'WH'], config: week },
      { orderId: 'o2', lines: [{ sku: 'TEE', quantity: 1 }, { sku: 'CAP', quantity: 1 }], candidates: ['ST', 'ST2', 'WH'], config: week },
    ];
    const prices = windowShadowPrices(locations, orders, expected);
    // Two tees in the window: the price at ST is the average of the risks of its last two units.
    const tee = shadowPrice({ onHand: 2, expectedDemand: 3.5, unitPremium: 5, units: 2 });
    expect(prices.get('o1')!.map((p) => [p.locationId, p.sku])).toEqual([['ST', 'TEE']]);
    expect(prices.get('o1')![0]!.price).toBeCloseTo(tee, 12);
    expect(prices.get('o1')![0]).toMatchObject({ onHand: 2, expectedDemand: 3.5 });
    // o2 also meets ST2's tees and ST's cap (its own SKUs, its own candidates); dearest first.
    const o2 = prices.get('o2')!;
    expect(o2.map((p) => `${p.locationId}|${p.sku}`).sort()).toEqual(['ST2|TEE', 'ST|CAP', 'ST|TEE']);
    expect(o2.map((p) => p.price)).toEqual([...o2.map((p) => p.price)].sort((a, b) => b - a));
    expect(o2.find((p) => p.locationId === 'ST2')!.price).toBeCloseTo(shadowPrice({ onHand: 3, expectedDemand: 2.8, unitPremium: 5, units: 2 }), 12);
  });

  it('gives nothing to an order whose rule set does not enable look-ahead, and an empty list when the stock is ample', () => {
    const prices = windowShadowPrices(locations, [
      { orderId: 'off', lines: [{ sku: 'TEE', quantity: 1 }], candidates: ['ST', 'WH'] },
      { orderId: 'wh-only', lines: [{ sku: 'TEE', quantity: 1 }], candidates: ['WH'], config: week },
    ], expected);
    expect(prices.has('off')).toBe(false);
    expect(prices.get('wh-only')).toEqual([]);
  });

  it('prices each order with its own rule set\'s horizon and premium', () => {
    const prices = windowShadowPrices(locations, [
      { orderId: 'a', lines: [{ sku: 'TEE', quantity: 1 }], candidates: ['ST'], config: week },
      { orderId: 'b', lines: [{ sku: 'TEE', quantity: 1 }], candidates: ['ST'], config: { horizonDays: 2, unitPremium: 9 } },
    ], expected);
    expect(prices.get('a')![0]!.price).toBeCloseTo(shadowPrice({ onHand: 2, expectedDemand: 3.5, unitPremium: 5, units: 2 }), 12);
    expect(prices.get('b')![0]!.price).toBeCloseTo(shadowPrice({ onHand: 2, expectedDemand: 1, unitPremium: 9, units: 2 }), 12);
  });

  it('keys prices by SKU and location exactly as given: capitals, dots and unicode, units at the stock exactly', () => {
    const odd = windowShadowPrices(
      [{ id: 'Store.Ö-1', stock: { 'Tée.Ω-M': 2, 'tée.ω-m': 40 } }],
      [{ orderId: 'o', lines: [{ sku: 'Tée.Ω-M', quantity: 2 }, { sku: 'tée.ω-m', quantity: 1 }], candidates: ['Store.Ö-1'], config: week }],
      { 'Store.Ö-1': { 'Tée.Ω-M': 0.5, 'tée.ω-m': 0.5 } },
    ).get('o')!;
    // Two units asked of two on hand: the price is the average of the last two units' risks; 40 on hand are ample.
    expect(odd.map((p) => p.sku)).toEqual(['Tée.Ω-M']);
    expect(odd[0]!.price).toBeCloseTo(shadowPrice({ onHand: 2, expectedDemand: 3.5, unitPremium: 5, units: 2 }), 12);
  });

  it('is one order\'s pricing when the window holds that order alone (property)', () => {
    const arb = fc.record({
      onHand: fc.integer({ min: 0, max: 12 }),
      rate: fc.double({ min: 0, max: 3, noNaN: true }),
      units: fc.integer({ min: 1, max: 5 }),
      horizonDays: fc.integer({ min: 1, max: 90 }),
      unitPremium: fc.double({ min: 0, max: 20, noNaN: true }),
    });
    fc.assert(fc.property(arb, ({ onHand, rate, units, horizonDays, unitPremium }) => {
      const locs = [{ id: 'L', stock: { S: onHand } }];
      const config = { horizonDays, unitPremium };
      const alone = windowShadowPrices(locs, [{ orderId: 'o', lines: [{ sku: 'S', quantity: units }], candidates: ['L'], config }], { L: { S: rate } }).get('o')!;
      const one = orderShadowPrices(locs, new Map([['S', units]]), { L: { S: rate } }, config);
      return JSON.stringify(alone) === JSON.stringify(one) && alone.every((p) => p.price > 0 && p.price <= unitPremium + 1e-9);
    }), { numRuns: 300 });
  });
});

describe('allocateBatch with prices per order', () => {
  const batch = (prices: Partial<Record<'o1' | 'o2', Batch['shadowPrices']>>, shared?: Batch['shadowPrices']): Batch => ({
    id: 'b',
    unfilledPenalty: 1000,
    locations: [
      { id: 'ST', inventory: { TEE: 2 } },
      { id: 'WH', inventory: { TEE: 50 } },
    ],
    orders: (['o1', 'o2'] as const).map((orderId) => ({
      orderId,
      groupKey: orderId,
      lines: [{ lineId: '1', sku: 'TEE', quantity: 1, weightLb: 1 }],
      costs: { ST: { shipmentCost: 9, unitCost: 0.5 }, WH: { shipmentCost: 10.5, unitCost: 1 } },
      ...(prices[orderId] ? { shadowPrices: prices[orderId] } : {}),
    })),
    ...(shared ? { shadowPrices: shared } : {}),
  });

  it('charges an order its own prices only: the priced order goes to the warehouse, the other keeps the store', () => {
    const plan = allocateBatch(batch({ o1: { ST: { TEE: 2.5 } } }));
    expect(plan.allocations.map((a) => `${a.orderId}@${a.locationId}`)).toEqual(['o1@WH', 'o2@ST']);
    expect(plan.optimal).toBe(true);
    expect(plan.cost).toBeCloseTo(11.5 + 9.5, 9);
  });

  it('finds the least cost with each order paying its own prices, as brute force does; a proven plan is the optimum (property)', () => {
    const skus = ['A', 'B'];
    const locIds = ['L0', 'L1', 'L2'];
    const arb = fc.record({
      stock: fc.array(fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 2, maxLength: 2 }), { minLength: 3, maxLength: 3 }),
      orders: fc.array(
        fc.record({
          sku: fc.integer({ min: 0, max: 1 }),
          quantity: fc.integer({ min: 1, max: 2 }),
          costs: fc.array(fc.record({ shipmentCost: fc.integer({ min: 1, max: 9 }), unitCost: fc.integer({ min: 0, max: 4 }) }), { minLength: 3, maxLength: 3 }),
          prices: fc.option(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 3, maxLength: 3 }), { nil: undefined }),
          group: fc.integer({ min: 0, max: 1 }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    });
    fc.assert(fc.property(arb, ({ stock, orders }) => {
      // A group's orders share their parcel costs (the format's rule): the group's first order's costs.
      const groupCosts = new Map<number, (typeof orders)[number]['costs']>();
      const batch: Batch = {
        id: 'p',
        unfilledPenalty: 100,
        locations: locIds.map((id, i) => ({ id, inventory: Object.fromEntries(skus.map((sku, k) => [sku, stock[i]![k]!])) })),
        orders: orders.map((o, i) => {
          const costs = groupCosts.get(o.group) ?? groupCosts.set(o.group, o.costs).get(o.group)!;
          return {
            orderId: `o${i}`,
            groupKey: `g${o.group}`,
            lines: [{ lineId: '1', sku: skus[o.sku]!, quantity: o.quantity, weightLb: 1 }],
            costs: Object.fromEntries(locIds.map((id, j) => [id, costs[j]!])),
            ...(o.prices ? { shadowPrices: Object.fromEntries(locIds.map((id, j) => [id, { [skus[o.sku]!]: o.prices![j]! }])) } : {}),
          };
        }),
      };
      // Brute force: every split of every line over the locations within stock, each unit at its order's own price.
      let best = Infinity;
      const left = batch.locations.map((l) => ({ ...l.inventory }));
      const taken: Array<{ o: number; j: number; q: number }> = [];
      const cost = () => {
        const parcels = new Set<string>();
        let c = 0;
        for (const { o, j, q } of taken) {
          const order = batch.orders[o]!;
          if (!parcels.has(`${order.groupKey}|${j}`)) {
            parcels.add(`${order.groupKey}|${j}`);
            c += order.costs[locIds[j]!]!.shipmentCost;
          }
          c += q * (order.costs[locIds[j]!]!.unitCost + (order.shadowPrices?.[locIds[j]!]?.[order.lines[0]!.sku] ?? 0));
        }
        const filled = new Map<number, number>();
        for (const t of taken) filled.set(t.o, (filled.get(t.o) ?? 0) + t.q);
        return c + batch.orders.reduce((u, order, o) => u + 100 * (order.lines[0]!.quantity - (filled.get(o) ?? 0)), 0);
      };
      const visit = (o: number, j: number, need: number): void => {
        if (o === batch.orders.length) return void (best = Math.min(best, cost()));
        if (j === locIds.length || need === 0) return visit(o + 1, 0, batch.orders[o + 1]?.lines[0]!.quantity ?? 0);
        const sku = batch.orders[o]!.lines[0]!.sku;
        for (let q = 0; q <= Math.min(need, left[j]![sku] ?? 0); q++) {
          if (q) taken.push({ o, j, q });
          left[j]![sku]! -= q;
          visit(o, j + 1, need - q);
          left[j]![sku]! += q;
          if (q) taken.pop();
        }
      };
      visit(0, 0, batch.orders[0]!.lines[0]!.quantity);
      const plan = allocateBatch(batch);
      return plan.lowerBound <= best + 1e-6 && plan.cost >= best - 1e-6 && (!plan.optimal || Math.abs(plan.cost - best) < 1e-6);
    }), { numRuns: 300 });
  });

  it('lets an order\'s own prices take the place of the batch\'s', () => {
    const plan = allocateBatch(batch({ o2: {} }, { ST: { TEE: 2.5 } }));
    expect(plan.allocations.map((a) => `${a.orderId}@${a.locationId}`)).toEqual(['o1@WH', 'o2@ST']);
  });
});

describe('routeOrder with a window\'s prices', () => {
  const candidates: CandidateLocation[] = [
    { id: 'ST', type: 'store', capabilities: ['ship-from-store'], active: true, stock: { TEE: 2 }, shipmentCost: 9, unitCostPerLb: 0.5 },
    { id: 'WH', type: 'warehouse', capabilities: [], active: true, stock: { TEE: 400 }, shipmentCost: 10.5, unitCostPerLb: 1 },
  ];
  const request = (ruleSet: Record<string, unknown>, over: Partial<RouteRequest> = {}): RouteRequest => ({
    orderId: 'o-1', channel: 'web', destination: { region: 'US-NY' }, lines: [{ lineId: '1', sku: 'TEE', quantity: 1, weightLb: 0.5 }], locations: candidates,
    rules: parseRoutingRules({ schemaVersion: 1, tenantId: 't', version: 3, ruleSets: [{ id: 'default', preferences: { default: 'cheapest' }, ...ruleSet }] }),
    ...over,
  });
  // The window saw 5 units at ST (before this order's share was cut out of it): the order's own 2 would price differently.
  const given = [{ locationId: 'ST', sku: 'TEE', onHand: 5, expectedDemand: 3.5, price: 2.25 }];

  it('uses the given prices as they are and explains them as one order\'s', () => {
    const d = routeOrder(request({ lookAhead: { enabled: true } }, { shadowPrices: given }));
    expect(d.parcels.map((p) => p.locationId)).toEqual(['WH']);
    expect(d.explanation.lookAhead).toMatchObject({ horizonDays: 7, unitPremium: 5, applied: true, shadowCost: 0, prices: given });
    const text = d.explanation.text.join('\n');
    expect(text).toContain('look-ahead over 7 day(s), premium 5.00/unit: shadow prices ST TEE 2.25/unit (5 on hand, 3.5 expected)');
    expect(text).toContain('look-ahead shadow cost 0.00 in the objective');
  });

  it('prefers them to expected demand, says "stock ample" for an empty list, and ignores them without look-ahead', () => {
    const both = routeOrder(request({ lookAhead: { enabled: true } }, { shadowPrices: [], expectedDemand: { ST: { TEE: 0.6 } } }));
    expect(both.parcels.map((p) => p.locationId)).toEqual(['ST']);
    expect(both.explanation.text.join('\n')).toContain('stock ample, no shadow price');
    const off = routeOrder(request({}, { shadowPrices: given }));
    expect(off.parcels.map((p) => p.locationId)).toEqual(['ST']);
    expect(off.explanation.lookAhead).toBeUndefined();
  });
});
