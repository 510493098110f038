import { describe, expect, it } from 'vitest';
import { RefundDue } from '#events/refund-due';
import { ReturnReceived } from '#events/return-received';
import { eventsForChange } from '../table-events/change-events.ts';
import { renderCustomerNotification } from '../notifications/templates.ts';
import type { Location } from '../inventory/location.ts';
import type { Order } from './order.ts';
import { bestReturnLocation, decideReceipt, decideReturn, ReturnConflictError, ReturnRefusedError, returnableUnits } from './returns.ts';
import { shipmentId, type Shipment } from './shipment.ts';
import { anOrder, FIXED_TIME as at } from './test-fixtures.ts';

// RMAs, pure: a mail return is authorised (its units held), then received with each unit's condition; in store it is
// received at once. The refund is recorded with the receipt and becomes one RefundDue event.

const priced = (overrides: Partial<Order> = {}) =>
  anOrder({
    status: 'DELIVERED',
    currency: 'USD',
    shippingChargedMinor: 495,
    customer: { tier: 'standard', email: 'ada@example.com', name: 'Ada' },
    lines: [
      { lineId: 'l1', sku: 'TEE', quantity: 2, fulfillment: { type: 'ship' }, unitPriceMinor: 1999 },
      { lineId: 'l2', sku: 'CAP', quantity: 1, fulfillment: { type: 'ship' }, unitPriceMinor: 1050 },
    ],
    ...overrides,
  });
const shipped: Shipment[] = [
  {
    tenantId: 't_0123456789ab', orderId: 'o_01abc', shipmentId: shipmentId('o_01abc', 1, 1, 0), locationId: 'olean-wh', fulfillment: 'ship', reservationId: 'r-1', status: 'DELIVERED', history: [],
    lines: [{ lineId: 'l1', sku: 'TEE', quantity: 2 }, { lineId: 'l2', sku: 'CAP', quantity: 1 }], createdAt: at.toISOString(), updatedAt: at.toISOString(), version: 1,
  },
];
const policy = { refundShipping: true, restockingFeePercent: 10 };
const mail = { returnId: 'RMA-7', method: 'mail' as const, lines: [{ lineId: 'l1', quantity: 2, reason: 'too small' }] };
const context = { at, policy, destination: 'brooklyn-wh' };

function authorised() {
  const decision = decideReturn(priced(), shipped, mail, context);
  if (decision.kind !== 'change') throw new Error('expected a change');
  return decision;
}

