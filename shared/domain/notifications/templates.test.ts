import { describe, expect, it } from 'vitest';
import { CUSTOMER_NOTIFICATION_EVENTS, formatDate, renderCustomerNotification } from './templates.ts';

const order = { orderId: 'o_123', orderNumber: '#1001', customer: { email: 'ann@example.com', name: 'Ann' }, promisedDeliveryDate: '2026-12-03' };

describe('customer notification templates', () => {
  it('renders every order status event with a subject and a greeting', () => {
    for (const eventType of CUSTOMER_NOTIFICATION_EVENTS) {
      const message = renderCustomerNotification(eventType, order);
      expect(message, eventType).toMatchObject({ to: 'ann@example.com', orderId: 'o_123', eventType });
      expect(message!.subject, eventType).toContain('#1001');
      expect(message!.text.startsWith('Hi Ann,\n'), eventType).toBe(true);
    }
  });

  it('tells the customer the tracking details of a shipment', () => {
    const message = renderCustomerNotification('ShipmentShipped', {
      ...order,
      promisedDeliveryDate: undefined,
      shipments: [{ carrier: 'UPS', trackingNumber: '1Z999', trackingUrl: 'https://ups.example/1Z999', estimatedDeliveryDate: '2026-12-02' }],
    });
    expect(message!.subject).toBe('Your order #1001 has shipped');
    expect(message!.text).toContain('Shipment: UPS, tracking number 1Z999');
    expect(message!.text).toContain('Track it: https://ups.example/1Z999');
    expect(message!.text).toContain('Estimated delivery: Wednesday, December 2, 2026.');
  });

  it('tells the old and new dates of a delay', () => {
    const message = renderCustomerNotification('OrderDelayed', { ...order, previousPromisedDeliveryDate: '2026-12-01', reason: 'carrier backlog' });
    expect(message!.text).toContain('Previously expected: Tuesday, December 1, 2026');
    expect(message!.text).toContain('Now expected: Thursday, December 3, 2026');
    expect(message!.text).toContain('Reason: carrier backlog');
  });

  it('falls back to the order id and a neutral greeting when the event carries less', () => {
    const message = renderCustomerNotification('OrderCancelled', { orderId: 'o_9', customer: { email: 'bo@example.com' } });
    expect(message!.subject).toBe('Your order o_9 was cancelled');
    expect(message!.text.startsWith('Hello,\n')).toBe(true);
  });

  it('renders nothing without a valid customer address, without an order id, or for other events', () => {
    expect(renderCustomerNotification('OrderAllocated', { orderId: 'o_1' })).toBeUndefined();
    expect(renderCustomerNotification('OrderAllocated', { orderId: 'o_1', customer: { email: 'not-an-address' } })).toBeUndefined();
    expect(renderCustomerNotification('OrderAllocated', { customer: { email: 'ann@example.com' } })).toBeUndefined();
    expect(renderCustomerNotification('StockLow', order)).toBeUndefined();
  });

  it('keeps line breaks from event data out of the subject', () => {
    const message = renderCustomerNotification('OrderAccepted', { ...order, orderNumber: '#1\r\nBcc: victim@example.com' });
    expect(message!.subject).not.toMatch(/[\r\n]/);
  });

  it('formats dates and timestamps in UTC, and shows anything else as given', () => {
    expect(formatDate('2026-12-03')).toBe('Thursday, December 3, 2026');
    expect(formatDate('2026-12-03T23:30:00Z')).toBe('Thursday, December 3, 2026');
    expect(formatDate('next week')).toBe('next week');
  });
});
