import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRoutingRules, ruleSetSchema, selectRuleSet, type RuleSet } from '../routing/rules.ts';
import { InvalidTransitionError, type Order } from './order.ts';
import { planParcels, type PlanInput } from './planning.ts';
import type { Shipment } from './shipment.ts';
import {
  allocateWindow,
  consolidationKey,
  decideConsolidation,
  decideWait,
  dueWindow,
  MAX_WINDOW_ORDERS,
  overdueForSweep,
  parkedForRelease,
  RELEASE_TICK_MS,
  releaseExplanation,
  releaseStart,
  releaseWindowFor,
  UNFILLED_PENALTY,
  windowBatch,
} from './release-window.ts';
import { anOrder, FIXED_TIME } from './test-fixtures.ts';
import { rulesOf, workload } from './what-if-fixtures.ts';

const now = FIXED_TIME;
const ruleSet = (input: Record<string, unknown>): RuleSet => ruleSetSchema.parse({ id: 'default', ...input });
const minutes = (n: number) => new Date(now.getTime() + n * 60_000).toISOString();
const waiting = (orderId: string, releaseAt: string, extra: Partial<Order> = {}) => anOrder({ orderId, status: 'WAITING_RELEASE', releaseAt, attempt: 1, ...extra });

describe('whether an order waits for its release window', () => {
  it('routes at once without a window (the default), exactly as before', () => {
    expect(ruleSet({}).releaseWindowMinutes).toBe(0);
    expect(releaseWindowFor(anOrder(), ruleSet({}), now)).toEqual({ wait: false, reason: 'no release window' });
  });

  it('waits the rule set\'s window from now', () => {
    expect(releaseWindowFor(anOrder(), ruleSet({ releaseWindowMinutes: 5 }), now)).toEqual({ wait: true, releaseAt: minutes(5), minutes: 5 });
  });

  it('never holds a VIP, a pickup, an order that already waited, or one whose split policy limits parcels', () => {
    const windowed = ruleSet({ releaseWindowMinutes: 5 });
    expect(releaseWindowFor(anOrder({ customer: { tier: 'vip' } }), windowed, now)).toMatchObject({ wait: false, reason: 'VIP orders never wait' });
    const pickup = anOrder({ lines: [...anOrder().lines, { lineId: 'l3', sku: 'MUG', quantity: 1, fulfillment: { type: 'pickup', locationId: 'ST-1' } }] });
    expect(releaseWindowFor(pickup, windowed, now)).toMatchObject({ wait: false, reason: 'pickups never wait' });
    expect(releaseWindowFor(anOrder({ releaseAt: minutes(-1) }), windowed, now)).toMatchObject({ wait: false });
    expect(releaseWindowFor(anOrder({ splitPolicy: 'single' }), windowed, now)).toMatchObject({ wait: false });
    expect(releaseWindowFor(anOrder(), ruleSet({ releaseWindowMinutes: 5, split: { maxParcels: 2 } }), now)).toMatchObject({ wait: false });
    expect(releaseWindowFor(anOrder({ status: 'BACKORDERED' }), windowed, now)).toMatchObject({ wait: false });
  });

  it('takes the window of the rule set the order\'s scope selects', () => {
    const rules = parseRoutingRules({ schemaVersion: 1, tenantId: 't_0123456789ab', version: 1, ruleSets: [{ id: 'market', scope: { channels: ['Marketplace'] }, releaseWindowMinutes: 10 }, { id: 'default' }] });
    const market = selectRuleSet(rules, { channel: 'marketplace', categories: [] });
    expect(releaseWindowFor(anOrder({ channel: 'marketplace' }), market, now)).toMatchObject({ wait: true, minutes: 10 });
    expect(releaseWindowFor(anOrder(), selectRuleSet(rules, { channel: 'web', categories: [] }), now)).toMatchObject({ wait: false });
  });

  it('accepts a window up to 60 minutes and names the field past it', () => {
    expect(ruleSet({ releaseWindowMinutes: 60 }).releaseWindowMinutes).toBe(60);
    for (const bad of [61, -1, 2.5, '5']) {
      const parsed = ruleSetSchema.safeParse({ id: 'default', releaseWindowMinutes: bad });
      expect(parsed.success).toBe(false);
      expect(parsed.error!.issues[0]!.path).toEqual(['releaseWindowMinutes']);
    }
  });
});

