import { describe, expect, it } from 'vitest';
import { eventsForChange } from './change-events.ts';

// Issue 14 part 2: a pickup's hand-over as events, from the shipment and order items the stream sees.
const hold = { readyAt: '2026-03-09T14:00:00.000Z', remindAt: '2026-03-11T14:00:00.000Z', expiresAt: '2026-03-13T14:00:00.000Z', failedAttempts: 0 };
const accepted = {
  pk: 't_0123456789ab#ORDER#o_1',
  sk: 'SHIPMENT#o_1-S1-1-1',
  entity: 'Shipment',
  tenantId: 't_0123456789ab',
  orderId: 'o_1',
  shipmentId: 'o_1-S1-1-1',
  locationId: 'bk-store',
  fulfillment: 'curbside',
  lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1 }],
  reservationId: 'o_1-S1-1-1',
  customer: { email: 'ada@example.com', tier: 'standard' },
  status: 'ACCEPTED',
  history: [{ status: 'ACCEPTED', at: '2026-03-09T13:00:00.000Z' }],
  createdAt: '2026-03-09T13:00:00.000Z',
  updatedAt: '2026-03-09T13:00:00.000Z',
  version: 2,
};
const ready = { ...accepted, status: 'READY_FOR_PICKUP', pickup: { ...hold, code: '042042' }, history: [...accepted.history, { status: 'READY_FOR_PICKUP', at: hold.readyAt, by: { keyId: 'k_1' } }], version: 3 };
const change = (oldItem: Record<string, unknown>, newItem: Record<string, unknown>) => ({ changeId: '42', kind: 'MODIFY' as const, occurredAt: '2026-03-09T14:00:00.000Z', oldItem, newItem });
const types = (events: Array<{ detailType: string }>) => events.map((e) => e.detailType);

