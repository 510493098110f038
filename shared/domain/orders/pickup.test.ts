import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { statusAfterShipments } from './allocation.ts';
import { decideAllocation } from './planning.ts';
import { canTransition, isFinal, type Order } from './order.ts';
import { decidePickupAction, decidePickupHold, decidePickupRejection, PickupLockedError, refusedPickupStore, WrongPickupCodeError } from './pickup.ts';
import { InvalidShipmentActionError, MAX_PICKUP_CODE_ATTEMPTS, nextCheckAt, pickupHold, type Shipment, type ShipmentStatus } from './shipment.ts';
import { decideShipmentReport } from './shipment-report.ts';
import { anOrder } from './test-fixtures.ts';

const at = new Date('2026-12-03T12:00:00Z');
const hours = (h: number) => new Date(at.getTime() + h * 3_600_000);

/** A pickup order of 2 TEE at 19.99 at bk-store, ALLOCATED by attempt 1. */
function order(overrides: Partial<Order> = {}): Order {
  return anOrder({
    lines: [{ lineId: 'l1', sku: 'TEE', quantity: 2, fulfillment: { type: 'pickup', locationId: 'bk-store' }, unitPriceMinor: 1999 }],
    currency: 'USD',
    shippingChargedMinor: 0,
    status: 'ALLOCATED',
    history: [],
    attempt: 1,
    version: 5,
    ...overrides,
  });
}