describe('parking and releasing an order', () => {
  it('parks an ACCEPTED order under the version it was read at, owned by the run that parked it', () => {
    const change = decideWait(anOrder(), 1, 'run-a', minutes(5), now);
    expect(change.expectedVersion).toBe(1);
    expect(change.order).toMatchObject({ status: 'WAITING_RELEASE', releaseAt: minutes(5), attempt: 1, execution: 'run-a', version: 2 });
    expect(change.order.history.at(-1)).toMatchObject({ status: 'WAITING_RELEASE', reason: `waiting for its release window until ${minutes(5)}` });
    expect(() => decideWait(anOrder({ status: 'ALLOCATED' }), 1, 'run-a', minutes(5), now)).toThrow(InvalidTransitionError);
  });

  it('lets the attempt that parked it (or an older one) stop, and a later attempt route it', () => {
    const parked = waiting('o_1', minutes(5));
    expect(parkedForRelease(parked, 1)).toBe(true);
    expect(parkedForRelease(parked, 0)).toBe(true);
    expect(parkedForRelease(parked, 2)).toBe(false);
    expect(parkedForRelease(anOrder({ attempt: 1 }), 1)).toBe(false);
  });

  it('claims a waiting order for the release under a new attempt and the window\'s run; a moved order is left alone', () => {
    const start = releaseStart(waiting('o_1', minutes(-1), { version: 4 }), 'w1', now);
    expect(start).toMatchObject({ kind: 'continue', attempt: 2, run: 'release:w1', expectedVersion: 4 });
    if (start.kind !== 'continue') throw new Error('expected a start');
    expect(start.order).toMatchObject({ status: 'ROUTING', attempt: 2, execution: 'release:w1', version: 5 });
    expect(releaseStart(waiting('o_1', minutes(-1), { status: 'CANCELLED' }), 'w1', now)).toEqual({ kind: 'stop', status: 'CANCELLED' });
  });

  it('never gives the release an attempt number an execution may have used', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), (attempt) => {
        const start = releaseStart(waiting('o_1', minutes(-1), { attempt }), 'w', now);
        return start.kind === 'continue' && start.attempt > Math.max(attempt, 1);
      }),
    );
  });

  it('lets the sweeper re-drive a waiting order only once its window is overdue by the grace', () => {
    const grace = 10 * 60_000;
    expect(overdueForSweep(waiting('o_1', minutes(-10)), now, grace)).toBe(true);
    expect(overdueForSweep(waiting('o_1', new Date(now.getTime() - grace + 1).toISOString()), now, grace)).toBe(false);
    expect(overdueForSweep(waiting('o_1', minutes(3)), now, grace)).toBe(false);
    expect(overdueForSweep(anOrder({ status: 'ROUTING', releaseAt: minutes(-60) }), now, grace)).toBe(false);
  });
});

