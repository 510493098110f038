import { describe, expect, it } from 'vitest';
import { statusAfterShipments } from './allocation.ts';
import { decideFailure, decideRestart, executionName, ownsOrder, stockArrivedFor } from './attempts.ts';
import { decideCancel, OrderNotCancellableError } from './cancel.ts';
import { decideDueCheck } from './delays.ts';
import { ORDER_STATUSES, type Order, type OrderStatus } from './order.ts';
import { boundedExplanation, decideAllocation, decidePlanStart, MAX_EXPLANATION_LINES, type PlannedParcel } from './planning.ts';
import { InvalidShipmentActionError, type Shipment, type ShipmentStatus } from './shipment.ts';
import { decideShipmentReport } from './shipment-report.ts';
import { anOrder } from './test-fixtures.ts';

const at = new Date('2026-12-03T12:00:00Z');

/** One ship line of 2 TEE, ALLOCATED by attempt 1. */
function order(overrides: Partial<Order> = {}): Order {
  return anOrder({ lines: [{ lineId: 'l1', sku: 'TEE', quantity: 2, fulfillment: { type: 'ship' } }], status: 'ALLOCATED', history: [], attempt: 1, createdAt: at.toISOString(), updatedAt: at.toISOString(), version: 5, ...overrides });
}

function shipment(status: ShipmentStatus, overrides: Partial<Shipment> = {}): Shipment {
  return {
    tenantId: 't_0123456789ab',
    orderId: 'o_01abc',
    shipmentId: 'o_01abc-S1-1-1',
    locationId: 'olean',
    fulfillment: 'ship',
    lines: [{ lineId: 'l1', sku: 'TEE', quantity: 2 }],
    reservationId: 'o_01abc-S1-1-1',
    status,
    history: [],
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
    version: 1,
    ...overrides,
  };
}

describe('cancelling an order', () => {
  it('cancels open shipments and releases their reservations in the same change as the order', () => {
    const change = decideCancel(order(), [shipment('ACCEPTED')], at)!;
    expect(change.order.status).toBe('CANCELLED');
    expect(change.expectedVersion).toBe(5);
    expect(change.shipments.map((s) => s.status)).toEqual(['CANCELLED']);
    expect(change.reservations).toEqual([{ reservationId: 'o_01abc-S1-1-1', lines: [{ locationId: 'olean', sku: 'TEE', quantity: 2 }], to: 'RELEASED' }]);
  });

  it('answers a repeated cancel with no change', () => {
    expect(decideCancel(order({ status: 'CANCELLED' }), [], at)).toBeUndefined();
  });

  it('refuses an order with a shipped parcel, naming its lines and the status', () => {
    const refusal = (() => {
      try {
        decideCancel(order({ status: 'SHIPPED' }), [shipment('SHIPPED')], at);
      } catch (error) {
        return error as OrderNotCancellableError;
      }
    })();
    expect(refusal).toBeInstanceOf(OrderNotCancellableError);
    expect(refusal!.status).toBe('SHIPPED');
    expect(refusal!.lines).toEqual([{ lineId: 'l1', sku: 'TEE', shipmentId: 'o_01abc-S1-1-1' }]);
  });

  it('decides every status without an unexpected error: a change, no change, or a refusal', () => {
    for (const status of ORDER_STATUSES) {
      try {
        const change = decideCancel(order({ status }), [], at);
        expect(change === undefined ? 'CANCELLED' : change.order.status).toBe('CANCELLED');
      } catch (error) {
        expect(error).toBeInstanceOf(OrderNotCancellableError);
        expect(['SHIPPED', 'DELIVERED', 'PICKED_UP', 'RETURNED']).toContain(status);
      }
    }
  });
});

