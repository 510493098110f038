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

  it('formats dates and timestamps in UTC, and shows anything else as given', () => {
    expect(formatDate('2026-12-03')).toBe('Thursday, December 3, 2026');
    expect(formatDate('2026-12-03T23:30:00Z')).toBe('Thursday, December 3, 2026');
    expect(formatDate('next week')).toBe('next week');
  });
});