describe('pickup events', () => {
  it('publishes PickupReady with the code when the pickup becomes ready, and again only for a new code', () => {
    const events = eventsForChange(change(accepted, ready));
    expect(types(events)).toEqual(['PickupReady']);
    expect(events[0]!.data).toMatchObject({ pickup: { code: '042042', expiresAt: hold.expiresAt }, by: { keyId: 'k_1' }, customer: { email: 'ada@example.com' } });
    expect(events[0]!.data).not.toHaveProperty('pickup.failedAttempts');
    expect(types(eventsForChange(change(ready, { ...ready, pickup: { ...ready.pickup, failedAttempts: 1 }, version: 4 })))).toEqual([]);
    expect(types(eventsForChange(change(ready, { ...ready, pickup: { ...ready.pickup, code: '777777' }, version: 4 })))).toEqual(['PickupReady']);
  });

  it('carries the code in PickupReady only', () => {
    const arrived = { ...ready, status: 'CUSTOMER_ARRIVED', pickup: { ...ready.pickup, arrival: { at: '2026-03-09T15:00:00.000Z', bay: '3' } } };
    const reminded = { ...ready, pickup: { ...ready.pickup, remindedAt: hold.remindAt } };
    const picked = { ...arrived, status: 'PICKED_UP', pickup: { ...arrived.pickup, pickedUpAt: '2026-03-09T15:02:00.000Z' } };
    const expired = { ...reminded, status: 'EXPIRED' };
    const all = [eventsForChange(change(ready, arrived)), eventsForChange(change(ready, reminded)), eventsForChange(change(arrived, picked)), eventsForChange(change(reminded, expired))];
    expect(all.map(types)).toEqual([['CustomerArrived'], ['PickupReminder'], ['PickedUp'], ['PickupExpired']]);
    for (const [event] of all) expect(event!.data).not.toHaveProperty('pickup.code');
    expect(all[0]![0]!.data).toMatchObject({ pickup: { arrival: { bay: '3' } } });
  });

  it('carries the store the shipment recorded (name, address, zone, hours) in every pickup event, as version 1.1', () => {
    const store = { locationId: 'bk-store', name: 'Brooklyn Heights', address: { line1: '1 Court St', city: 'Brooklyn', region: 'NY', postalCode: '11201', country: 'US' }, timeZone: 'America/New_York', openingHours: { mon: [{ opens: '09:00', closes: '18:00' }] } };
    const before = { ...accepted, store };
    const readied = { ...ready, store };
    const arrived = { ...readied, status: 'CUSTOMER_ARRIVED', pickup: { ...readied.pickup, arrival: { at: '2026-03-09T15:00:00.000Z' } } };
    const reminded = { ...readied, pickup: { ...readied.pickup, remindedAt: hold.remindAt } };
    const picked = { ...arrived, status: 'PICKED_UP', pickup: { ...arrived.pickup, pickedUpAt: '2026-03-09T15:02:00.000Z' } };
    const expired = { ...reminded, status: 'EXPIRED' };
    const events = [change(before, readied), change(readied, arrived), change(readied, reminded), change(arrived, picked), change(reminded, expired)].flatMap(eventsForChange);
    expect(types(events)).toEqual(['PickupReady', 'CustomerArrived', 'PickupReminder', 'PickedUp', 'PickupExpired']);
    for (const event of events) {
      expect(event.data, event.detailType).toMatchObject({ store });
      expect(event.metadata.version, event.detailType).toBe('1.1');
    }
    // A shipment from before stores were recorded: the events leave the store out, as 1.0 consumers knew them.
    expect(eventsForChange(change(accepted, ready))[0]!.data).not.toHaveProperty('store');
  });

  it('refunds cancelled lines once per cancellation and tells the customer about a pickup moved by the fallback, once', () => {
    const order = {
      pk: 't_0123456789ab#ORDER#o_1',
      sk: 'ORDER',
      entity: 'Order',
      tenantId: 't_0123456789ab',
      orderId: 'o_1',
      channel: 'web',
      customer: { tier: 'standard' },
      shipTo: { country: 'US', postalCode: '11201' },
      lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1, fulfillment: { type: 'pickup', locationId: 'bk-store' }, unitPriceMinor: 1999 }],
      currency: 'USD',
      shippingChargedMinor: 0,
      status: 'READY_FOR_PICKUP',
      allocations: [],
      backorderedLines: [],
      history: [],
      attempt: 1,
      createdAt: '2026-03-09T13:00:00.000Z',
      updatedAt: '2026-03-09T13:00:00.000Z',
      version: 5,
    };
    const refund = { currency: 'USD', items: '19.99', shipping: '0.00', restockingFee: '0.00', exchangeCredit: '0.00', total: '19.99', refundTo: 'original' };
    const cancelled = {
      ...order,
      status: 'CANCELLED',
      cancelledLines: [{ cancellationId: 'o_1-S1-1-1-X1', lineId: 'l1', sku: 'TEE', quantity: 1, cause: 'pickup-expired', shipmentId: 'o_1-S1-1-1', reason: 'not collected', at: hold.expiresAt, refund }],
      version: 6,
    };
    const events = eventsForChange(change(order, cancelled));
    expect(types(events)).toEqual(['RefundDue', 'OrderCancelled']);
    expect(events[0]!.metadata.version).toBe('1.1');
    expect(events[0]!.data).toMatchObject({ returnId: 'o_1-S1-1-1-X1', cause: 'pickup-expired', shipmentId: 'o_1-S1-1-1', total: '19.99' });
    expect(types(eventsForChange(change(cancelled, { ...cancelled, version: 7 })))).toEqual([]);

    const reroute = { shipmentId: 'o_1-S1-1-1', fromLocationId: 'bk-store', fallback: 'ship', lineIds: ['l1'], reason: 'bk-store rejected o_1-S1-1-1', at: hold.readyAt };
    const moved = { ...order, status: 'BACKORDERED', pickupReroutes: [reroute], version: 6 };
    expect(types(eventsForChange(change({ ...order, status: 'ALLOCATED' }, moved)))).toEqual(['PickupRerouted', 'OrderBackordered']);
    expect(types(eventsForChange(change(moved, { ...moved, version: 7 })))).toEqual([]);
    // The store that could not take it, by name, as the rejected shipment recorded it.
    const fromStore = { locationId: 'bk-store', name: 'Brooklyn Heights' };
    const [told] = eventsForChange(change({ ...order, status: 'ALLOCATED' }, { ...moved, pickupReroutes: [{ ...reroute, fromStore }] }));
    expect(told!.detailType).toBe('PickupRerouted');
    expect(told!.metadata.version).toBe('1.1');
    expect(told!.data).toMatchObject({ fromLocationId: 'bk-store', fromStore });
  });
});
