import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_TABLE } from '../carriers/rate-table.ts';
import type { Location } from '../inventory/location.ts';
import type { RoutingRulesInput } from '../routing/rules.ts';
import { planParcels, type PlanInput } from './planning.ts';
import { allocateWindow, releaseExplanation, windowBatch, windowShadowCost } from './release-window.ts';
import { decideReoptimisation, planCost } from './reoptimise.ts';
import { anOrder, FIXED_TIME } from './test-fixtures.ts';
import { rulesOf, TENANT } from './what-if-fixtures.ts';

// Look-ahead inside a release window (issue 17): a Manhattan store holds the last 2 tees its neighbourhood buys about
// one of every other day; a Reno warehouse has plenty. Orders to Manhattan wait in a window and are allocated together.

const location = (locationId: string, type: Location['type'], lat: number, lon: number): Location => ({
  tenantId: TENANT,
  locationId,
  name: locationId,
  type,
  geo: { lat, lon },
  capabilities: { ship: true, pickup: type === 'store', curbside: false },
  handlingCost: type === 'store' ? 1.5 : 1,
  active: true,
  version: 1,
  updatedAt: FIXED_TIME.toISOString(),
});
const locations = [location('manhattan-store', 'store', 40.7209, -74.0007), location('reno-wh', 'warehouse', 39.5296, -119.8138)];
const expected = { 'manhattan-store': { TEE: 0.5 } };

function input(orderId: string, ruleSets: RoutingRulesInput['ruleSets'], channel = 'web', store = 2): PlanInput {
  return {
    order: anOrder({ orderId, channel, status: 'ROUTING', attempt: 2, lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1, fulfillment: { type: 'ship' } }] }),
    shipments: [],
    attempt: 2,
    round: 1,
    excluded: [],
    skus: new Map([['TEE', { weightLb: 0.4 }]]),
    locations,
    networks: [{ sku: 'TEE', locations: [{ locationId: 'manhattan-store', available: store }, { locationId: 'reno-wh', available: 500 }] }],
    rules: rulesOf(1, ruleSets),
    rateTable: DEFAULT_RATE_TABLE,
    destination: { lat: 40.7506, lon: -73.9972 },
    shippedToday: new Map(),
    now: FIXED_TIME,
    clockMs: () => 0,
  };
}

/** The release's steps, pure: each order's record, the window's batch and plan, each order routed over its share. */
function release(inputs: PlanInput[], demand = expected) {
  const entries = inputs.map((i) => ({ order: i.order, record: planParcels(i).record! }));
  const batch = windowBatch('w', entries, inputs[0]!.rules, demand);
  const { plan, shares } = allocateWindow(batch);
  const routed = inputs.map((i) => {
    const prices = batch.lookAhead?.get(i.order.orderId);
    return planParcels({ ...i, networks: shares.get(i.order.orderId)!, ...(prices ? { shadowPrices: prices } : {}) });
  });
  return { batch, plan, routed };
}

const windowed = { id: 'default', preferences: { default: 'cheapest' as const }, releaseWindowMinutes: 5 };