describe('a shipment report', () => {
  it('commits the reservation when the parcel ships, and the order is SHIPPED once every unit left', () => {
    const decision = decideShipmentReport(order(), [shipment('ACCEPTED')], shipment('ACCEPTED'), 'ship', at);
    expect(decision.kind).toBe('change');
    if (decision.kind !== 'change') return;
    expect(decision.change.order.status).toBe('SHIPPED');
    expect(decision.change.reservations.map((r) => r.to)).toEqual(['COMMITTED']);
  });

  it('releases the reservation of a rejected parcel; its lines wait and the location is excluded', () => {
    const decision = decideShipmentReport(order(), [shipment('REQUESTED')], shipment('REQUESTED'), 'reject', at, { reason: 'damaged' });
    if (decision.kind !== 'change') throw new Error('expected a change');
    expect(decision.change.order.status).toBe('BACKORDERED');
    expect(decision.change.order.backorderedLines).toEqual([{ lineId: 'l1', sku: 'TEE', quantity: 2 }]);
    expect(decision.change.order.routingExclusions).toEqual([{ locationId: 'olean', sku: 'TEE' }]);
    expect(decision.change.reservations.map((r) => r.to)).toEqual(['RELEASED']);
  });

  it('answers a repeated report as a repeat, with no change', () => {
    expect(decideShipmentReport(order(), [shipment('SHIPPED')], shipment('SHIPPED'), 'ship', at).kind).toBe('repeat');
  });

  it('refuses to ship a cancelled parcel (a cancel won the race)', () => {
    expect(() => decideShipmentReport(order({ status: 'CANCELLED' }), [shipment('CANCELLED')], shipment('CANCELLED'), 'ship', at)).toThrow(InvalidShipmentActionError);
  });

  it('lets the parcels of a FAILED order ship and be rejected without moving the order (ops own it)', () => {
    for (const action of ['ship', 'reject', 'accept'] as const) {
      const decision = decideShipmentReport(order({ status: 'FAILED' }), [shipment('REQUESTED')], shipment('REQUESTED'), action, at);
      if (decision.kind !== 'change') throw new Error('expected a change');
      expect(decision.change.order.status).toBe('FAILED');
      expect(decision.change.order.version).toBe(6);
    }
  });
});

describe('where an order becomes SHIPPED or DELIVERED', () => {
  it('follows its parcels only while it is allocated or shipped', () => {
    expect(statusAfterShipments(order(), [shipment('SHIPPED')])).toBe('SHIPPED');
    expect(statusAfterShipments(order({ status: 'SHIPPED' }), [shipment('DELIVERED')])).toBe('DELIVERED');
    expect(statusAfterShipments(order({ status: 'PARTIALLY_ALLOCATED' }), [shipment('SHIPPED', { lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1 }] })])).toBeUndefined();
    expect(statusAfterShipments(order({ status: 'FAILED' }), [shipment('SHIPPED')])).toBeUndefined();
  });
});

