import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateBatch } from '../routing/batch/allocate-batch.ts';
import type { Batch, BatchAllocation, BatchOrder } from '../routing/batch/types.ts';
import { MAX_MONEY, ruleSetSchema, type RuleSet } from '../routing/rules.ts';
import { eventsForChange } from '../table-events/change-events.ts';
import type { Order } from './order.ts';
import {
  allocationOf,
  decideMove,
  decideReoptimisation,
  nextRound,
  planCost,
  reopenable,
  reoptimiseOf,
  unitMoves,
  withHeldUnits,
} from './reoptimise.ts';
import { SHIPMENT_STATUSES, type Shipment, type ShipmentStatus } from './shipment.ts';
import { anOrder, FIXED_TIME } from './test-fixtures.ts';

const now = FIXED_TIME;
const ruleSet = (input: Record<string, unknown> = {}): RuleSet => ruleSetSchema.parse({ id: 'default', ...input });
const allocated = (extra: Partial<Order> = {}) => anOrder({ orderId: 'o_a', status: 'ALLOCATED', attempt: 2, version: 5, lines: [{ lineId: 'l1', sku: 'TEE', quantity: 2, fulfillment: { type: 'ship' } }], ...extra });

function shipment(id: string, locationId: string, quantity: number, status: ShipmentStatus = 'REQUESTED', extra: Partial<Shipment> = {}): Shipment {
  return {
    tenantId: 't_0123456789ab',
    orderId: 'o_a',
    shipmentId: id,
    locationId,
    fulfillment: 'ship',
    lines: [{ lineId: 'l1', sku: 'TEE', quantity }],
    reservationId: id,
    quote: { carrier: 'UPS', service: 'Ground', cost: 7.5, promisedDeliveryDate: '2026-11-30', co2Grams: 900 },
    status,
    history: [{ status, at: now.toISOString() }],
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 3,
    ...extra,
  };
}

describe('which allocated orders re-optimisation may move', () => {
  it('is off unless the rule set enables it, with a default threshold of $1', () => {
    expect(reoptimiseOf(ruleSet()).enabled).toBe(false);
    expect(reoptimiseOf(ruleSet({ reoptimise: { enabled: true } }))).toEqual({ enabled: true, minSaving: 1 });
    expect(reoptimiseOf(ruleSet({ reoptimise: { enabled: false, minSaving: 3 } })).enabled).toBe(false);
  });

  it('refuses a threshold of 0 or less, naming the field', () => {
    for (const bad of [0, -1]) {
      const parsed = ruleSetSchema.safeParse({ id: 'default', reoptimise: { enabled: true, minSaving: bad } });
      expect(parsed.success).toBe(false);
      expect(parsed.error!.issues[0]!.path).toEqual(['reoptimise', 'minSaving']);
    }
    expect(ruleSetSchema.safeParse({ id: 'default', reoptimise: { enabled: true, minSaving: 0.01 } }).success).toBe(true);
    // The bound of every money amount in rules: 10,000 accepted, a cent more refused by name.
    expect(ruleSetSchema.safeParse({ id: 'default', reoptimise: { enabled: true, minSaving: MAX_MONEY } }).success).toBe(true);
    const over = ruleSetSchema.safeParse({ id: 'default', reoptimise: { enabled: true, minSaving: MAX_MONEY + 0.01 } });
    expect(over.error!.issues[0]!.path).toEqual(['reoptimise', 'minSaving']);
    expect(ruleSetSchema.safeParse({ id: 'default', reoptimise: { minSaving: 2 } }).error!.issues[0]!.path).toEqual(['reoptimise', 'enabled']);
  });

  it('takes an order whose shipments are all still REQUESTED, with the units they hold', () => {
    const open = reopenable(allocated(), [shipment('o_a-S2-1-1', 'L1', 1), shipment('o_a-S2-1-2', 'L2', 1), shipment('o_a-S1-1-1', 'L1', 1, 'CANCELLED')], ruleSet());
    expect(open).toEqual({ ok: true, held: [{ locationId: 'L1', sku: 'TEE', quantity: 1 }, { locationId: 'L2', sku: 'TEE', quantity: 1 }] });
  });

  it('never takes an order with a shipment a location accepted, shipped or rejected', () => {
    for (const status of ['ACCEPTED', 'SHIPPED'] as const) {
      expect(reopenable(allocated(), [shipment('s1', 'L1', 1), shipment('s2', 'L2', 1, status)], ruleSet())).toEqual({ ok: false, reason: `s2 is ${status}` });
    }
    // A rejected shipment re-routes its lines: the order is no longer ALLOCATED as planned.
    expect(reopenable(allocated({ status: 'PARTIALLY_ALLOCATED' }), [shipment('s1', 'L1', 1, 'REJECTED')], ruleSet()).ok).toBe(false);
  });

  it('leaves VIPs, pickups, shared parcels, sharded stock and parcel-limited split policies alone', () => {
    const s = [shipment('s1', 'L1', 2)];
    expect(reopenable(allocated({ customer: { tier: 'vip' } }), s, ruleSet()).ok).toBe(false);
    expect(reopenable(allocated({ lines: [{ lineId: 'l1', sku: 'TEE', quantity: 2, fulfillment: { type: 'pickup', locationId: 'L1' } }] }), s, ruleSet()).ok).toBe(false);
    expect(reopenable(allocated(), [shipment('s1', 'L1', 2, 'REQUESTED', { parcel: { parcelId: 'p', shipmentIds: ['s1', 'x'], orderIds: ['o_a', 'o_b'], lead: true } })], ruleSet()).ok).toBe(false);
    expect(reopenable(allocated(), [shipment('s1', 'L1', 2, 'REQUESTED', { stockShards: true })], ruleSet()).ok).toBe(false);
    expect(reopenable(allocated({ splitPolicy: 'single' }), s, ruleSet()).ok).toBe(false);
    expect(reopenable(allocated(), s, ruleSet({ split: { maxParcels: 2 } })).ok).toBe(false);
  });

  it('counts the held units as free in the joint plan\'s stock, adding a location the projection no longer lists', () => {
    const networks = [{ sku: 'TEE', locations: [{ locationId: 'L1', available: 0 }] }, { sku: 'CAP', locations: [{ locationId: 'L1', available: 4 }] }];
    expect(withHeldUnits(networks, [{ locationId: 'L1', sku: 'TEE', quantity: 2 }, { locationId: 'L2', sku: 'TEE', quantity: 1 }])).toEqual([
      { sku: 'TEE', locations: [{ locationId: 'L1', available: 2 }, { locationId: 'L2', available: 1 }] },
      networks[1],
    ]);
  });
});

