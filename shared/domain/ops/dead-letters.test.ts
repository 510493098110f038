import { describe, expect, it } from 'vitest';
import { summarizeDeadLetter, tenantOfDeadLetter } from './dead-letters.ts';

describe('tenantOfDeadLetter', () => {
  it('reads the tenant of a delivery or feed message, and of a bus event', () => {
    expect(tenantOfDeadLetter({ tenantId: 't_abc', webhookId: 'wh_1' })).toBe('t_abc');
    expect(tenantOfDeadLetter({ 'detail-type': 'OrderAllocated', detail: { metadata: { tenantId: 't_xyz' }, data: {} } })).toBe('t_xyz');
  });

  it('gives no tenant to a body that names none, so no tenant sees it', () => {
    for (const body of [undefined, null, 'text', 42, [], {}, { tenantId: '' }, { tenantId: 7 }, { detail: { metadata: {} } }, { requestContext: { condition: 'RetryAttemptsExhausted' } }]) {
      expect(tenantOfDeadLetter(body)).toBeUndefined();
    }
  });
});

describe('summarizeDeadLetter', () => {
  it('names the event, the webhook or the adjustments without the payload', () => {
    expect(summarizeDeadLetter('webhookDeliveries', { tenantId: 't', webhookId: 'wh_1', eventId: 'e1', eventType: 'OrderShipped', body: '{"secret":1}' })).toEqual({ kind: 'OrderShipped', webhookId: 'wh_1', eventId: 'e1' });
    expect(summarizeDeadLetter('inventoryFeed', { tenantId: 't', adjustments: [{}, {}] })).toEqual({ kind: 'adjustments', adjustments: 2 });
    expect(summarizeDeadLetter('webhookEvents', { 'detail-type': 'OrderFailed', detail: { metadata: { eventId: 'e2' }, data: { orderId: 'o_1' } } })).toEqual({ kind: 'OrderFailed', orderId: 'o_1', eventId: 'e2' });
    expect(summarizeDeadLetter('webhookEvents', 'not json')).toEqual({ kind: 'event' });
  });
});
