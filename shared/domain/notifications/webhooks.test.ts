import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deliveryIdOf, planDeliveries, subscribesTo, viewOf, type BusEvent, type WebhookSubscription } from './webhooks.ts';

const tenantId = 't_aaaaaaaaaaaa';
const subscription = (overrides: Partial<WebhookSubscription>): WebhookSubscription => ({
  tenantId,
  webhookId: 'wh_1',
  kind: 'events',
  url: 'https://hooks.example.com/dom',
  events: ['*'],
  createdAt: '2026-11-26T18:00:00.000Z',
  secret: 'whsec_c2VjcmV0',
  ...overrides,
});
const event = (detailType: string, data: unknown = { orderId: 'o_1' }): BusEvent => ({
  detailType,
  metadata: { eventId: 'e_1', version: '1.0', occurredAt: '2026-11-26T18:00:00.000Z', tenantId, correlationId: 'c_1' },
  data,
});

describe('which subscriptions an event goes to', () => {
  it('matches the named event types, or every type with *', () => {
    expect(subscribesTo({ events: ['OrderAllocated'] }, 'OrderAllocated')).toBe(true);
    expect(subscribesTo({ events: ['OrderAllocated'] }, 'OrderCancelled')).toBe(false);
    expect(subscribesTo({ events: ['*'] }, 'StockLow')).toBe(true);
  });

  it('never offers the webhook machinery\'s own events, not even to *', () => {
    expect(subscribesTo({ events: ['*'] }, 'WebhookTest')).toBe(false);
    expect(subscribesTo({ events: ['WebhookTest'] }, 'WebhookTest')).toBe(false);
  });

  it('plans one delivery per matching subscription, with the event as body', () => {
    const planned = planDeliveries(
      [subscription({ webhookId: 'wh_1' }), subscription({ webhookId: 'wh_2', events: ['OrderCancelled'] }), subscription({ webhookId: 'wh_3', events: ['OrderAllocated'] })],
      event('OrderAllocated'),
    );
    expect(planned.map((p) => p.subscription.webhookId)).toEqual(['wh_1', 'wh_3']);
    expect(JSON.parse(planned[0]!.body)).toEqual({
      type: 'OrderAllocated',
      timestamp: '2026-11-26T18:00:00.000Z',
      metadata: event('OrderAllocated').metadata,
      data: { orderId: 'o_1' },
    });
  });

  it('never plans a delivery to another tenant\'s subscription', () => {
    expect(planDeliveries([subscription({ tenantId: 't_bbbbbbbbbbbb' })], event('OrderAllocated'))).toEqual([]);
  });

  it('sends customer-notification subscriptions the rendered message, and nothing without a customer address', () => {
    const customer = subscription({ webhookId: 'wh_c', kind: 'customer-notifications', events: ['*'] });
    // The shape the DOM publishes (events/fixtures): a message reads only what the real event carries.
    const shipped = JSON.parse(readFileSync(new URL('../../../events/fixtures/ShipmentShipped.v1.json', import.meta.url), 'utf8')).data;
    const withEmail = planDeliveries([customer], event('ShipmentShipped', { ...shipped, orderId: 'o_1', customer: { email: 'ann@example.com', tier: 'standard' } }));
    expect(JSON.parse(withEmail[0]!.body)).toMatchObject({ to: 'ann@example.com', orderId: 'o_1', eventType: 'ShipmentShipped' });
    expect(planDeliveries([customer], event('ShipmentShipped', { ...shipped, orderId: 'o_1', customer: { tier: 'standard' } }))).toEqual([]);
    expect(planDeliveries([customer], event('StockLow', { orderId: 'o_1', customer: { email: 'ann@example.com' } }))).toEqual([]);
  });
});

describe('delivery ids', () => {
  it('are the same for the same webhook and event, and differ otherwise', () => {
    expect(deliveryIdOf('wh_1', 'e_1')).toBe(deliveryIdOf('wh_1', 'e_1'));
    expect(deliveryIdOf('wh_1', 'e_1')).not.toBe(deliveryIdOf('wh_2', 'e_1'));
    expect(deliveryIdOf('wh_1', 'e_1')).not.toBe(deliveryIdOf('wh_1', 'e_2'));
    expect(deliveryIdOf('wh_1', 'e_1')).toMatch(/^msg_[0-9a-f]{32}$/);
  });
});

describe('the view of a subscription', () => {
  it('leaves out the secret and the tenant', () => {
    expect(viewOf(subscription({}))).not.toHaveProperty('secret');
    expect(viewOf(subscription({}))).not.toHaveProperty('tenantId');
  });
});
