import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CUSTOMER_NOTIFICATION_EVENTS, formatDate, renderCustomerNotification } from './templates.ts';

// The events' own fixtures (events/fixtures, checked against the published schemas by events/events.test.ts): the
// messages are rendered from what the real events carry. The integration flow in
// shared/application/notifications/customer-messages.int.test.ts renders them from events the DOM really published.
const fixture = (type: string): { data: Record<string, any> } => JSON.parse(readFileSync(new URL(`../../../events/fixtures/${type}.v1.json`, import.meta.url), 'utf8'));
const data = (type: string) => fixture(type).data;

describe('customer notification templates', () => {
  it('renders every order status event with the merchant\'s order number and the customer\'s name', () => {
    for (const eventType of CUSTOMER_NOTIFICATION_EVENTS) {
      const message = renderCustomerNotification(eventType, data(eventType));
      expect(message, eventType).toMatchObject({ to: 'ada@example.com', orderId: data(eventType).orderId, eventType });
      expect(message!.subject, eventType).toContain('SHOP-1001');
      expect(message!.text.startsWith('Hi Ada Lovelace,\n'), eventType).toBe(true);
    }
  });

  it('tells the carrier, tracking number, tracking link and promised date of a shipped parcel', () => {
    const message = renderCustomerNotification('ShipmentShipped', data('ShipmentShipped'))!;
    expect(message.subject).toBe('Your order SHOP-1001 has shipped');
    expect(message.text).toContain('2 items of your order SHOP-1001 are on the way.');
    expect(message.text).toContain('Shipment: UPS, tracking number 1Z999AA10123456784');
    expect(message.text).toContain('Track it: https://example.com/track/1Z999AA10123456784');
    expect(message.text).toContain('Estimated delivery: Monday, November 30, 2026.');
  });

  it('names the carrier from the quote when the report left it out, and leaves out a link it does not have', () => {
    const shipped = data('ShipmentShipped');
    const message = renderCustomerNotification('ShipmentShipped', { ...shipped, tracking: { trackingNumber: 'T-1' } })!;
    expect(message.text).toContain('Shipment: UPS, tracking number T-1');
    expect(message.text).not.toContain('Track it');
  });

  it('lists the items and what was charged on acceptance, and the refund on cancellation', () => {
    const accepted = renderCustomerNotification('OrderAccepted', data('OrderAccepted'))!;
    const { totals, lines } = data('OrderAccepted');
    for (const line of lines) expect(accepted.text).toContain(`- ${line.sku} x ${line.quantity}`);
    expect(accepted.text).toContain(`Total charged: ${totals.total} ${totals.currency} (shipping ${totals.shipping}).`);
    const cancelled = renderCustomerNotification('OrderCancelled', data('OrderCancelled'))!;
    expect(cancelled.text).toContain(`The ${data('OrderCancelled').totals.total} ${data('OrderCancelled').totals.currency} you were charged will be refunded.`);
  });

  it('lists backordered and returned items, and the old date of a delay', () => {
    expect(renderCustomerNotification('OrderBackordered', data('OrderBackordered'))!.text).toContain('- CAP-RED x 1');
    const returned = data('ReturnReceived');
    const text = renderCustomerNotification('ReturnReceived', returned)!.text;
    for (const line of returned.lines) expect(text).toContain(`- ${line.sku} x ${line.quantity}`);
    const delayed = renderCustomerNotification('OrderDelayed', data('OrderDelayed'))!;
    expect(delayed.text).toContain(`Previously expected: ${formatDate(data('OrderDelayed').previousPromisedDeliveryDate)}`);
    expect(delayed.text).toContain(`Reason: ${data('OrderDelayed').reason}`);
  });

  it('falls back to the order id and a neutral greeting when the order has no number and the customer no name', () => {
    const { externalId: _, ...cancelled } = data('OrderCancelled');
    const message = renderCustomerNotification('OrderCancelled', { ...cancelled, customer: { email: 'bo@example.com', tier: 'standard' } })!;
    expect(message.subject).toBe(`Your order ${cancelled.orderId} was cancelled`);
    expect(message.text.startsWith('Hello,\n')).toBe(true);
  });

  it('renders nothing without a valid customer address, for a payload that is not the event\'s, or for other events', () => {
    const allocated = data('OrderAllocated');
    expect(renderCustomerNotification('OrderAllocated', { ...allocated, customer: { tier: 'standard' } })).toBeUndefined();
    expect(renderCustomerNotification('OrderAllocated', { ...allocated, customer: { email: 'not-an-address', tier: 'standard' } })).toBeUndefined();
    expect(renderCustomerNotification('OrderAllocated', { orderId: 'o_1', customer: { email: 'ann@example.com', tier: 'standard' } })).toBeUndefined();
    expect(renderCustomerNotification('StockLow', allocated)).toBeUndefined();
  });

  it('keeps line breaks from event data out of the subject', () => {
    const message = renderCustomerNotification('OrderAccepted', { ...data('OrderAccepted'), externalId: '#1\r\nBcc: victim@example.com' });
    expect(message!.subject).not.toMatch(/[\r\n]/);
  });

  it('tells a pickup\'s code with its store\'s name, street address and hours, and the hold\'s end in the store\'s zone', () => {
    const message = renderCustomerNotification('PickupReady', data('PickupReady'))!;
    expect(message.subject).toBe('Your order SHOP-1001 is ready for curbside pickup');
    expect(message.text).toContain('2 items of your order SHOP-1001 are ready at Manhattan store (SoHo).\n');
    expect(message.text).toContain('\nAddress: 120 Prince St, New York, NY 10012, US\n');
    expect(message.text).toContain('\nOpening hours: Mon-Fri 9:00-18:00, Sat 10:00-16:00, Sun closed (Eastern Time)\n');
    expect(message.text).toContain('\nYour pickup code: 482913\n');
    expect(message.text).toContain('tell the store your parking bay');
    // expiresAt 2026-12-04T15:00Z is 10:00 in New York.
    expect(message.text).toContain('We hold it for you until Friday, December 4 at 10:00 AM EST.');
    const reminder = renderCustomerNotification('PickupReminder', data('PickupReminder'))!;
    expect(reminder.text).toContain('waiting for you at Manhattan store (SoHo).\nAddress: 120 Prince St, New York, NY 10012, US\nOpening hours: Mon-Fri');
    expect(renderCustomerNotification('PickedUp', data('PickedUp'))!.text).toContain('You picked up your order SHOP-1001 at Manhattan store (SoHo).');
    expect(renderCustomerNotification('PickupExpired', data('PickupExpired'))!.text).toContain('was not collected at Manhattan store (SoHo) in time');
    expect(renderCustomerNotification('PickupRerouted', data('PickupRerouted'))!.text).toContain('Manhattan store (SoHo) cannot prepare your order SHOP-1001.');
  });

  it('degrades a pickup message piece by piece: no hours, no street, no zone, or a 1.0 event without the store', () => {
    const ready = data('PickupReady');
    const { openingHours: _hours, ...noHours } = ready.store;
    const withoutHours = renderCustomerNotification('PickupReady', { ...ready, store: noHours })!.text;
    expect(withoutHours).not.toContain('Opening hours');
    expect(withoutHours).toContain('Address: 120 Prince St');
    expect(withoutHours).toContain('until Friday, December 4 at 10:00 AM EST');
    const bare = renderCustomerNotification('PickupReady', { ...ready, store: { locationId: 'manhattan-store', name: 'SoHo', address: { postalCode: '10012', country: 'US' } } })!.text;
    expect(bare).toContain('ready at SoHo.\nYour pickup code: 482913');
    expect(bare).toContain('until Friday, December 4 at 3:00 PM UTC');
    const { store: _store, ...old } = ready;
    const before11 = renderCustomerNotification('PickupReady', old)!.text;
    expect(before11).toContain('ready at manhattan-store.\nYour pickup code: 482913');
    expect(before11).toContain('until Friday, December 4 at 3:00 PM UTC');
    const { fromStore: _from, ...oldReroute } = data('PickupRerouted');
    expect(renderCustomerNotification('PickupRerouted', oldReroute)!.text).toContain('manhattan-store cannot prepare');
  });

  it('keeps line breaks in a store\'s name and address out of the message lines', () => {
    const ready = data('PickupReady');
    const text = renderCustomerNotification('PickupReady', { ...ready, store: { ...ready.store, name: 'SoHo\r\nBcc: x@example.com', address: { ...ready.store.address, line1: '1 A St\nevil' } } })!.text;
    expect(text).toContain('ready at SoHo Bcc: x@example.com.');
    expect(text).toContain('Address: 1 A St evil, New York');
  });

  it('formats dates and timestamps in UTC, and shows anything else as given', () => {
    expect(formatDate('2026-12-03')).toBe('Thursday, December 3, 2026');
    expect(formatDate('2026-12-03T23:30:00Z')).toBe('Thursday, December 3, 2026');
    expect(formatDate('next week')).toBe('next week');
  });
});