describe('a mail return', () => {
  it('is authorised to its destination, holding its units, with no stock moved and no refund yet', () => {
    const { change, received } = authorised();
    expect(received).toMatchObject({ status: 'AUTHORISED', method: 'mail', locationId: 'brooklyn-wh', destination: 'brooklyn-wh', authorisedLines: [{ lineId: 'l1', sku: 'TEE', quantity: 2, reason: 'too small' }] });
    expect(received.refund).toBeUndefined();
    expect(change.restock ?? []).toEqual([]);
    expect(change.returnGuards).toEqual([{ returnId: 'RMA-7' }]);
    expect(Object.fromEntries(returnableUnits(change.order, shipped))).toEqual({ l1: 0, l2: 1 });
    // Held units cannot be returned again in store.
    expect(() => decideReturn(change.order, shipped, { returnId: 'RMA-8', locationId: 'soho', lines: [{ lineId: 'l1', quantity: 1 }] }, context)).toThrow(ReturnRefusedError);
  });

  it('is received with each unit\'s condition: sellable on hand, damaged to the damaged count, the refund recorded', () => {
    const decision = decideReceipt(authorised().change.order, shipped, 'RMA-7', { locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 1, condition: 'sellable' }, { lineId: 'l1', quantity: 1, condition: 'damaged' }] }, context);
    if (decision.kind !== 'change') throw new Error('expected a change');
    expect(decision.change.restock).toEqual([{ locationId: 'olean-wh', sku: 'TEE', quantity: 1 }]);
    expect(decision.change.damaged).toEqual([{ locationId: 'olean-wh', sku: 'TEE', quantity: 1 }]);
    // 2 x 19.99 = 39.98, fee 10 % = 3.99 (rounded down), shipping 4.95 x 2/3 units = 3.30.
    expect(decision.received).toMatchObject({ status: 'RECEIVED', locationId: 'olean-wh', refund: { items: '39.98', restockingFee: '3.99', shipping: '3.30', total: '39.29' } });
    expect(decision.change.order.status).toBe('DELIVERED');
  });

  it('answers the same receipt as recorded, refuses another one, and refuses more units than are out, naming the line', () => {
    const receipt = { locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 2, condition: 'sellable' as const }] };
    const first = decideReceipt(authorised().change.order, shipped, 'RMA-7', receipt, context);
    if (first.kind !== 'change') throw new Error('expected a change');
    expect(decideReceipt(first.change.order, shipped, 'RMA-7', receipt, context).kind).toBe('repeat');
    expect(() => decideReceipt(first.change.order, shipped, 'RMA-7', { ...receipt, locationId: 'soho' }, context)).toThrow(ReturnConflictError);
    try {
      decideReceipt(authorised().change.order, shipped, 'RMA-7', { locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 3, condition: 'sellable' }] }, context);
      throw new Error('expected a refusal');
    } catch (error) {
      expect((error as ReturnRefusedError).problems).toEqual([{ field: 'lines[0].quantity', message: 'only 2 unit(s) of line l1 shipped and have not come back' }]);
    }
  });

  it('becomes ReturnReceived and RefundDue once, when it is received, and the customer is told the amount', () => {
    const auth = authorised();
    const received = decideReceipt(auth.change.order, shipped, 'RMA-7', { locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 2, condition: 'sellable' }] }, context);
    if (received.kind !== 'change') throw new Error('expected a change');
    const item = (order: Order) => ({ entity: 'Order', ...order }) as unknown as Record<string, unknown>;
    const atAuthorisation = eventsForChange({ changeId: 'c1', kind: 'MODIFY', occurredAt: at.toISOString(), oldItem: item(priced()), newItem: item(auth.change.order) });
    expect(atAuthorisation.map((e) => e.detailType)).toEqual([]);
    const atReceipt = eventsForChange({ changeId: 'c2', kind: 'MODIFY', occurredAt: at.toISOString(), oldItem: item(auth.change.order), newItem: item(received.change.order) });
    expect(atReceipt.map((e) => e.detailType)).toEqual(['ReturnReceived', 'RefundDue']);
    const refundDue = atReceipt[1]!;
    expect(RefundDue.envelopeSchema.parse({ metadata: refundDue.metadata, data: refundDue.data }).data).toMatchObject({ returnId: 'RMA-7', total: '39.29', currency: 'USD', refundTo: 'original' });
    expect(ReturnReceived.envelopeSchema.safeParse({ metadata: atReceipt[0]!.metadata, data: atReceipt[0]!.data }).success).toBe(true);
    expect(renderCustomerNotification('ReturnReceived', atReceipt[0]!.data)?.text).toContain('A refund of 39.29 USD is on its way to your original payment method.');
  });
});

describe('an in-store return', () => {
  it('is received at once, its repeat answered as recorded; the last units back make the order RETURNED', () => {
    const request = { returnId: 'RMA-1', locationId: 'soho', lines: [{ lineId: 'l1', quantity: 2 }, { lineId: 'l2', quantity: 1, condition: 'damaged' as const }], exchange: { lines: [{ sku: 'TEE-L', quantity: 2 }] } };
    const decision = decideReturn(priced(), shipped, request, { ...context, exchangeOrderId: 'o_x1' });
    if (decision.kind !== 'change') throw new Error('expected a change');
    expect(decision.change.order.status).toBe('RETURNED');
    expect(decision.received).toMatchObject({ status: 'RECEIVED', exchange: { orderId: 'o_x1', shipFirst: false }, refund: { items: '50.48', restockingFee: '5.04', exchangeCredit: '45.44', shipping: '4.95', total: '4.95' } });
    expect(decideReturn(decision.change.order, shipped, request, context).kind).toBe('repeat');
    expect(() => decideReturn(decision.change.order, shipped, { ...request, lines: [{ lineId: 'l1', quantity: 1 }] }, context)).toThrow(ReturnConflictError);
  });
});

describe('the best return location', () => {
  const loc = (locationId: string, lat: number, type: Location['type'] = 'warehouse', active = true) =>
    ({ locationId, type, active, geo: { lat, lon: -74 } }) as unknown as Location;
  it('is the nearest own active location that stocks the SKUs, else the nearest own one', () => {
    const locations = [loc('near-dropship', 40.7, 'dropship'), loc('near-closed', 40.7, 'store', false), loc('near', 40.8), loc('far-stocked', 44)];
    const stocks = (locationId: string) => locationId === 'far-stocked';
    expect(bestReturnLocation(locations, { lat: 40.7, lon: -74 }, ['TEE'], stocks)?.locationId).toBe('far-stocked');
    expect(bestReturnLocation(locations, { lat: 40.7, lon: -74 }, ['TEE'], () => false)?.locationId).toBe('near');
  });
});