describe('routing attempts', () => {
  it('claims attempt 2 when the order never recorded one: attempt 1 belongs to OrderAccepted', () => {
    const decision = decideRestart(order({ status: 'ACCEPTED', attempt: 0 }), [], at, 'stuck', { force: true });
    if (decision.kind !== 'claim') throw new Error('expected a claim');
    expect(decision.attempt).toBe(2);
    expect(decision.executionName).toBe('o_01abc-2');
    expect(decision.change.order).toMatchObject({ status: 'ROUTING', attempt: 2, version: 6 });
  });

  it('claims the next attempt of a backordered order, and never the same name twice', () => {
    const first = decideRestart(order({ status: 'BACKORDERED', attempt: 3, backorderedLines: [{ lineId: 'l1', sku: 'TEE', quantity: 2 }] }), [], at, 'stock');
    if (first.kind !== 'claim') throw new Error('expected a claim');
    const second = decideRestart({ ...first.change.order, status: 'FAILED' }, [], at, 'ops retry', { force: true });
    if (second.kind !== 'claim') throw new Error('expected a claim');
    expect([first.executionName, second.executionName]).toEqual(['o_01abc-4', 'o_01abc-5']);
  });

  it('leaves an order being routed to its attempt unless forced, and starts that attempt again by its name', () => {
    expect(decideRestart(order({ status: 'ROUTING', attempt: 4 }), [], at, 'stock')).toEqual({ kind: 'in-flight', attempt: 4, executionName: executionName('o_01abc', 4) });
    expect(decideRestart(order({ status: 'ROUTING', attempt: 4 }), [], at, 'stuck', { force: true }).kind).toBe('claim');
  });

  it('needs no attempt for an order fully allocated, cancelled or delivered', () => {
    expect(decideRestart(order(), [shipment('REQUESTED')], at, 'stock').kind).toBe('not-needed');
    for (const status of ['CANCELLED', 'DELIVERED', 'SHIPPED', 'RETURNED'] as OrderStatus[]) expect(decideRestart(order({ status }), [], at, 'x', { force: true }).kind).toBe('not-needed');
  });

  it('lets only the attempt that owns the order (or a newer one) write it', () => {
    expect(ownsOrder(order({ attempt: 3 }), 2)).toBe(false);
    expect(ownsOrder(order({ attempt: 3 }), 3)).toBe(true);
    expect(ownsOrder(order({ attempt: 3 }), 4)).toBe(true);
  });

  it('marks FAILED only for the owning attempt, and leaves final or failed orders as they are', () => {
    expect(decideFailure(order({ status: 'ROUTING', attempt: 3 }), 2, 'x', at).kind).toBe('stale');
    expect(decideFailure(order({ status: 'CANCELLED' }), 1, 'x', at).kind).toBe('final');
    const failed = decideFailure(order({ status: 'ROUTING', attempt: 0 }), 1, 'Routing attempt 1 failed', at);
    if (failed.kind !== 'fail') throw new Error('expected a failure');
    expect(failed.change.order).toMatchObject({ status: 'FAILED', attempt: 1, statusReason: 'Routing attempt 1 failed' });
    expect(decideFailure(order({ status: 'ACCEPTED', attempt: 0 }), 1, 'x', at).kind).toBe('fail');
  });

  it('leaves an order its attempt already decided: the step wrote its decision, then failed before it could answer', () => {
    // Seen in the crash test on a loaded machine: the fulfil step wrote BACKORDERED, then timed out; its Catch must
    // not turn the decided order (and the stock its shipments hold) into a FAILED one.
    for (const status of ['ALLOCATED', 'PARTIALLY_ALLOCATED', 'BACKORDERED'] as const) {
      expect(decideFailure(order({ status, attempt: 1 }), 1, 'Routing attempt 1 failed', at)).toEqual({ kind: 'decided', status });
    }
    // A later attempt's Catch fails a re-routed order only while it is still routing.
    expect(decideFailure(order({ status: 'ROUTING', attempt: 2 }), 2, 'x', at).kind).toBe('fail');
    expect(decideFailure(order({ status: 'ALLOCATED', attempt: 2 }), 2, 'x', at).kind).toBe('decided');
  });

  it('sees stock arrived for a waiting order only at a location it may still use', () => {
    const waiting = order({ status: 'BACKORDERED', backorderedLines: [{ lineId: 'l1', sku: 'TEE', quantity: 2 }], routingExclusions: [{ locationId: 'olean', sku: 'TEE' }] });
    expect(stockArrivedFor(waiting, [{ sku: 'TEE', locations: [{ locationId: 'olean', available: 9 }] }])).toBe(false);
    expect(stockArrivedFor(waiting, [{ sku: 'TEE', locations: [{ locationId: 'nyc', available: 1 }] }])).toBe(true);
  });
});

describe('the plan and confirm steps', () => {
  it('stops an attempt a later one superseded, and routes the owner once (ROUTING written once per attempt)', () => {
    expect(decidePlanStart(order({ attempt: 3 }), 2, at).kind).toBe('stop');
    expect(decidePlanStart(order({ status: 'CANCELLED' }), 1, at).kind).toBe('stop');
    const first = decidePlanStart(order({ status: 'ACCEPTED', attempt: 0 }), 1, at);
    expect(first.kind === 'continue' && first.change?.order).toMatchObject({ status: 'ROUTING', attempt: 1 });
    const again = decidePlanStart(order({ status: 'ROUTING', attempt: 1 }), 1, at);
    expect(again.kind === 'continue' && again.change).toBeUndefined();
  });

  const parcel = (id: string): PlannedParcel => ({
    tenantId: 't_0123456789ab',
    orderId: 'o_01abc',
    reservationId: id,
    locationId: 'olean',
    locationType: 'warehouse',
    fulfillment: 'ship',
    lines: [{ lineId: 'l1', sku: 'TEE', quantity: 2 }],
    weightLb: 1,
    origin: { lat: 0, lon: 0 },
    destination: { lat: 0, lon: 0 },
    preference: 'balanced',
    vip: false,
  });

  it('gives back what a superseded attempt reserved, except what a shipment already holds', () => {
    const decision = decideAllocation(order({ status: 'CANCELLED' }), [shipment('CANCELLED', { reservationId: 'held' })], 1, [parcel('held'), parcel('mine')], undefined, at);
    expect(decision).toMatchObject({ kind: 'superseded', release: ['mine'], kept: ['held'] });
  });

  it('allocates the owner: shipments REQUESTED with their deadline, the order ALLOCATED', () => {
    const decision = decideAllocation(order({ status: 'ROUTING', attempt: 1 }), [], 1, [parcel('o_01abc-S1-1-1')], ['why'], at);
    if (decision.kind !== 'allocate') throw new Error('expected an allocation');
    expect(decision.change.order.status).toBe('ALLOCATED');
    expect(decision.created[0]).toMatchObject({ status: 'REQUESTED', acceptBy: '2026-12-04T12:00:00.000Z' });
  });

  it('bounds the explanation that travels in the workflow state', () => {
    const long = boundedExplanation(Array.from({ length: 500 }, (_, i) => `line ${i} ${'x'.repeat(1000)}`));
    expect(long).toHaveLength(MAX_EXPLANATION_LINES);
    expect(long.every((l) => l.length <= 400)).toBe(true);
    expect(long.at(-1)).toMatch(/more lines/);
  });
});