/** Two orders, one location each close: the classic case where an early order took the units a later one needed. */
function crossBatch(): Batch {
  return {
    id: 'w',
    unfilledPenalty: 1000,
    locations: [{ id: 'L1', inventory: { TEE: 1 } }, { id: 'L2', inventory: { TEE: 1 } }],
    orders: [
      { orderId: 'o_new', groupKey: 'g-new', lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1, weightLb: 1 }], costs: { L1: { shipmentCost: 5, unitCost: 0 }, L2: { shipmentCost: 20, unitCost: 0 } } },
      { orderId: 'o_old', groupKey: 'g-old', lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1, weightLb: 1 }], costs: { L1: { shipmentCost: 6, unitCost: 0 }, L2: { shipmentCost: 7, unitCost: 0 } } },
    ],
  };
}
const keepCross: BatchAllocation[] = [
  { orderId: 'o_new', lineId: 'l1', locationId: 'L2', quantity: 1 },
  { orderId: 'o_old', lineId: 'l1', locationId: 'L1', quantity: 1 },
];
const jointCross: BatchAllocation[] = [
  { orderId: 'o_new', lineId: 'l1', locationId: 'L1', quantity: 1 },
  { orderId: 'o_old', lineId: 'l1', locationId: 'L2', quantity: 1 },
];

