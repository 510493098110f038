import { describe, expect, it } from 'vitest';
import { canonicalJson, placeOrderSchema } from './intake.ts';
import { anOrder, FIXED_TIME } from './test-fixtures.ts';
import { InvalidTransitionError, statusAfterAllocation, transition, unallocatedLines, type Order } from './order.ts';
import { receiveReturn, restockedUnits, returnableUnits, ReturnRefusedError, sameReturn } from './returns.ts';
import { acceptByFor, applyShipmentAction, InvalidShipmentActionError, isAcceptanceOverdue, isLate, markDelayed, nextCheckAt, orderIdOfShipment, promiseToWatch, shipmentId, type Shipment } from './shipment.ts';

const at = FIXED_TIME;
const order = anOrder;

describe('order lifecycle', () => {
  it('records each status change in the history with its time and reason, and bumps the version', () => {
    const routed = transition(order(), 'ROUTING', at);
    const failed = transition(routed, 'FAILED', at, 'carrier rates unavailable');
    expect(failed.history.map((h) => h.status)).toEqual(['ACCEPTED', 'ROUTING', 'FAILED']);
    expect(failed.statusReason).toBe('carrier rates unavailable');
    expect(failed.version).toBe(3);
  });

  it('never moves a cancelled or delivered order again', () => {
    expect(() => transition(order({ status: 'CANCELLED' }), 'ALLOCATED', at)).toThrow(InvalidTransitionError);
    expect(() => transition(order({ status: 'DELIVERED' }), 'CANCELLED', at)).toThrow(InvalidTransitionError);
  });

  it('lets a backordered order be routed again but not allocated without routing', () => {
    expect(transition(order({ status: 'BACKORDERED' }), 'ROUTING', at).status).toBe('ROUTING');
    expect(() => transition(order({ status: 'BACKORDERED' }), 'ALLOCATED', at)).toThrow(InvalidTransitionError);
  });

  it('calls an order allocated, partially allocated or backordered by the units reserved', () => {
    const o = order();
    expect(statusAfterAllocation(o, [])).toBe('BACKORDERED');
    expect(statusAfterAllocation(o, [{ lineId: 'l1', sku: 'TEE', locationId: 'A', quantity: 2 }])).toBe('PARTIALLY_ALLOCATED');
    expect(
      statusAfterAllocation(o, [
        { lineId: 'l1', sku: 'TEE', locationId: 'A', quantity: 1 },
        { lineId: 'l1', sku: 'TEE', locationId: 'B', quantity: 1 },
        { lineId: 'l2', sku: 'CAP', locationId: 'A', quantity: 1 },
      ]),
    ).toBe('ALLOCATED');
  });

  it('lists the units each line still waits for', () => {
    expect(unallocatedLines(order(), [{ lineId: 'l1', sku: 'TEE', locationId: 'A', quantity: 1 }])).toEqual([
      { lineId: 'l1', sku: 'TEE', quantity: 1 },
      { lineId: 'l2', sku: 'CAP', quantity: 1 },
    ]);
  });
});