function pickup(status: ShipmentStatus, overrides: Partial<Shipment> = {}): Shipment {
  return {
    tenantId: 't_0123456789ab',
    orderId: 'o_01abc',
    shipmentId: 'o_01abc-S1-1-1',
    locationId: 'bk-store',
    fulfillment: 'pickup',
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

const ready = (overrides: Partial<Shipment> = {}) => pickup('READY_FOR_PICKUP', { pickup: pickupHold(at, 4, '123456'), ...overrides });

describe('a pickup made ready', () => {
  it('issues the code, starts the hold (reminder halfway) and moves the order to READY_FOR_PICKUP', () => {
    const decision = decidePickupAction(order(), [pickup('ACCEPTED')], pickup('ACCEPTED'), 'ready', at, { newCode: '042042', by: { keyId: 'k1', keyName: 'tablet' } });
    expect(decision.kind).toBe('change');
    if (decision.kind !== 'change') return;
    expect(decision.shipment.status).toBe('READY_FOR_PICKUP');
    expect(decision.shipment.pickup).toEqual({ code: '042042', readyAt: at.toISOString(), remindAt: hours(60).toISOString(), expiresAt: hours(120).toISOString(), failedAttempts: 0 });
    expect(decision.shipment.history.at(-1)?.by).toEqual({ keyId: 'k1', keyName: 'tablet' });
    expect(decision.change.order.status).toBe('READY_FOR_PICKUP');
    expect(decision.change.reservations).toEqual([]);
  });

  it('records the store as its location reads when made ready (and on a new code); without one, keeps the store as planned', () => {
    const planned = { locationId: 'bk-store', name: 'Brooklyn' };
    const now = { locationId: 'bk-store', name: 'Brooklyn Heights', address: { line1: '1 Court St', postalCode: '11201', country: 'US' }, timeZone: 'America/New_York' };
    const accepted = pickup('ACCEPTED', { store: planned });
    const refreshed = decidePickupAction(order(), [accepted], accepted, 'ready', at, { newCode: '042042', store: now });
    expect(refreshed.kind === 'change' && refreshed.shipment.store).toEqual(now);
    const kept = decidePickupAction(order(), [accepted], accepted, 'ready', at, { newCode: '042042' });
    expect(kept.kind === 'change' && kept.shipment.store).toEqual(planned);
    const reissued = decidePickupAction(order(), [ready({ store: planned })], ready({ store: planned }), 'ready', at, { newCode: '777777', reissueCode: true, store: now });
    expect(reissued.kind === 'change' && reissued.shipment.store).toEqual(now);
  });

  it('holds as long as the store says', () => {
    const decision = decidePickupAction(order(), [pickup('ACCEPTED', { pickupHoldDays: 2 })], pickup('ACCEPTED', { pickupHoldDays: 2 }), 'ready', at, { newCode: '1' });
    expect(decision.kind === 'change' && decision.shipment.pickup?.expiresAt).toBe(hours(48).toISOString());
  });

  it('answers a repeat as it is, and issues a new code only when asked (the tries start again)', () => {
    const tried = ready({ pickup: { ...pickupHold(at, 4, '123456'), failedAttempts: 3 } });
    expect(decidePickupAction(order(), [tried], tried, 'ready', at, { newCode: '999999' })).toEqual({ kind: 'repeat', shipment: tried });
    const reissued = decidePickupAction(order(), [tried], tried, 'ready', at, { newCode: '999999', reissueCode: true });
    expect(reissued.kind === 'change' && reissued.shipment.pickup).toMatchObject({ code: '999999', failedAttempts: 0, expiresAt: tried.pickup!.expiresAt });
  });

  it('refuses pickup steps on a parcel, and curbside arrival on a plain pickup', () => {
    const parcel = pickup('ACCEPTED', { fulfillment: 'ship' });
    expect(() => decidePickupAction(order(), [parcel], parcel, 'ready', at, { newCode: '1' })).toThrow(InvalidShipmentActionError);
    expect(() => decidePickupAction(order(), [ready()], ready(), 'arrive', at, { bay: '2' })).toThrow(/Only a curbside pickup/);
  });
});

describe('curbside arrival and the hand-over', () => {
  it('records bay and vehicle, then hands over with the right code (any case, spaces trimmed): the reservation is committed', () => {
    const curbside = ready({ fulfillment: 'curbside', pickup: pickupHold(at, 5, 'AB12CD') });
    const arrived = decidePickupAction(order({ status: 'READY_FOR_PICKUP' }), [curbside], curbside, 'arrive', hours(1), { bay: '3', vehicle: 'blue Civic' });
    if (arrived.kind !== 'change') throw new Error('expected a change');
    expect(arrived.shipment.status).toBe('CUSTOMER_ARRIVED');
    expect(arrived.shipment.pickup?.arrival).toEqual({ at: hours(1).toISOString(), bay: '3', vehicle: 'blue Civic' });
    const handed = decidePickupAction(arrived.change.order, [arrived.shipment], arrived.shipment, 'pick-up', hours(1), { code: ' ab12cd ' });
    if (handed.kind !== 'change') throw new Error('expected a change');
    expect(handed.shipment.status).toBe('PICKED_UP');
    expect(handed.change.order.status).toBe('PICKED_UP');
    expect(isFinal(handed.change.order.status)).toBe(true);
    expect(handed.change.reservations).toEqual([{ reservationId: curbside.reservationId, lines: [{ locationId: 'bk-store', sku: 'TEE', quantity: 2 }], to: 'COMMITTED' }]);
    expect(decidePickupAction(handed.change.order, [handed.shipment], handed.shipment, 'pick-up', hours(2), { code: 'wrong' }).kind).toBe('repeat');
  });

  it('records a wrong code and refuses it naming the tries left; locks after the limit', () => {
    let shipment = ready();
    for (let i = 1; i <= MAX_PICKUP_CODE_ATTEMPTS; i++) {
      const decision = decidePickupAction(order(), [shipment], shipment, 'pick-up', at, { code: '000000' });
      if (decision.kind !== 'wrong-code') throw new Error('expected a wrong code');
      expect(decision.error).toBeInstanceOf(WrongPickupCodeError);
      expect(decision.error.attemptsLeft).toBe(MAX_PICKUP_CODE_ATTEMPTS - i);
      expect(decision.change.reservations).toEqual([]);
      shipment = decision.change.shipments[0]!;
    }
    expect(() => decidePickupAction(order(), [shipment], shipment, 'pick-up', at, { code: '123456' })).toThrow(PickupLockedError);
  });

  it('refuses a hand-over of a pickup not ready yet, whatever the code', () => {
    expect(() => decidePickupAction(order(), [pickup('ACCEPTED')], pickup('ACCEPTED'), 'pick-up', at, { code: '123456' })).toThrow(InvalidShipmentActionError);
  });

  it('accepts only the exact code (property: any other string is refused)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (code) => {
        fc.pre(code.trim().toUpperCase() !== '123456');
        return decidePickupAction(order(), [ready()], ready(), 'pick-up', at, { code }).kind === 'wrong-code';
      }),
    );
  });
});