describe('the due window', () => {
  it('is none while the earliest order is due after the next tick, and every waiting order once it is due within it', () => {
    expect(dueWindow([], now)).toBeUndefined();
    const later = [waiting('o_2', minutes(4)), waiting('o_1', new Date(now.getTime() + RELEASE_TICK_MS + 1).toISOString())];
    expect(dueWindow(later, now)).toBeUndefined();
    const due = dueWindow([waiting('o_2', minutes(4)), waiting('o_1', new Date(now.getTime() + RELEASE_TICK_MS).toISOString()), anOrder({ orderId: 'o_3' })], now)!;
    expect(due.orders.map((o) => o.orderId)).toEqual(['o_1', 'o_2']);
    expect(due.windowId).toBe(`${new Date(now.getTime() + RELEASE_TICK_MS).toISOString()}#o_1`);
  });

  it('has the same id whatever order the waiting orders are read in (two releases claim one window)', () => {
    const orders = Array.from({ length: 8 }, (_, i) => waiting(`o_${i}`, minutes((i % 3) - 2)));
    const expected = dueWindow(orders, now)!;
    fc.assert(fc.property(fc.shuffledSubarray(orders, { minLength: 8, maxLength: 8 }), (read) => dueWindow(read, now)!.windowId === expected.windowId));
  });

  it('takes at most MAX_WINDOW_ORDERS orders, earliest first', () => {
    const orders = Array.from({ length: MAX_WINDOW_ORDERS + 5 }, (_, i) => waiting(`o_${String(i).padStart(4, '0')}`, minutes(-1 - i)));
    const due = dueWindow(orders, now)!;
    expect(due.orders).toHaveLength(MAX_WINDOW_ORDERS);
    expect(due.orders[0]!.orderId).toBe(`o_${String(MAX_WINDOW_ORDERS + 4).padStart(4, '0')}`);
  });
});

describe('allocating a window together', () => {
  const rules = rulesOf(1, [{ id: 'default', preferences: { default: 'balanced' }, releaseWindowMinutes: 5 }]);
  /** A window of standard orders over one shared network (the workload's), each order seeing every SKU's stock. */
  function window(seed: number, orders: number): PlanInput[] {
    const { inputs } = workload(seed, orders, 12, rules);
    const all = new Map(inputs.flatMap((i) => i.networks.map((n) => [n.sku, n] as const)));
    return inputs.map((input) => {
      const order = { ...input.order, customer: { tier: 'standard' as const } };
      delete order.splitPolicy;
      return { ...input, order, networks: [...all.values()] };
    });
  }
  /** The window's cost under the allocator's cost model: parcels, unit costs and unfilled units. */
  function costOf(batch: ReturnType<typeof windowBatch>, parcelsByOrder: Map<string, Array<{ locationId: string; lines: Array<{ lineId: string; quantity: number }> }>>): number {
    let cost = 0;
    for (const order of batch.orders) {
      const parcels = parcelsByOrder.get(order.orderId) ?? [];
      let filled = 0;
      for (const p of parcels) {
        const c = order.costs[p.locationId]!;
        cost += c.shipmentCost;
        for (const l of p.lines) {
          cost += c.unitCost * order.lines.find((x) => x.lineId === l.lineId)!.weightLb * l.quantity;
          filled += l.quantity;
        }
      }
      cost += UNFILLED_PENALTY * (order.lines.reduce((s, l) => s + l.quantity, 0) - filled);
    }
    return cost;
  }

  it('never gives the window more of a SKU at a location than it has, and each order gets exactly its share as parcels', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const inputs = window(seed, 12);
      const entries = inputs.map((input) => ({ order: input.order, record: planParcels(input).record! }));
      const batch = windowBatch('w', entries, rules);
      const { plan, shares } = allocateWindow(batch);
      const taken = new Map<string, number>();
      for (const input of inputs) {
        const share = shares.get(input.order.orderId)!;
        const own = planParcels({ ...input, networks: share });
        const shared = share.reduce((s, n) => s + n.locations.reduce((t, l) => t + l.available, 0), 0);
        expect(own.parcels.reduce((s, p) => s + p.lines.reduce((t, l) => t + l.quantity, 0), 0)).toBe(shared);
        for (const p of own.parcels) for (const l of p.lines) taken.set(`${p.locationId}|${l.sku}`, (taken.get(`${p.locationId}|${l.sku}`) ?? 0) + l.quantity);
      }
      const stock = new Map<string, number>(inputs[0]!.networks.flatMap((n) => n.locations.map((l) => [`${l.locationId}|${n.sku}`, l.available] as const)));
      for (const [key, units] of taken) expect(units).toBeLessThanOrEqual(stock.get(key) ?? 0);
      expect(plan.cost).toBeGreaterThanOrEqual(plan.lowerBound - 1e-6);
    }
  });

  it('costs no more than routing the same orders one at a time in arrival order over the stock left', () => {
    for (const seed of [7, 8, 9, 10]) {
      const inputs = window(seed, 15);
      const entries = inputs.map((input) => ({ order: input.order, record: planParcels(input).record! }));
      const batch = windowBatch('w', entries, rules);
      const { plan } = allocateWindow(batch);
      // Myopic: each order routed by the per-order engine on what the earlier ones left.
      const left = new Map(inputs[0]!.networks.map((n) => [n.sku, new Map(n.locations.map((l) => [l.locationId, l.available]))]));
      const myopic = new Map<string, Array<{ locationId: string; lines: Array<{ lineId: string; sku: string; quantity: number }> }>>();
      for (const input of inputs) {
        const networks = [...left].map(([sku, at]) => ({ sku, locations: [...at].map(([locationId, available]) => ({ locationId, available })) }));
        const { parcels } = planParcels({ ...input, networks });
        myopic.set(input.order.orderId, parcels);
        for (const p of parcels) for (const l of p.lines) left.get(l.sku)!.set(p.locationId, left.get(l.sku)!.get(p.locationId)! - l.quantity);
      }
      expect(plan.cost).toBeLessThanOrEqual(costOf(batch, myopic) + 1e-6);
    }
  });

  it('explains the wait and the orders allocated together', () => {
    const lines = releaseExplanation({ orderId: 'o_1', createdAt: minutes(-4) }, ['o_1', 'o_2', 'o_3'], { cost: 20, shipping: 20, provenGap: 0, optimal: true }, now);
    expect(lines[0]).toBe('waited 4 min for its release window; allocated together with 2 other order(s) (o_2, o_3) by the batch allocator');
    expect(lines[1]).toBe('window plan: shipping 20.00 over 3 order(s), proven optimal');
  });
});

