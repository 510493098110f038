import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { topology } from '../../../infra/topology.ts';
import type { LocalCloud } from '../../../infra/local/cloud.ts';
import { createTestTenant, eventually, startTestCloud } from '../../../infra/local/tools/testing.ts';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../../../infra/local/tools/webhook-receiver.ts';

/**
 * Webhooks end to end on the local cloud: the API registers subscriptions, a synthetic event put on the bus goes
 * through the fan-out rule, the delivery queue and the deliverer to a real HTTP receiver on loopback.
 */

// Test-only: three receives instead of fifteen, so a failing delivery reaches the DLQ after 2 + 4 + 8 s of backoff.
// The change lives in this test process's copy of the manifest; the product's settings are untouched.
topology.queues.webhookDeliveries.maxReceiveCount = 3;

let cloud: LocalCloud;
let receiver: WebhookReceiver;
let receiverUrl: string;
let received: ReceivedRequest[] = [];

beforeAll(async () => {
  // These tests register a webhook and publish at once: read subscriptions fresh instead of from the 5 s cache.
  process.env.WEBHOOK_SUBSCRIPTION_CACHE_MS = '0';
  cloud = await startTestCloud();
  receiver = await startWebhookReceiver((path) => (path.startsWith('/fail') ? 500 : 204));
  receiverUrl = receiver.url;
  received = receiver.received;
});

afterAll(async () => {
  await receiver?.close();
  await cloud?.close();
});