describe('order intake', () => {
  const valid = { channel: 'web', shipTo: { country: 'US', postalCode: '10001' }, lines: [{ lineId: 'l1', sku: 'TEE', quantity: 2 }] };

  it('fills defaults: ship fulfilment and a standard customer', () => {
    const parsed = placeOrderSchema.parse(valid);
    expect(parsed.lines[0]!.fulfillment).toEqual({ type: 'ship' });
    expect(parsed.customer.tier).toBe('standard');
  });

  it('keeps a customer name at the bound, in any script, trimmed', () => {
    const name = `Zoë 李 ${'A'.repeat(194)}`;
    expect(name).toHaveLength(200);
    expect(placeOrderSchema.parse({ ...valid, customer: { name: ` ${name} ` } }).customer.name).toBe(name);
  });

  it.each([
    ['zero quantity', { lines: [{ lineId: 'l1', sku: 'TEE', quantity: 0 }] }, 'lines.0.quantity'],
    ['negative quantity', { lines: [{ lineId: 'l1', sku: 'TEE', quantity: -3 }] }, 'lines.0.quantity'],
    ['fractional quantity', { lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1.5 }] }, 'lines.0.quantity'],
    ['huge quantity', { lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1e9 }] }, 'lines.0.quantity'],
    ['string quantity', { lines: [{ lineId: 'l1', sku: 'TEE', quantity: '2' }] }, 'lines.0.quantity'],
    ['no lines', { lines: [] }, 'lines'],
    ['1,000 lines', { lines: Array.from({ length: 1000 }, (_, i) => ({ lineId: `l${i}`, sku: 'TEE', quantity: 1 })) }, 'lines'],
    ['duplicate line ids', { lines: [{ lineId: 'l1', sku: 'A', quantity: 1 }, { lineId: 'l1', sku: 'B', quantity: 1 }] }, 'lines.1.lineId'],
    ['pickup without a store', { lines: [{ lineId: 'l1', sku: 'A', quantity: 1, fulfillment: { type: 'pickup' } }] }, 'lines.0.fulfillment.locationId'],
    ['no destination', { shipTo: { country: 'US' } }, 'shipTo.postalCode'],
    ['lower-case country', { shipTo: { country: 'us', postalCode: '10001' } }, 'shipTo.country'],
    ['huge sku', { lines: [{ lineId: 'l1', sku: 'X'.repeat(5000), quantity: 1 }] }, 'lines.0.sku'],
    ['unknown field', { coupon: 'FREE' }, ''],
    ['blank customer name', { customer: { name: '   ' } }, 'customer.name'],
    ['customer name over 200 characters', { customer: { name: 'A'.repeat(201) } }, 'customer.name'],
  ])('refuses %s, naming the field', (_, patch, field) => {
    const result = placeOrderSchema.safeParse({ ...valid, ...patch });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toContain(field);
  });

  it('fingerprints bodies the same whatever their key order', () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: 1 }] })).toBe(canonicalJson({ a: [{ x: 1, y: 2 }], b: 1 }));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: 2 }));
  });
});

describe('shipments', () => {
  const shipment: Shipment = {
    tenantId: 't_0123456789ab',
    orderId: 'o_01abc',
    shipmentId: shipmentId('o_01abc', 1, 1, 0),
    locationId: 'BROOKLYN',
    fulfillment: 'ship',
    lines: [{ lineId: 'l1', sku: 'TEE', quantity: 2 }],
    reservationId: 'r1',
    status: 'REQUESTED',
    history: [],
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
    version: 1,
  };

  it('names its order in its id', () => {
    expect(shipment.shipmentId).toBe('o_01abc-S1-1-1');
    expect(orderIdOfShipment(shipment.shipmentId)).toBe('o_01abc');
    expect(orderIdOfShipment('nonsense')).toBeUndefined();
  });

  it('goes requested -> accepted -> shipped -> delivered, keeping the tracking', () => {
    const accepted = applyShipmentAction(shipment, 'accept', at);
    const shipped = applyShipmentAction(accepted, 'ship', at, { tracking: { trackingNumber: '1Z999' } });
    const delivered = applyShipmentAction(shipped, 'deliver', at);
    expect(delivered.status).toBe('DELIVERED');
    expect(delivered.tracking?.trackingNumber).toBe('1Z999');
    expect(delivered.history.map((h) => h.status)).toEqual(['ACCEPTED', 'SHIPPED', 'DELIVERED']);
  });

  it('cannot reject or cancel a shipped parcel', () => {
    const shipped = applyShipmentAction(shipment, 'ship', at);
    expect(() => applyShipmentAction(shipped, 'reject', at)).toThrow(InvalidShipmentActionError);
    expect(() => applyShipmentAction(shipped, 'cancel', at)).toThrow('A shipped shipment cannot be cancelled');
  });
});

function shipment(status: Shipment['status'], lines: Shipment['lines'], n = 1, promised?: string): Shipment {
  return {
    tenantId: 't_0123456789ab',
    orderId: 'o_01abc',
    shipmentId: shipmentId('o_01abc', 1, 1, n - 1),
    locationId: 'olean-wh',
    fulfillment: 'ship',
    lines,
    reservationId: `r-${n}`,
    ...(promised ? { quote: { carrier: 'UPS', service: 'GROUND', cost: 9.5, promisedDeliveryDate: promised, co2Grams: 400 } } : {}),
    status,
    history: [],
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
    version: 1,
  };
}