describe('a release window with look-ahead', () => {
  it('serves the windowed order from the warehouse and explains the store\'s shadow price; without look-ahead from the store', () => {
    const plain = release([input('o_1', [windowed])]);
    expect(plain.batch.lookAhead).toBeUndefined();
    expect(plain.routed[0]!.parcels.map((p) => p.locationId)).toEqual(['manhattan-store']);

    const ahead = release([input('o_1', [{ ...windowed, lookAhead: { enabled: true } }])]);
    expect(ahead.batch.orders[0]!.shadowPrices!['manhattan-store']!.TEE).toBeGreaterThan(4);
    expect(ahead.routed[0]!.parcels.map((p) => p.locationId)).toEqual(['reno-wh']);
    const text = ahead.routed[0]!.explanation.join('\n');
    expect(text).toMatch(/look-ahead over 7 day\(s\), premium 5\.00\/unit: shadow prices manhattan-store TEE \d+\.\d\d\/unit \(2 on hand, 3\.5 expected\)/);
    expect(text).toContain('look-ahead shadow cost 0.00 in the objective');
    // The engine's request carries the window's prices (a replay of the decision routes with them).
    expect(ahead.routed[0]!.record!.request.shadowPrices).toEqual(ahead.batch.lookAhead!.get('o_1'));
    expect(ahead.batch.lookAhead!.get('o_1')).toMatchObject([{ locationId: 'manhattan-store', sku: 'TEE', onHand: 2, expectedDemand: 3.5 }]);
    // The window's line gives its money and its shadow cost apart.
    expect(windowShadowCost(ahead.batch, ahead.plan.allocations)).toBe(0);
    const [, planLine] = releaseExplanation({ orderId: 'o_1', createdAt: FIXED_TIME.toISOString() }, ['o_1'], ahead.plan, FIXED_TIME, 0);
    expect(planLine).toBe(`window plan: shipping ${ahead.plan.shipping.toFixed(2)} over 1 order(s), look-ahead shadow cost 0.00 in the objective, proven optimal`);
  });

  it('still takes the store units when its stock is ample, and says so', () => {
    const ample = release([input('o_1', [{ ...windowed, lookAhead: { enabled: true } }], 'web', 30)]);
    expect(ample.batch.lookAhead!.get('o_1')).toEqual([]);
    expect(ample.routed[0]!.parcels.map((p) => p.locationId)).toEqual(['manhattan-store']);
    expect(ample.routed[0]!.explanation.join('\n')).toContain('stock ample, no shadow price');
  });

  it('routes without look-ahead when expected demand could not be read, and says so', () => {
    const entries = [input('o_1', [{ ...windowed, lookAhead: { enabled: true } }])].map((i) => ({ order: i.order, record: planParcels(i).record!, i }));
    const batch = windowBatch('w', entries, entries[0]!.i.rules);
    expect(batch.lookAhead).toBeUndefined();
    const { shares } = allocateWindow(batch);
    const own = planParcels({ ...entries[0]!.i, networks: shares.get('o_1')! });
    expect(own.parcels.map((p) => p.locationId)).toEqual(['manhattan-store']);
    expect(own.explanation.join('\n')).toContain('no expected demand known, nothing added');
  });

  it('prices only the orders whose own rule set enables look-ahead, when the window mixes rule sets', () => {
    const ruleSets = [
      { ...windowed, id: 'marketplace', scope: { channels: ['marketplace'] }, lookAhead: { enabled: true } },
      windowed,
    ];
    const { batch, routed } = release([input('o_web', ruleSets, 'web'), input('o_mkt', ruleSets, 'marketplace')]);
    expect(batch.orders.find((o) => o.orderId === 'o_web')!.shadowPrices).toBeUndefined();
    expect(batch.orders.find((o) => o.orderId === 'o_mkt')!.shadowPrices!['manhattan-store']!.TEE).toBeGreaterThan(4);
    expect(routed.map((r) => r.parcels.map((p) => p.locationId))).toEqual([['manhattan-store'], ['reno-wh']]);
    expect(routed[0]!.explanation.join('\n')).not.toContain('look-ahead');
  });

  it('prices two windowed orders for the two units they could take: both go to the warehouse', () => {
    const ruleSets = [{ ...windowed, lookAhead: { enabled: true } }];
    const { batch, plan, routed } = release([input('o_1', ruleSets), input('o_2', ruleSets)]);
    const price = batch.lookAhead!.get('o_1')![0]!.price;
    const alone = release([input('o_1', ruleSets)]).batch.lookAhead!.get('o_1')![0]!.price;
    // The average over the last two units is dearer than the last-but-one alone.
    expect(price).toBeGreaterThan(alone);
    expect(routed.map((r) => r.parcels.map((p) => p.locationId))).toEqual([['reno-wh'], ['reno-wh']]);
    expect(plan.optimal).toBe(true);
  });

  it('costs a plan with the prices its orders met, so re-optimisation compares the allocator\'s own objective', () => {
    const { batch } = release([input('o_1', [{ ...windowed, lookAhead: { enabled: true } }])]);
    const price = batch.orders[0]!.shadowPrices!['manhattan-store']!.TEE!;
    const fromStore = [{ orderId: 'o_1', lineId: 'l1', locationId: 'manhattan-store', quantity: 1 }];
    const fromWarehouse = [{ orderId: 'o_1', lineId: 'l1', locationId: 'reno-wh', quantity: 1 }];
    const store = planCost(batch, fromStore);
    expect(store.shadow).toBeCloseTo(price, 12);
    expect(store.cost).toBeCloseTo(store.shipping + price, 9);
    expect(planCost(batch, fromWarehouse).shadow).toBeUndefined();
    expect(windowShadowCost(batch, fromStore)).toBeCloseTo(price, 12);
    // Moving the order off the store's last units saves its shadow price less the extra money.
    const saving = store.cost - planCost(batch, fromWarehouse).cost;
    expect(saving).toBeGreaterThan(0);
    const decided = decideReoptimisation({ batch, keep: fromStore, joint: fromWarehouse, reopened: ['o_1'], minSaving: 0.01 });
    expect(decided).toMatchObject({ apply: true, moved: ['o_1'] });
    expect(decided.saving).toBeCloseTo(saving, 2);
  });
});