async function api(method: string, path: string, apiKey: string, body?: unknown) {
  const response = await fetch(`${cloud.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Record<string, any> };
}

let eventCounter = 0;
async function putEvent(tenantId: string, detailType: string, data: unknown, eventId = `e-${Date.now()}-${++eventCounter}`) {
  const events = new EventBridgeClient({});
  const result = await events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: cloud.busName,
          Source: 'dom',
          DetailType: detailType,
          Detail: JSON.stringify({ metadata: { eventId, version: '1.0', occurredAt: new Date().toISOString(), tenantId, correlationId: `c-${eventId}` }, data }),
        },
      ],
    }),
  );
  expect(result.FailedEntryCount).toBe(0);
  return eventId;
}

const at = (path: string) => received.filter((r) => r.path === path);
const arrivedAt = (path: string, count = 1) => eventually(async () => (at(path).length >= count ? at(path) : undefined), 20_000);

/** Standard Webhooks verification, written out independently of the code under test. */
function signatureIsValid(secret: string, request: ReceivedRequest): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signed = `${request.headers['webhook-id']}.${request.headers['webhook-timestamp']}.${request.body}`;
  const expected = `v1,${createHmac('sha256', key).update(signed).digest('base64')}`;
  return request.headers['webhook-signature']!.split(' ').includes(expected);
}

describe('webhook subscriptions API', () => {
  it('registers a webhook, shows its secret once, lists it without and deletes it', async () => {
    const tenant = await createTestTenant('Hooks Shop');
    const created = await api('POST', '/webhooks', tenant.apiKey, { url: `${receiverUrl}/crud`, events: ['OrderAllocated'], description: 'ERP' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ webhookId: expect.stringMatching(/^wh_/), url: `${receiverUrl}/crud`, events: ['OrderAllocated'], kind: 'events', description: 'ERP' });
    expect(created.body.secret).toMatch(/^whsec_/);

    const listed = await api('GET', '/webhooks', tenant.apiKey);
    expect(listed.body.items).toEqual([expect.objectContaining({ webhookId: created.body.webhookId })]);
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');

    expect((await api('DELETE', `/webhooks/${created.body.webhookId}`, tenant.apiKey)).status).toBe(204);
    expect((await api('GET', '/webhooks', tenant.apiKey)).body.items).toEqual([]);
    expect((await api('DELETE', `/webhooks/${created.body.webhookId}`, tenant.apiKey)).status).toBe(404);
  });

  it('refuses non-https, private, link-local and metadata URLs with a 422 naming url', async () => {
    const tenant = await createTestTenant('SSRF Shop');
    const refused = [
      'http://hooks.example.com/x',
      'ftp://hooks.example.com/x',
      'https://10.0.0.1/x',
      'https://192.168.1.20/x',
      'https://169.254.169.254/latest/meta-data/',
      'https://[::ffff:169.254.169.254]/',
      'https://[fd00:ec2::254]/',
      'https://metadata.google.internal/',
      'not a url',
    ];
    for (const url of refused) {
      const response = await api('POST', '/webhooks', tenant.apiKey, { url, events: ['*'] });
      expect(response.status, url).toBe(422);
      expect(response.body.errors, url).toEqual([{ field: 'url', message: expect.any(String) }]);
    }
  });

  it('names the failing fields of an invalid body', async () => {
    const tenant = await createTestTenant('Invalid Shop');
    const response = await api('POST', '/webhooks', tenant.apiKey, { url: `${receiverUrl}/x`, events: ['order allocated'], kind: 'sms' });
    expect(response.status).toBe(422);
    expect(response.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['events[0]', 'kind']);
  });

  it('refuses a 21st subscription with a 409', async () => {
    const tenant = await createTestTenant('Busy Shop');
    for (let i = 0; i < 20; i++) expect((await api('POST', '/webhooks', tenant.apiKey, { url: `${receiverUrl}/n${i}`, events: ['*'] })).status).toBe(201);
    const response = await api('POST', '/webhooks', tenant.apiKey, { url: `${receiverUrl}/n20`, events: ['*'] });
    expect(response.status).toBe(409);
    expect(response.body.detail).toMatch(/at most 20/);
  });
});

describe('webhook delivery', () => {
  it('delivers a tenant\'s event from the bus, signed, with a stable webhook-id, and records the attempt', async () => {
    const tenant = await createTestTenant('Signed Shop');
    const { body: hook } = await api('POST', '/webhooks', tenant.apiKey, { url: `${receiverUrl}/signed`, events: ['OrderAllocated'] });
    const eventId = await putEvent(tenant.tenantId, 'OrderAllocated', { orderId: 'o_1' });

    const [request] = await arrivedAt('/signed');
    expect(signatureIsValid(hook.secret, request!)).toBe(true);
    expect(Math.abs(Number(request!.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(30);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request!.body)).toMatchObject({ type: 'OrderAllocated', metadata: { eventId, tenantId: tenant.tenantId }, data: { orderId: 'o_1' } });

    const deliveries = await eventually(async () => {
      const { body } = await api('GET', `/webhooks/${hook.webhookId}/deliveries`, tenant.apiKey);
      return body.items[0]?.status === 'DELIVERED' ? body.items : undefined;
    });
    expect(deliveries).toEqual([
      expect.objectContaining({ deliveryId: request!.headers['webhook-id'], eventId, eventType: 'OrderAllocated', attempts: [expect.objectContaining({ attempt: 1, statusCode: 204 })] }),
    ]);
  });

  it('delivers an event the bus carries twice only once', async () => {
    const tenant = await createTestTenant('Twice Shop');
    const { body: hook } = await api('POST', '/webhooks', tenant.apiKey, { url: `${receiverUrl}/twice`, events: ['*'] });
    const eventId = await putEvent(tenant.tenantId, 'OrderDelayed', { orderId: 'o_2' });
    await putEvent(tenant.tenantId, 'OrderDelayed', { orderId: 'o_2' }, eventId);
    await putEvent(tenant.tenantId, 'OrderDelivered', { orderId: 'o_2' });

    await arrivedAt('/twice', 2);
    await cloud.settle();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const delayed = at('/twice').filter((r) => JSON.parse(r.body).type === 'OrderDelayed');
    expect(delayed).toHaveLength(1);
    const { body } = await api('GET', `/webhooks/${hook.webhookId}/deliveries`, tenant.apiKey);
    expect(body.items.filter((d: { eventId: string }) => d.eventId === eventId)).toHaveLength(1);
  });

  it('never delivers one tenant\'s events to another tenant\'s webhooks', async () => {
    const a = await createTestTenant('Tenant A');
    const b = await createTestTenant('Tenant B');
    await api('POST', '/webhooks', a.apiKey, { url: `${receiverUrl}/tenant-a`, events: ['*'] });
    await api('POST', '/webhooks', b.apiKey, { url: `${receiverUrl}/tenant-b`, events: ['*'] });

    await putEvent(a.tenantId, 'OrderAllocated', { orderId: 'o_a' });
    await arrivedAt('/tenant-a');
    await putEvent(b.tenantId, 'OrderAllocated', { orderId: 'o_b' });
    await arrivedAt('/tenant-b');
    await cloud.settle();

    // `*` may also bring the tenant's own TenantCreated, if the webhook was registered before it reached the bus.
    const seenBy = (path: string) => at(path).map((r) => JSON.parse(r.body) as { type: string; metadata: { tenantId: string }; data: { orderId?: string } });
    expect(new Set(seenBy('/tenant-a').map((e) => e.metadata.tenantId))).toEqual(new Set([a.tenantId]));
    expect(new Set(seenBy('/tenant-b').map((e) => e.metadata.tenantId))).toEqual(new Set([b.tenantId]));
    expect(seenBy('/tenant-a').filter((e) => e.type === 'OrderAllocated').map((e) => e.data.orderId)).toEqual(['o_a']);
    expect(seenBy('/tenant-b').filter((e) => e.type === 'OrderAllocated').map((e) => e.data.orderId)).toEqual(['o_b']);
  });

  it('sends only the event types a webhook names', async () => {
    const tenant = await createTestTenant('Picky Shop');
    await api('POST', '/webhooks', tenant.apiKey, { url: `${receiverUrl}/picky`, events: ['OrderCancelled'] });
    await putEvent(tenant.tenantId, 'OrderAllocated', { orderId: 'o_3' });
    await putEvent(tenant.tenantId, 'OrderCancelled', { orderId: 'o_3' });
    const [only] = await arrivedAt('/picky');
    await cloud.settle();
    expect(at('/picky')).toHaveLength(1);
    expect(JSON.parse(only!.body).type).toBe('OrderCancelled');
  });

  it('sends a signed WebhookTest ping on request', async () => {
    const tenant = await createTestTenant('Ping Shop');
    const { body: hook } = await api('POST', '/webhooks', tenant.apiKey, { url: `${receiverUrl}/ping`, events: ['OrderCancelled'] });
    const queued = await api('POST', `/webhooks/${hook.webhookId}/test`, tenant.apiKey);
    expect(queued.status).toBe(202);
    const [ping] = await arrivedAt('/ping');
    expect(ping!.headers['webhook-id']).toBe(queued.body.deliveryId);
    expect(signatureIsValid(hook.secret, ping!)).toBe(true);
    expect(JSON.parse(ping!.body)).toMatchObject({ type: 'WebhookTest', data: { webhookId: hook.webhookId } });
  });

  it('sends customer-notification webhooks the rendered message for the customer', async () => {
    const tenant = await createTestTenant('Mail Shop');
    const { body: hook } = await api('POST', '/webhooks', tenant.apiKey, { url: `${receiverUrl}/esp`, events: ['ShipmentShipped'], kind: 'customer-notifications' });
    // The shape the DOM publishes (events/fixtures); customer-messages.int.test.ts drives real orders through.
    const shipped = JSON.parse(readFileSync(new URL('../../../events/fixtures/ShipmentShipped.v1.json', import.meta.url), 'utf8')).data;
    await putEvent(tenant.tenantId, 'ShipmentShipped', { ...shipped, orderId: 'o_5', customer: { tier: 'standard' } }); // no customer address: nothing to send
    await putEvent(tenant.tenantId, 'ShipmentShipped', { ...shipped, orderId: 'o_4', externalId: '#1004', customer: { email: 'ann@example.com', name: 'Ann', tier: 'standard' }, tracking: { carrier: 'UPS', trackingNumber: '1Z999' } });
    const [message] = await arrivedAt('/esp');
    expect(signatureIsValid(hook.secret, message!)).toBe(true);
    expect(JSON.parse(message!.body)).toEqual({
      to: 'ann@example.com',
      subject: 'Your order #1004 has shipped',
      text: expect.stringContaining('Shipment: UPS, tracking number 1Z999'),
      orderId: 'o_4',
      eventType: 'ShipmentShipped',
    });
    await cloud.settle();
    expect(at('/esp')).toHaveLength(1);
  });

  it('retries a failing receiver after a backoff with the same webhook-id, then dead-letters the delivery', async () => {
    const tenant = await createTestTenant('Failing Shop');
    const { body: hook } = await api('POST', '/webhooks', tenant.apiKey, { url: `${receiverUrl}/fail`, events: ['OrderBackordered'] });
    await putEvent(tenant.tenantId, 'OrderBackordered', { orderId: 'o_6' });

    const sqs = new SQSClient({});
    const dead = await eventually(async () => {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: cloud.queueUrls.webhookDeliveries.dlqUrl, WaitTimeSeconds: 1 }));
      return Messages?.[0];
    }, 40_000);

    // On AWS this is 3 attempts (maxReceiveCount). local-aws-sqs also counts each ChangeMessageVisibility as a
    // receive, so locally the message reaches its DLQ after 2 attempts, the second one 2^1 s after the first.
    const attempts = at('/fail');
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(new Set(attempts.map((r) => r.headers['webhook-id']))).toEqual(new Set([JSON.parse(dead.Body!).deliveryId]));
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(1_900);
    for (const attempt of attempts) expect(signatureIsValid(hook.secret, attempt)).toBe(true);

    const { body } = await api('GET', `/webhooks/${hook.webhookId}/deliveries`, tenant.apiKey);
    expect(body.items[0]).toMatchObject({ status: 'RETRYING', attempts: attempts.map(() => expect.objectContaining({ statusCode: 500 })) });
  });
});