describe('late shipments', () => {
  const tee = [{ lineId: 'l1', sku: 'TEE', quantity: 1 }];
  const dayAfter = new Date('2026-11-27T00:00:01Z');

  it('are open shipments whose whole promised day has passed', () => {
    expect(isLate(shipment('ACCEPTED', tee, 1, '2026-11-26'), new Date('2026-11-26T23:59:59Z'))).toBe(false);
    expect(isLate(shipment('ACCEPTED', tee, 1, '2026-11-26'), dayAfter)).toBe(true);
    expect(isLate(shipment('SHIPPED', tee, 1, '2026-11-26'), dayAfter)).toBe(true);
    expect(isLate(shipment('DELIVERED', tee, 1, '2026-11-26'), dayAfter)).toBe(false);
    expect(isLate(shipment('REJECTED', tee, 1, '2026-11-26'), dayAfter)).toBe(false);
    expect(isLate(shipment('ACCEPTED', tee), dayAfter)).toBe(false);
  });

  it('are marked once, with what has not happened yet, and then no longer watched', () => {
    const unshipped = markDelayed(shipment('ACCEPTED', tee, 1, '2026-11-26'), dayAfter);
    const undelivered = markDelayed(shipment('SHIPPED', tee, 1, '2026-11-26'), dayAfter);
    expect(unshipped.delayed).toEqual({ at: dayAfter.toISOString(), previousPromisedDeliveryDate: '2026-11-26', reason: 'not shipped yet; it was promised for 2026-11-26' });
    expect(undelivered.delayed?.reason).toBe('not delivered; it was promised for 2026-11-26');
    expect(unshipped.version).toBe(2);
    expect(promiseToWatch(unshipped)).toBeUndefined();
    expect(isLate(unshipped, new Date('2026-12-10T00:00:00Z'))).toBe(false);
    expect(() => markDelayed(unshipped, dayAfter)).toThrow('is not late');
  });
});

describe('acceptance deadlines', () => {
  const tee = [{ lineId: 'l1', sku: 'TEE', quantity: 1 }];
  const requestedAt = new Date('2026-11-26T10:00:00Z');

  it('give a store a few hours, a warehouse a day, a drop-shipper two, and an unknown type a day', () => {
    expect(acceptByFor('store', requestedAt)).toBe('2026-11-26T14:00:00.000Z');
    expect(acceptByFor('warehouse', requestedAt)).toBe('2026-11-27T10:00:00.000Z');
    expect(acceptByFor('3pl', requestedAt)).toBe('2026-11-27T10:00:00.000Z');
    expect(acceptByFor('dropship', requestedAt)).toBe('2026-11-28T10:00:00.000Z');
    expect(acceptByFor('kiosk', requestedAt)).toBe('2026-11-27T10:00:00.000Z');
  });

  it("follow the location's own window when it set one", () => {
    expect(acceptByFor('store', requestedAt, 1)).toBe('2026-11-26T11:00:00.000Z');
    expect(acceptByFor('warehouse', requestedAt, 72)).toBe('2026-11-29T10:00:00.000Z');
  });

  it('are overdue only for a shipment still requested once its deadline has come', () => {
    const requested = { ...shipment('REQUESTED', tee, 1, '2026-11-30'), acceptBy: '2026-11-26T14:00:00.000Z' };
    expect(isAcceptanceOverdue(requested, new Date('2026-11-26T13:59:59Z'))).toBe(false);
    expect(isAcceptanceOverdue(requested, new Date('2026-11-26T14:00:00Z'))).toBe(true);
    expect(isAcceptanceOverdue({ ...requested, status: 'ACCEPTED' }, new Date('2026-11-27T00:00:00Z'))).toBe(false);
    expect(isAcceptanceOverdue(shipment('REQUESTED', tee, 1, '2026-11-30'), new Date('2026-12-27T00:00:00Z'))).toBe(false);
  });

  it('decide when the scheduled check next looks at a shipment: the deadline first, then the end of the promised day', () => {
    const requested = { ...shipment('REQUESTED', tee, 1, '2026-11-30'), acceptBy: '2026-11-26T14:00:00.000Z' };
    expect(nextCheckAt(requested)).toBe('2026-11-26T14:00:00.000Z');
    expect(nextCheckAt({ ...requested, acceptBy: '2026-12-05T00:00:00.000Z' })).toBe('2026-12-01T00:00:00.000Z');
    expect(nextCheckAt({ ...requested, status: 'ACCEPTED' })).toBe('2026-12-01T00:00:00.000Z');
    expect(nextCheckAt({ ...requested, status: 'DELIVERED' })).toBeUndefined();
    expect(nextCheckAt(shipment('ACCEPTED', tee))).toBeUndefined();
  });
});