describe('the hold', () => {
  it('is due at the reminder, then at the expiry, in the scheduled check', () => {
    expect(nextCheckAt(ready())).toBe(hours(48).toISOString());
    const reminded = decidePickupHold(order(), [ready()], ready(), hours(48));
    if (reminded.kind !== 'change') throw new Error('expected the reminder');
    expect(reminded.outcome).toBe('reminded');
    const after = reminded.change.shipments[0]!;
    expect(nextCheckAt(after)).toBe(hours(96).toISOString());
    expect(decidePickupHold(order(), [after], after, hours(50))).toEqual({ kind: 'nothing' });
    expect(decidePickupHold(order(), [ready()], ready(), hours(47))).toEqual({ kind: 'nothing' });
  });

  it('expires an uncollected pickup: units released, lines cancelled and refunded, the order CANCELLED when nothing is left', () => {
    const decision = decidePickupHold(order({ status: 'READY_FOR_PICKUP' }), [ready()], ready(), hours(96));
    if (decision.kind !== 'change') throw new Error('expected the expiry');
    expect(decision.outcome).toBe('expired');
    expect(decision.change.shipments[0]!.status).toBe('EXPIRED');
    expect(decision.change.reservations[0]!.to).toBe('RELEASED');
    expect(decision.change.order.status).toBe('CANCELLED');
    expect(decision.change.order.cancelledLines).toEqual([
      expect.objectContaining({ cancellationId: 'o_01abc-S1-1-1-X1', lineId: 'l1', quantity: 2, cause: 'pickup-expired', refund: expect.objectContaining({ items: '39.98', total: '39.98', shipping: '0.00' }) }),
    ]);
    expect(nextCheckAt(decision.change.shipments[0]!)).toBeUndefined();
    expect(decidePickupHold(decision.change.order, decision.change.shipments, decision.change.shipments[0]!, hours(200))).toEqual({ kind: 'nothing' });
  });

  it('lets the rest of a mixed order go on when its pickup expires', () => {
    const mixed = order({
      status: 'SHIPPED',
      lines: [
        { lineId: 'l1', sku: 'TEE', quantity: 2, fulfillment: { type: 'pickup', locationId: 'bk-store' }, unitPriceMinor: 1999 },
        { lineId: 'l2', sku: 'CAP', quantity: 1, fulfillment: { type: 'ship' }, unitPriceMinor: 500 },
      ],
    });
    const parcel = pickup('SHIPPED', { shipmentId: 'o_01abc-S1-1-2', reservationId: 'o_01abc-S1-1-2', fulfillment: 'ship', locationId: 'olean', lines: [{ lineId: 'l2', sku: 'CAP', quantity: 1 }] });
    const decision = decidePickupHold(mixed, [ready(), parcel], ready(), hours(96));
    if (decision.kind !== 'change') throw new Error('expected the expiry');
    expect(decision.change.order.status).toBe('SHIPPED');
    expect(decision.change.order.backorderedLines).toEqual([]);
  });
});