describe('whether the joint plan is applied', () => {
  it('costs a plan as the batch allocator does: parcels per group and location, per-lb costs, the unfilled penalty', () => {
    expect(planCost(crossBatch(), keepCross)).toEqual({ cost: 26, shipping: 26, unfilledUnits: 0 });
    expect(planCost(crossBatch(), jointCross)).toEqual({ cost: 12, shipping: 12, unfilledUnits: 0 });
    expect(planCost(crossBatch(), jointCross.slice(0, 1))).toEqual({ cost: 1005, shipping: 5, unfilledUnits: 1 });
    expect(planCost(crossBatch(), [{ orderId: 'o_new', lineId: 'l1', locationId: 'L9', quantity: 1 }]).cost).toBe(Number.POSITIVE_INFINITY);
  });

  it('applies a plan that saves at least the threshold (exactly at it included)', () => {
    expect(decideReoptimisation({ batch: crossBatch(), keep: keepCross, joint: jointCross, reopened: ['o_old'], minSaving: 14 })).toEqual({ apply: true, saving: 14, moved: ['o_old'] });
  });

  it('changes nothing below the threshold', () => {
    expect(decideReoptimisation({ batch: crossBatch(), keep: keepCross, joint: jointCross, reopened: ['o_old'], minSaving: 14.01 })).toEqual({
      apply: false,
      saving: 14,
      reason: 'saves $14.00, below the threshold of $14.01',
    });
  });

  it('changes nothing when the joint plan moves no allocated order, or leaves more units unfilled', () => {
    expect(decideReoptimisation({ batch: crossBatch(), keep: keepCross, joint: keepCross, reopened: ['o_old'], minSaving: 1 }).apply).toBe(false);
    const starving = [{ orderId: 'o_new', lineId: 'l1', locationId: 'L1', quantity: 1 }];
    expect(decideReoptimisation({ batch: crossBatch(), keep: keepCross, joint: starving, reopened: ['o_old'], minSaving: 1 })).toMatchObject({ apply: false });
  });

  it('never applies a plan saving less than minSaving, and what it applies is never dearer (random windows, the real allocator)', () => {
    const skus = ['A', 'B'];
    const order = (id: string, group: string) =>
      fc.record({
        lines: fc.array(fc.record({ sku: fc.constantFrom(...skus), quantity: fc.integer({ min: 1, max: 3 }), weightLb: fc.constantFrom(0.5, 1, 2) }), { minLength: 1, maxLength: 2 }),
        costs: fc.array(fc.record({ shipmentCost: fc.integer({ min: 1, max: 30 }), unitCost: fc.constantFrom(0, 0.5, 1) }), { minLength: 3, maxLength: 3 }),
      }).map(({ lines, costs }): BatchOrder => ({
        orderId: id,
        groupKey: group,
        lines: lines.map((l, i) => ({ lineId: `l${i + 1}`, ...l })),
        costs: Object.fromEntries(costs.map((c, i) => [`L${i + 1}`, c])),
      }));
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 2, maxLength: 2 }), { minLength: 3, maxLength: 3 }),
        fc.array(order('x', 'x'), { minLength: 1, maxLength: 3 }),
        fc.array(order('y', 'y'), { minLength: 1, maxLength: 3 }),
        fc.double({ min: 0.01, max: 40, noNaN: true }),
        (stock, windowShapes, oldShapes, minSaving) => {
          const locations = stock.map((units, i) => ({ id: `L${i + 1}`, inventory: Object.fromEntries(skus.map((s, j) => [s, units[j]!])) }));
          const window = windowShapes.map((o, i) => ({ ...o, orderId: `o_w${i}`, groupKey: `w${i}` }));
          const old = oldShapes.map((o, i) => ({ ...o, orderId: `o_o${i}`, groupKey: `o${i}` }));
          // The old orders were allocated first, each on its own, from the stock there was: they hold those units.
          const free = locations.map((l) => ({ ...l, inventory: { ...l.inventory } }));
          const current: BatchAllocation[] = [];
          for (const o of old) current.push(...allocateBatch({ id: o.orderId, unfilledPenalty: 1000, locations: free, orders: [o] }).allocations);
          for (const a of current) {
            const sku = old.find((o) => o.orderId === a.orderId)!.lines.find((l) => l.lineId === a.lineId)!.sku;
            (free.find((l) => l.id === a.locationId)!.inventory as Record<string, number>)[sku]! -= a.quantity;
          }
          const windowAlone = allocateBatch({ id: 'w', unfilledPenalty: 1000, locations: free, orders: window }, { maxIterations: 10 });
          const joint: Batch = { id: 'w', unfilledPenalty: 1000, locations, orders: [...window, ...old] };
          const plan = allocateBatch(joint, { maxIterations: 10 });
          const keep = [...windowAlone.allocations, ...current];
          const decision = decideReoptimisation({ batch: joint, keep, joint: plan.allocations, reopened: old.map((o) => o.orderId), minSaving });
          const [before, after] = [planCost(joint, keep), planCost(joint, plan.allocations)];
          if (decision.apply) {
            expect(before.cost - after.cost).toBeGreaterThanOrEqual(minSaving - 0.005);
            expect(after.unfilledUnits).toBeLessThanOrEqual(before.unfilledUnits);
            expect(decision.saving).toBeGreaterThanOrEqual(minSaving);
          } else if (after.unfilledUnits <= before.unfilledUnits && before.cost - after.cost >= minSaving + 0.005) {
            // Saving enough without starving anyone: only a plan that moves no allocated order is kept as it is.
            expect(decision).toMatchObject({ apply: false, reason: 'the joint plan moves no allocated order' });
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 30_000);
});