describe('the due-shipment check', () => {
  it('marks a late parcel once and takes an unaccepted one away', () => {
    const late = shipment('REQUESTED', { quote: { carrier: 'ups', service: 'ground', cost: 5, promisedDeliveryDate: '2026-12-01', co2Grams: 1 }, acceptBy: '2026-12-01T00:00:00.000Z' });
    const check = decideDueCheck(order(), late, at);
    expect(check).toMatchObject({ kind: 'mark-late', thenTakeAway: expect.any(String) });
    expect(decideDueCheck(order(), shipment('REQUESTED', { acceptBy: '2026-12-03T11:00:00.000Z' }), at)).toMatchObject({ kind: 'take-away' });
    expect(decideDueCheck(order(), shipment('DELIVERED'), at)).toEqual({ kind: 'nothing' });
  });
});

describe('runs of one attempt (Express workflows start at least once, and reuse names)', () => {
  it('lets the first run of attempt 1 take the order and stops a second run of the same attempt', () => {
    const accepted = order({ status: 'ACCEPTED', attempt: 0 });
    const first = decidePlanStart(accepted, 1, at, 'run-a');
    if (first.kind !== 'continue' || !first.change) throw new Error('expected the first run to take the order');
    expect(first.change.order).toMatchObject({ status: 'ROUTING', attempt: 1, execution: 'run-a' });
    expect(decidePlanStart(first.change.order, 1, at, 'run-b').kind).toBe('stop');
    const again = decidePlanStart(first.change.order, 1, at, 'run-a');
    expect(again.kind === 'continue' && again.change).toBeUndefined();
  });

  it('records the first run of a claimed attempt, and stops the others', () => {
    const claim = decideRestart(order({ status: 'FAILED', attempt: 1, execution: 'old-run' }), [], at, 'ops retry', { force: true });
    if (claim.kind !== 'claim') throw new Error('expected a claim');
    expect(claim.change.order.execution).toBeUndefined();
    const taken = decidePlanStart(claim.change.order, 2, at, 'run-a');
    if (taken.kind !== 'continue' || !taken.change) throw new Error('expected the run to record itself');
    expect(taken.change.order).toMatchObject({ status: 'ROUTING', attempt: 2, execution: 'run-a', version: claim.change.order.version + 1 });
    expect(decidePlanStart(taken.change.order, 2, at, 'run-b').kind).toBe('stop');
  });

  it('lets neither confirm nor the Catch of another run of the attempt touch the order', () => {
    const routing = order({ status: 'ROUTING', attempt: 1, execution: 'run-a' });
    expect(decideFailure(routing, 1, 'x', at, 'run-b').kind).toBe('stale');
    expect(decideFailure(routing, 1, 'x', at, 'run-a').kind).toBe('fail');
    expect(decideAllocation(routing, [], 1, [], undefined, at, 'run-b').kind).toBe('superseded');
    expect(decideAllocation(routing, [], 1, [], undefined, at, 'run-a').kind).toBe('allocate');
  });
});