describe('a store that cannot take a pickup', () => {
  it('nearest-store (default): the lines wait to be routed again, never to that store, and the customer is told', () => {
    const { change } = decidePickupRejection(order(), [pickup('REQUESTED')], pickup('REQUESTED'), at, { reason: 'shelf empty' });
    expect(change.order.status).toBe('BACKORDERED');
    expect(change.order.backorderedLines).toEqual([{ lineId: 'l1', sku: 'TEE', quantity: 2 }]);
    expect(change.order.pickupReroutes).toEqual([expect.objectContaining({ fallback: 'nearest-store', fromLocationId: 'bk-store', lineIds: ['l1'] })]);
    expect(change.order.pickupReroutes![0]).not.toHaveProperty('fromStore');
    const withStore = pickup('REQUESTED', { store: { locationId: 'bk-store', name: 'Brooklyn Heights' } });
    expect(decidePickupRejection(order(), [withStore], withStore, at).change.order.pickupReroutes![0]!.fromStore).toEqual({ locationId: 'bk-store', name: 'Brooklyn Heights' });
    expect(refusedPickupStore(change.order, 'bk-store', 'TEE')).toBe(true);
    expect(change.reservations[0]!.to).toBe('RELEASED');
  });

  it('ship: the lines become parcel lines, routed like any other', () => {
    const { change } = decidePickupRejection(order({ pickupFallback: 'ship' }), [pickup('ACCEPTED')], pickup('ACCEPTED'), at);
    expect(change.order.lines[0]!.fulfillment).toEqual({ type: 'ship', movedFrom: 'bk-store' });
    expect(change.order.status).toBe('BACKORDERED');
    expect(refusedPickupStore(change.order, 'bk-store', 'TEE')).toBe(false);
  });

  it('cancel: the lines are cancelled and refunded; nothing left cancels the order', () => {
    const { change } = decidePickupRejection(order({ pickupFallback: 'cancel' }), [pickup('REQUESTED')], pickup('REQUESTED'), at);
    expect(change.order.status).toBe('CANCELLED');
    expect(change.order.cancelledLines?.[0]).toMatchObject({ cause: 'pickup-cancelled', refund: { total: '39.98' } });
  });

  it('goes through the fallback when the acceptance check rejects on the store\'s behalf too', () => {
    const decision = decideShipmentReport(order({ pickupFallback: 'cancel' }), [pickup('REQUESTED')], pickup('REQUESTED'), 'reject', at, { reason: 'not accepted in time' });
    expect(decision.kind === 'change' && decision.change.order.status).toBe('CANCELLED');
  });

  it('cancels and refunds a refused pickup no store near could take, at the confirm step, the same way on a replay', () => {
    const rejected = decidePickupRejection(order(), [pickup('REQUESTED')], pickup('REQUESTED'), at).change.order;
    const routing = { ...rejected, status: 'ROUTING' as const, attempt: 2 };
    const first = decideAllocation(routing, [], 2, [], ['none near'], at);
    const again = decideAllocation(routing, [], 2, [], ['none near'], at);
    if (first.kind !== 'allocate' || again.kind !== 'allocate') throw new Error('expected an allocation');
    expect(first.change.order.status).toBe('CANCELLED');
    expect(first.change.order.cancelledLines?.map((c) => c.cancellationId)).toEqual(['o_01abc-A2-X1']);
    expect(again.change.order.cancelledLines).toEqual(first.change.order.cancelledLines);
  });
});

describe('the order follows its pickups', () => {
  it('is READY_FOR_PICKUP while some wait, PICKED_UP when all are handed over, SHIPPED/DELIVERED when a parcel is among them', () => {
    const two = order({ lines: [{ lineId: 'l1', sku: 'TEE', quantity: 2, fulfillment: { type: 'pickup', locationId: 'bk-store' } }, { lineId: 'l2', sku: 'CAP', quantity: 1, fulfillment: { type: 'pickup', locationId: 'bk-store' } }] });
    const a = ready();
    const b = pickup('READY_FOR_PICKUP', { shipmentId: 'x-2', lines: [{ lineId: 'l2', sku: 'CAP', quantity: 1 }] });
    expect(statusAfterShipments(two, [a, b])).toBe('READY_FOR_PICKUP');
    expect(statusAfterShipments({ ...two, status: 'READY_FOR_PICKUP' }, [a, { ...b, status: 'PICKED_UP' }])).toBeUndefined();
    expect(statusAfterShipments({ ...two, status: 'READY_FOR_PICKUP' }, [{ ...a, status: 'PICKED_UP' }, { ...b, status: 'PICKED_UP' }])).toBe('PICKED_UP');
    expect(statusAfterShipments({ ...two, status: 'READY_FOR_PICKUP' }, [a, { ...b, status: 'SHIPPED', fulfillment: 'ship' }])).toBe('SHIPPED');
    expect(statusAfterShipments({ ...two, status: 'SHIPPED' }, [{ ...a, status: 'PICKED_UP' }, { ...b, status: 'DELIVERED', fulfillment: 'ship' }])).toBe('DELIVERED');
    expect(canTransition('PICKED_UP', 'RETURNED')).toBe(true);
    expect(canTransition('PICKED_UP', 'CANCELLED')).toBe(false);
  });

  it('leaves a rejected parcel to today\'s re-routing, with no pickup fallback', () => {
    const parcel = pickup('REQUESTED', { fulfillment: 'ship' });
    const decision = decideShipmentReport(order({ lines: [{ lineId: 'l1', sku: 'TEE', quantity: 2, fulfillment: { type: 'ship' } }] }), [parcel], parcel, 'reject', at);
    expect(decision.kind === 'change' && decision.change.order.pickupReroutes).toBeUndefined();
  });
});