describe('moving one order to its share of the joint plan', () => {
  const move = (shipments: Shipment[], planned: Shipment[], order = allocated()) =>
    decideMove({ order, shipments, planned, id: 'w1', withOrders: ['o_new'], saving: 3.1, now });

  it('cancels the shipment whose units leave, requests the new one, releases its reservation and says why', () => {
    const old = shipment('o_a-S2-1-1', 'L1', 2);
    const created = shipment('o_a-S2-2-1', 'L2', 2, 'REQUESTED', { version: 1 });
    const decision = move([old], [created]);
    expect(decision.kind).toBe('move');
    if (decision.kind !== 'move') return;
    const { change } = decision;
    expect(change.expectedVersion).toBe(5);
    expect(change.order.version).toBe(6);
    expect(change.order.status).toBe('ALLOCATED');
    expect(change.order.allocations).toEqual([{ lineId: 'l1', sku: 'TEE', locationId: 'L2', quantity: 2 }]);
    expect(change.order.routing!.explanation[0]).toBe('re-optimised with o_new: moved 2 x TEE from L1 to L2, saved $3.10');
    expect(change.order.reoptimised).toEqual([
      { id: 'w1', at: now.toISOString(), withOrders: ['o_new'], moves: [{ sku: 'TEE', quantity: 2, fromLocationId: 'L1', toLocationId: 'L2' }], saved: 3.1, cancelledShipmentIds: ['o_a-S2-1-1'], requestedShipmentIds: ['o_a-S2-2-1'] },
    ]);
    expect(change.shipments.map((s) => [s.shipmentId, s.status, s.version])).toEqual([
      ['o_a-S2-1-1', 'CANCELLED', 4],
      ['o_a-S2-2-1', 'REQUESTED', 1],
    ]);
    expect(change.shipments[0]!.history.at(-1)!.reason).toBe('re-optimised with o_new: its units are now planned moved 2 x TEE from L1 to L2');
    expect(change.reservations).toEqual([{ reservationId: 'o_a-S2-1-1', lines: [{ locationId: 'L1', sku: 'TEE', quantity: 2 }], to: 'RELEASED' }]);
  });

  it('keeps a shipment planned again exactly as it is, and changes nothing when every one is', () => {
    const a = shipment('o_a-S2-1-1', 'L1', 1);
    const b = shipment('o_a-S2-1-2', 'L2', 1, 'REQUESTED', { lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1 }] });
    expect(move([a, b], [{ ...a, shipmentId: 'o_a-S2-2-1' }, { ...b, shipmentId: 'o_a-S2-2-2' }]).kind).toBe('unchanged');
    const decision = move([a, b], [{ ...a, shipmentId: 'o_a-S2-2-1' }, shipment('o_a-S2-2-2', 'L3', 1, 'REQUESTED', { version: 1 })]);
    expect(decision.kind === 'move' && decision.change.shipments.map((s) => `${s.shipmentId}:${s.status}`)).toEqual(['o_a-S2-1-2:CANCELLED', 'o_a-S2-2-2:REQUESTED']);
  });

  it('refuses a move that gives back and takes units of one location+SKU (one transaction touches a stock item once)', () => {
    expect(move([shipment('o_a-S2-1-1', 'L1', 2)], [shipment('o_a-S2-2-1', 'L1', 1), shipment('o_a-S2-2-2', 'L2', 1)])).toEqual({ kind: 'same-stock', locationId: 'L1', sku: 'TEE' });
  });

  it('never changes a shipment that is not REQUESTED, whatever the plan (random shipments and plans)', () => {
    const status = fc.constantFrom<ShipmentStatus>(...SHIPMENT_STATUSES);
    const loc = fc.constantFrom('L1', 'L2', 'L3');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(loc, fc.integer({ min: 1, max: 3 }), status), { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(loc, fc.integer({ min: 1, max: 3 })), { maxLength: 3 }),
        (current, plan) => {
          const shipments = current.map(([l, q, st], i) => shipment(`o_a-S2-1-${i + 1}`, l, q, st));
          const planned = plan.map(([l, q], i) => shipment(`o_a-S2-2-${i + 1}`, l, q, 'REQUESTED', { version: 1 }));
          const decision = move(shipments, planned);
          if (decision.kind !== 'move') return;
          const before = new Map(shipments.map((s) => [s.shipmentId, s]));
          for (const changed of decision.change.shipments) {
            const was = before.get(changed.shipmentId);
            if (was) expect(was.status).toBe('REQUESTED');
          }
          expect(shipments.filter((s) => s.status === 'ACCEPTED' || s.status === 'SHIPPED')).toEqual([]);
          // The order's allocations are exactly what its untouched and new shipments hold.
          const units = (list: readonly { quantity: number }[]) => list.reduce((n, a) => n + a.quantity, 0);
          const untouched = shipments.filter((s) => (s.status === 'REQUESTED') && !decision.change.shipments.some((c) => c.shipmentId === s.shipmentId));
          expect(units(decision.change.order.allocations)).toBe(units([...untouched, ...decision.created].flatMap((s) => s.lines)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('describes the units that change hands per SKU, and numbers new shipments after the attempt\'s last round', () => {
    expect(unitMoves([shipment('a', 'L1', 3)], [shipment('b', 'L2', 2), shipment('c', 'L3', 1)])).toEqual([
      { sku: 'TEE', quantity: 2, fromLocationId: 'L1', toLocationId: 'L2' },
      { sku: 'TEE', quantity: 1, fromLocationId: 'L1', toLocationId: 'L3' },
    ]);
    expect(nextRound({ attempt: 2 }, [{ shipmentId: 'o_a-S2-1-1' }, { shipmentId: 'o_a-S2-3-1' }, { shipmentId: 'o_a-S1-7-1' }])).toBe(4);
    expect(allocationOf('o_a', [shipment('s', 'L1', 2), shipment('t', 'L2', 1, 'CANCELLED')])).toEqual([{ orderId: 'o_a', lineId: 'l1', locationId: 'L1', quantity: 2 }]);
  });
});

describe('the ShipmentsReoptimised event', () => {
  it('is published once per move, from the order item that records it, with what moved', () => {
    const old = shipment('o_a-S2-1-1', 'L1', 2);
    const decision = decideMove({ order: allocated(), shipments: [old], planned: [shipment('o_a-S2-2-1', 'L2', 2, 'REQUESTED', { version: 1 })], id: 'w1', withOrders: ['o_new'], saving: 3.1, now });
    if (decision.kind !== 'move') throw new Error('expected a move');
    const item = (order: Order) => ({ entity: 'Order', ...order }) as Record<string, unknown>;
    const events = eventsForChange({ changeId: 'c1', kind: 'MODIFY', occurredAt: now.toISOString(), oldItem: item(allocated()), newItem: item(decision.change.order) });
    expect(events.map((e) => e.detailType)).toEqual(['ShipmentsReoptimised']);
    expect(events[0]!.metadata.eventId).toBe('c1:ShipmentsReoptimised:w1');
    expect(events[0]!.data).toMatchObject({
      orderId: 'o_a',
      reoptimisationId: 'w1',
      withOrders: ['o_new'],
      moves: [{ sku: 'TEE', quantity: 2, fromLocationId: 'L1', toLocationId: 'L2' }],
      saved: 3.1,
      cancelledShipmentIds: ['o_a-S2-1-1'],
      requestedShipmentIds: ['o_a-S2-2-1'],
      allocations: [{ lineId: 'l1', sku: 'TEE', locationId: 'L2', quantity: 2 }],
    });
    // A later change of the same order (a location accepts the new shipment) does not send it again.
    const later = { ...decision.change.order, version: 7 };
    expect(eventsForChange({ changeId: 'c2', kind: 'MODIFY', occurredAt: now.toISOString(), oldItem: item(decision.change.order), newItem: item(later) })).toEqual([]);
  });
});