describe('consolidating one customer\'s orders to one address', () => {
  const base = { customer: { id: 'C-1', tier: 'standard' as const }, shipTo: { country: 'US', postalCode: '10001', address: '1 Main St' } };

  it('groups by customer and address, ignoring case and spaces; an order without a customer is alone', () => {
    const key = consolidationKey(anOrder({ orderId: 'o_1', ...base }));
    expect(consolidationKey(anOrder({ orderId: 'o_2', ...base, shipTo: { country: 'us', postalCode: '10001', address: ' 1  MAIN st ' } }))).toBe(key);
    expect(consolidationKey(anOrder({ orderId: 'o_3', ...base, shipTo: { ...base.shipTo, address: '2 Main St' } }))).not.toBe(key);
    expect(consolidationKey(anOrder({ orderId: 'o_4', ...base, customer: { id: 'C-2', tier: 'standard' } }))).not.toBe(key);
    expect(consolidationKey(anOrder({ orderId: 'o_5', customer: { email: 'Ann@Example.com', tier: 'standard' } }))).toBe(consolidationKey(anOrder({ orderId: 'o_6', customer: { email: 'ann@example.COM', tier: 'standard' } })));
    expect(consolidationKey(anOrder({ orderId: 'o_7' }))).toBe('order:o_7');
  });

  const quote = (cost: number) => ({ carrier: 'ups', service: 'ground', cost, promisedDeliveryDate: '2026-11-30', co2Grams: 100 });
  const shipment = (orderId: string, n: number, cost: number, status: Shipment['status'] = 'REQUESTED'): Shipment => ({
    tenantId: 't_0123456789ab',
    orderId,
    shipmentId: `${orderId}-s${n}`,
    reservationId: `${orderId}-s${n}`,
    locationId: 'wh-1',
    fulfillment: 'ship',
    lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1 }],
    quote: quote(cost),
    status,
    history: [{ status, at: now.toISOString() }],
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 1,
  });
  const allocated = (orderId: string, minutesAgo: number) =>
    anOrder({ orderId, ...base, status: 'ALLOCATED', version: 4, createdAt: minutes(-minutesAgo), routing: { attempt: 2, decidedAt: now.toISOString(), explanation: ['waited ... by the batch allocator'] } });

  it('joins the shipments as one parcel charged once, and says who waited, with whom and what it saved', () => {
    const group = [
      { order: allocated('o_1', 5), shipments: [shipment('o_1', 1, 8.5)] },
      { order: allocated('o_2', 3), shipments: [shipment('o_2', 1, 8.5)] },
    ];
    const decided = decideConsolidation(group, [{ locationId: 'wh-1', shipmentIds: ['o_1-s1', 'o_2-s1'], combined: quote(9.25) }], now)!;
    expect(decided.saved).toBe(7.75);
    const [first, second] = decided.changes;
    expect(first!.expectedVersion).toBe(4);
    expect(first!.order.version).toBe(5);
    expect(first!.order.status).toBe('ALLOCATED');
    expect(first!.order.routing!.explanation).toEqual(['waited 5 min, consolidated with o_2, saved $7.75', 'waited ... by the batch allocator']);
    expect(second!.order.routing!.explanation[0]).toBe('waited 3 min, consolidated with o_1, saved $7.75');
    expect(first!.shipments[0]).toMatchObject({ quote: { cost: 9.25 }, parcel: { parcelId: 'parcel-o_1-s1', shipmentIds: ['o_1-s1', 'o_2-s1'], orderIds: ['o_1', 'o_2'], lead: true }, version: 2 });
    expect(second!.shipments[0]).toMatchObject({ quote: { cost: 0 }, parcel: { parcelId: 'parcel-o_1-s1', lead: false } });
  });

  it('leaves the parcels apart when a location has accepted one, or when one parcel would not be cheaper', () => {
    const group = (status: Shipment['status']) => [
      { order: allocated('o_1', 5), shipments: [shipment('o_1', 1, 8.5)] },
      { order: allocated('o_2', 3), shipments: [shipment('o_2', 1, 8.5, status)] },
    ];
    const parcels = (cost: number) => [{ locationId: 'wh-1', shipmentIds: ['o_1-s1', 'o_2-s1'], combined: quote(cost) }];
    expect(decideConsolidation(group('ACCEPTED'), parcels(9), now)).toBeUndefined();
    expect(decideConsolidation(group('REQUESTED'), parcels(17), now)).toBeUndefined();
    expect(decideConsolidation(group('REQUESTED'), parcels(16.99), now)!.saved).toBe(0.01);
  });

  it('lets the batch allocator share parcels within a group: fewer parcels than orders routed apart', () => {
    const rules = rulesOf(1, [{ id: 'default', preferences: { default: 'balanced' }, releaseWindowMinutes: 5 }]);
    const { inputs } = workload(3, 6, 12, rules);
    const all = new Map(inputs.flatMap((i) => i.networks.map((n) => [n.sku, n] as const)));
    // Six orders of one customer to one address, each of one unit of the same common SKU.
    const sku = [...all.values()].sort((a, b) => b.locations.reduce((s, l) => s + l.available, 0) - a.locations.reduce((s, l) => s + l.available, 0))[0]!.sku;
    const windowInputs = inputs.map((input, i) => ({
      ...input,
      order: { ...anOrder({ orderId: `o_${i}`, ...base }), lines: [{ lineId: 'l1', sku, quantity: 1, fulfillment: { type: 'ship' as const } }] },
      destination: inputs[0]!.destination,
      networks: [...all.values()],
    }));
    const entries = windowInputs.map((input) => ({ order: input.order, record: planParcels(input).record! }));
    const batch = windowBatch('w', entries, rules);
    expect(new Set(batch.orders.map((o) => o.groupKey)).size).toBe(1);
    const { plan } = allocateWindow(batch);
    const apart = windowBatch('w', entries.map((e) => ({ ...e, order: { ...e.order, customer: { tier: 'standard' as const } } })), rules);
    expect(new Set(apart.orders.map((o) => o.groupKey)).size).toBe(6);
    expect(plan.parcels).toBeLessThan(allocateWindow(apart).plan.parcels);
    expect(plan.cost).toBeLessThan(allocateWindow(apart).plan.cost);
  });
});
