// Customer messages rendered from the events the DOM really publishes: orders go through their lives on the local
// cloud (accepted, allocated, shipped with tracking, delivered, backordered, cancelled, returned, late), a
// customer-notifications webhook receives every message on a real HTTP receiver, and each message carries the real
// data: the merchant's order number, the customer's name, the items, what was charged, the carrier, tracking number
// and link, the promised date, the refund.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomApi } from '../../../infra/local/tools/api-client.ts';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { createTestTenant, eventually, type OrderView } from '../../../infra/local/tools/testing.ts';
import { flagLateShipments } from '#application/orders/delays';
import { delayDeps } from '#adapters/orders';
import { formatDate } from '#domain/notifications/templates';
import { startWebhookReceiver, type WebhookReceiver } from '../../../infra/local/tools/webhook-receiver.ts';

interface Message {
  to: string;
  subject: string;
  text: string;
  orderId: string;
  eventType: string;
}

const cloud = useTestCloud();
let receiver: WebhookReceiver;
/** The messages the receiver got, as the merchant's messaging gateway would. */
const messages = (): Message[] => receiver.received.map((r) => JSON.parse(r.body) as Message);

beforeAll(async () => {
  process.env.WEBHOOK_SUBSCRIPTION_CACHE_MS = '0';
  receiver = await startWebhookReceiver();
});

afterAll(async () => {
  await receiver?.close();
});

const shipTo = { name: 'Ada Lovelace', address: '1 Main St', postalCode: '10001', country: 'US' };
const customer = { email: 'ada@example.com', name: 'Ada', tier: 'standard' };

function messagesOf(orderId: string, eventType: string): Promise<Message> {
  return eventually(async () => messages().find((m) => m.orderId === orderId && m.eventType === eventType), 30_000);
}

function orderOf(api: DomApi, orderId: string, until: (o: OrderView) => boolean): Promise<OrderView> {
  return eventually(async () => {
    const order = await api.ok<OrderView>('GET', `/orders/${orderId}`);
    return until(order) ? order : undefined;
  }, 30_000);
}

describe('customer messages from real events', () => {
  it('carry the order number, name, items, charges, carrier, tracking, promise, refund and delay of real orders', async () => {
    const tenant = await createTestTenant('Message Shop');
    const api = new DomApi(cloud().apiUrl, tenant.apiKey);
    await api.ok('PUT', '/skus/TEE-BLK-M', { weightLb: 0.4 });
    await api.ok('PUT', '/skus/CAP-RED', { weightLb: 0.3 });
    await api.ok('PUT', '/locations/olean-wh', { name: 'Olean', type: 'warehouse', address: { postalCode: '14760', country: 'US' } });
    await api.ok('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'olean-wh', sku: 'TEE-BLK-M', set: 3 }] });
    await api.ok('POST', '/webhooks', { url: `${receiver.url}/esp`, events: ['*'], kind: 'customer-notifications' });
    await cloud().settle();

    // An order that ships, is delivered, then partly returned.
    const shipped = await api.ok<{ orderId: string }>('POST', '/orders', {
      channel: 'web',
      externalId: 'SHOP-1001',
      customer,
      shipTo,
      currency: 'USD',
      shippingCharged: '4.95',
      lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 2, unitPrice: '19.99' }],
    });
    const accepted = await messagesOf(shipped.orderId, 'OrderAccepted');
    expect(accepted).toMatchObject({ to: 'ada@example.com', subject: 'We have received your order SHOP-1001' });
    expect(accepted.text).toMatch(/^Hi Ada,\n/);
    expect(accepted.text).toContain('- TEE-BLK-M x 2');
    expect(accepted.text).toContain('Total charged: 44.93 USD (shipping 4.95).');
    expect((await messagesOf(shipped.orderId, 'OrderAllocated')).subject).toBe('Your order SHOP-1001 is being prepared');

    const allocated = await orderOf(api, shipped.orderId, (o) => o.status === 'ALLOCATED');
    const parcel = allocated.shipments[0]!;
    await api.ok('POST', `/shipments/${parcel.shipmentId}/ship`, { tracking: { carrier: 'UPS', trackingNumber: '1Z999AA1', url: 'https://track.example.com/1Z999AA1' } });
    const onItsWay = await messagesOf(shipped.orderId, 'ShipmentShipped');
    expect(onItsWay.subject).toBe('Your order SHOP-1001 has shipped');
    expect(onItsWay.text).toContain('2 items of your order SHOP-1001 are on the way.');
    expect(onItsWay.text).toContain('Shipment: UPS, tracking number 1Z999AA1');
    expect(onItsWay.text).toContain('Track it: https://track.example.com/1Z999AA1');
    expect(onItsWay.text).toContain(`Estimated delivery: ${formatDate(parcel.promisedDeliveryDate)}.`);

    // A month after its promise the parcel is late (the scheduled check, run with a later clock, for this tenant only).
    const later = { ...delayDeps, late: { ...delayDeps.late, tenantIds: async () => [tenant.tenantId] }, clock: { now: () => new Date(Date.parse(parcel.promisedDeliveryDate!) + 30 * 86_400_000) } };
    await flagLateShipments(later);
    const delayed = await messagesOf(shipped.orderId, 'OrderDelayed');
    expect(delayed.subject).toBe('Your order SHOP-1001 is delayed');
    expect(delayed.text).toContain(`Previously expected: ${formatDate(parcel.promisedDeliveryDate)}`);

    await api.ok('POST', `/shipments/${parcel.shipmentId}/deliver`);
    expect((await messagesOf(shipped.orderId, 'OrderDelivered')).subject).toBe('Your order SHOP-1001 was delivered');
    await api.ok('POST', `/orders/${shipped.orderId}/returns`, { returnId: 'RMA-1', locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 1 }] });
    const returned = await messagesOf(shipped.orderId, 'ReturnReceived');
    expect(returned.subject).toBe('We received your return for order SHOP-1001');
    expect(returned.text).toContain('- TEE-BLK-M x 1');
    // The refund the return recorded (one unit at 19.99, the default policy: no fee, shipping kept), from the event.
    expect(returned.text).toContain('A refund of 19.99 USD is on its way to your original payment method.');

    // An order of a SKU with no stock: backordered, then cancelled with its refund.
    const waiting = await api.ok<{ orderId: string }>('POST', '/orders', {
      channel: 'web',
      externalId: 'SHOP-1002',
      customer,
      shipTo,
      currency: 'USD',
      lines: [{ lineId: 'l1', sku: 'CAP-RED', quantity: 1, unitPrice: '12.50' }],
    });
    const backordered = await messagesOf(waiting.orderId, 'OrderBackordered');
    expect(backordered.text).toContain('- CAP-RED x 1');
    await api.ok('POST', `/orders/${waiting.orderId}/cancel`, { reason: 'customer changed their mind' });
    const cancelled = await messagesOf(waiting.orderId, 'OrderCancelled');
    expect(cancelled.text).toContain('Reason: customer changed their mind');
    expect(cancelled.text).toContain('The 12.50 USD you were charged will be refunded.');

    // Every message went to the customer, each event once.
    await cloud().settle();
    const mine = messages().filter((m) => m.orderId === shipped.orderId || m.orderId === waiting.orderId);
    expect(new Set(mine.map((m) => m.to))).toEqual(new Set(['ada@example.com']));
    expect(mine.map((m) => `${m.orderId}:${m.eventType}`).length).toBe(new Set(mine.map((m) => `${m.orderId}:${m.eventType}`)).size);
  });
});