describe('returns', () => {
  const shipped = [shipment('DELIVERED', [{ lineId: 'l1', sku: 'TEE', quantity: 2 }]), shipment('SHIPPED', [{ lineId: 'l2', sku: 'CAP', quantity: 1 }], 2)];
  const delivered = order({ status: 'DELIVERED' });
  const request = (lines: Array<{ lineId: string; quantity: number; restock?: boolean }>, returnId = 'RMA-1') => ({ returnId, locationId: 'manhattan-store', lines });

  it('counts as returnable only units that left in a shipment and have not come back', () => {
    const partly = order({ returns: [{ returnId: 'RMA-0', locationId: 'x', lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1, restock: true }], receivedAt: at.toISOString() }] });
    const withUnshipped = [...shipped, shipment('ACCEPTED', [{ lineId: 'l2', sku: 'CAP', quantity: 5 }], 3), shipment('CANCELLED', [{ lineId: 'l1', sku: 'TEE', quantity: 9 }], 4)];
    expect(Object.fromEntries(returnableUnits(partly, withUnshipped))).toEqual({ l1: 1, l2: 1 });
  });

  it('records a partial return and keeps the status; the last units back make the order RETURNED', () => {
    const first = receiveReturn(delivered, shipped, request([{ lineId: 'l1', quantity: 2 }]), at);
    expect(first.order.status).toBe('DELIVERED');
    expect(first.order.version).toBe(2);
    expect(first.received).toEqual({ returnId: 'RMA-1', method: 'in-store', status: 'RECEIVED', refundTo: 'original', locationId: 'manhattan-store', lines: [{ lineId: 'l1', sku: 'TEE', quantity: 2, restock: true }], receivedAt: at.toISOString() });

    const last = receiveReturn(first.order, shipped, request([{ lineId: 'l2', quantity: 1, restock: false }], 'RMA-2'), at);
    expect(last.order.status).toBe('RETURNED');
    expect(last.order.history.at(-1)).toMatchObject({ status: 'RETURNED', reason: 'return RMA-2 received at manhattan-store' });
    expect(last.order.returns?.map((r) => r.returnId)).toEqual(['RMA-1', 'RMA-2']);
    expect(() => transition(last.order, 'ROUTING', at)).toThrow(InvalidTransitionError);
  });

  it('leaves an order that still has unshipped units in its status even when every shipped unit is back', () => {
    const partial = order({ status: 'PARTIALLY_ALLOCATED' });
    const back = receiveReturn(partial, [shipped[0]!], request([{ lineId: 'l1', quantity: 2 }]), at);
    expect(back.order.status).toBe('PARTIALLY_ALLOCATED');
  });

  it('refuses unknown lines, a line named twice and more units than are out, naming each field', () => {
    const refused = (() => {
      try {
        receiveReturn(delivered, shipped, request([{ lineId: 'l9', quantity: 1 }, { lineId: 'l1', quantity: 3 }, { lineId: 'l1', quantity: 1 }]), at);
      } catch (error) {
        return error as ReturnRefusedError;
      }
      throw new Error('expected a refusal');
    })();
    expect(refused).toBeInstanceOf(ReturnRefusedError);
    expect(refused.problems).toEqual([
      { field: 'lines[0].lineId', message: 'order o_01abc has no line l9' },
      { field: 'lines[1].quantity', message: 'only 2 unit(s) of line l1 shipped and have not come back' },
      { field: 'lines[2].lineId', message: 'line l1 is named twice' },
    ]);
    expect(() => receiveReturn(order({ status: 'ALLOCATED' }), [], request([{ lineId: 'l1', quantity: 1 }]), at)).toThrow('no unit of line l1 has shipped and not come back');
  });

  it('restocks only the units marked resellable, per SKU', () => {
    const { received } = receiveReturn(delivered, shipped, request([{ lineId: 'l1', quantity: 2 }, { lineId: 'l2', quantity: 1, restock: false }]), at);
    expect(Object.fromEntries(restockedUnits(received))).toEqual({ TEE: 2 });
  });

  it('tells a repeated request from another one under the same return id', () => {
    const { received } = receiveReturn(delivered, shipped, request([{ lineId: 'l1', quantity: 2 }]), at);
    expect(sameReturn(received, request([{ lineId: 'l1', quantity: 2, restock: true }]))).toBe(true);
    expect(sameReturn(received, request([{ lineId: 'l1', quantity: 1 }]))).toBe(false);
    expect(sameReturn(received, { ...request([{ lineId: 'l1', quantity: 2 }]), locationId: 'olean-wh' })).toBe(false);
  });
});
