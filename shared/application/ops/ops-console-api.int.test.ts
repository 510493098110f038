import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { DomApi } from '../../../infra/local/tools/api-client.ts';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { createTestTenant, eventually, type OrderView } from '../../../infra/local/tools/testing.ts';
import { expectMatchesContract } from '../../http/contract-validator.ts';

/**
 * The ops console's API over HTTP on the local cloud: an order's executions, the dead letters and their redrive, the
 * KPIs and the order search; each tenant-scoped, with bad input refused by field.
 */

const cloud = useTestCloud();
const NEW_YORK = { country: 'US', postalCode: '10001' };
const sqs = new SQSClient({});

async function shop(name: string, skus: Record<string, number> = { 'TEE-BLK-M': 0.4 }, units: Record<string, number> = { 'TEE-BLK-M': 5 }) {
  const tenant = await createTestTenant(name);
  const api = new DomApi(cloud().apiUrl, tenant.apiKey);
  for (const [sku, weightLb] of Object.entries(skus)) await api.ok('PUT', `/skus/${sku}`, { weightLb });
  await api.ok('PUT', '/locations/olean-wh', { name: 'Olean', type: 'warehouse', address: { postalCode: '14760', country: 'US' } });
  const adjustments = Object.entries(units).map(([sku, set]) => ({ locationId: 'olean-wh', sku, set }));
  if (adjustments.length) await api.ok('POST', '/inventory/adjustments', { adjustments });
  await cloud().settle();
  return { tenant, api };
}

async function settled(api: DomApi, orderId: string, accept: (o: OrderView) => boolean = (o) => !['ACCEPTED', 'ROUTING'].includes(o.status)): Promise<OrderView> {
  return eventually(async () => {
    const order = await api.ok<OrderView>('GET', `/orders/${orderId}`);
    return accept(order) ? order : undefined;
  }, 30_000);
}

async function call<T = any>(api: DomApi, method: string, path: string, body?: unknown) {
  const response = await api.request<T>(method, path, body);
  expectMatchesContract(method, path, response);
  return response;
}

interface Executions {
  orderId: string;
  status: string;
  executions: Array<{ attempt: number; executionArn: string; status: string; steps: Array<{ state: string; status: string; error?: string }>; events: Array<{ type: string }> }>;
}

describe('GET /orders/{orderId}/executions', () => {
  it('shows each run of a FAILED order with its states, the caught error, and the retry as a second run', async () => {
    // No carrier takes a 5,000 lb parcel: the Fulfil step fails and the Catch marks the order FAILED.
    const { api } = await shop('Executions Shop', { ANVIL: 5000 }, { ANVIL: 3 });
    const { orderId } = await api.ok<{ orderId: string }>('POST', '/orders', { channel: 'web', shipTo: NEW_YORK, lines: [{ lineId: 'l1', sku: 'ANVIL', quantity: 1 }] });
    const failed = await settled(api, orderId);

    const first = await call<Executions>(api, 'GET', `/orders/${orderId}/executions`);
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('FAILED');
    expect(first.body.executions).toHaveLength(1);
    const [run] = first.body.executions;
    expect(run).toMatchObject({ attempt: 1, status: 'FAILED' });
    expect(run!.events[0]!.type).toBe('ExecutionStarted');
    const fulfil = run!.steps.find((s) => s.state === 'Fulfil');
    expect(fulfil).toMatchObject({ status: 'CAUGHT', error: 'UnroutableDestinationError' });
    expect(run!.steps.at(-1)!.status).toBe('FAILED');

    const retried = await api.ok<{ attempt: number }>('POST', `/orders/${orderId}/retry`);
    await settled(api, orderId, (o) => o.status === 'FAILED' && o.history.length > failed.history.length);
    const second = await call<Executions>(api, 'GET', `/orders/${orderId}/executions`);
    expect(second.body.executions.map((e) => e.attempt)).toEqual([1, retried.attempt]);
    expect(second.body.executions[1]!.executionArn).toContain(`:${orderId}-2:`);
  });

  it('is the order\'s owner\'s only: another tenant gets a 404, a malformed id a 422 naming it', async () => {
    const { api } = await shop('Owner Shop');
    const { api: other } = await shop('Other Shop');
    const { orderId } = await api.ok<{ orderId: string }>('POST', '/orders', { channel: 'web', shipTo: NEW_YORK, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 1 }] });
    await settled(api, orderId);
    expect((await call(api, 'GET', `/orders/${orderId}/executions`)).body.executions).toHaveLength(1);
    expect((await call(other, 'GET', `/orders/${orderId}/executions`)).status).toBe(404);
    const bad = await call<{ errors: Array<{ field: string }> }>(api, 'GET', '/orders/O_NOT-AN-ID/executions');
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0]!.field).toBe('path.orderId');
  });
});

describe('dead letters', () => {
  const feed = () => cloud().queueUrls.inventoryFeed;
  const deliveries = () => cloud().queueUrls.webhookDeliveries;
  const deadLetter = (dlqUrl: string, body: unknown) => sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: JSON.stringify(body) }));
  type Listed = { queues: Array<{ queue: string; count: number; complete: boolean; messages: Array<{ kind: string; adjustments?: number; webhookId?: string }> }> };

  it('lists a tenant\'s own dead letters only, and leaves them in place', async () => {
    const { tenant, api } = await shop('DLQ List Shop');
    const { tenant: other, api: otherApi } = await shop('DLQ Other Shop');
    await deadLetter(deliveries().dlqUrl, { tenantId: tenant.tenantId, webhookId: 'wh_mine', deliveryId: 'd1', eventId: 'e1', eventType: 'OrderShipped', occurredAt: new Date().toISOString(), body: '{}' });
    await deadLetter(deliveries().dlqUrl, { tenantId: other.tenantId, webhookId: 'wh_theirs', deliveryId: 'd2', eventId: 'e2', eventType: 'OrderShipped', occurredAt: new Date().toISOString(), body: '{}' });
    await deadLetter(deliveries().dlqUrl, 'not json: no tenant');

    const mine = await call<Listed>(api, 'GET', '/ops/dead-letters');
    const again = await call<Listed>(api, 'GET', '/ops/dead-letters');
    const theirs = await call<Listed>(otherApi, 'GET', '/ops/dead-letters');

    expect(mine.status).toBe(200);
    const mineDeliveries = mine.body.queues.find((q) => q.queue === 'webhookDeliveries')!;
    expect(mineDeliveries).toMatchObject({ count: 1, complete: true, messages: [{ kind: 'OrderShipped', webhookId: 'wh_mine' }] });
    expect(again.body).toEqual(mine.body);
    expect(theirs.body.queues.find((q) => q.queue === 'webhookDeliveries')!.messages.map((m) => m.webhookId)).toEqual(['wh_theirs']);
    expect(JSON.stringify(mine.body)).not.toContain('wh_theirs');
  });

  it('redrives a dead-lettered stock feed message, which allocates the order waiting for it; other tenants\' stay', async () => {
    const { tenant, api } = await shop('DLQ Redrive Shop', { 'TEE-BLK-M': 0.4 }, { 'TEE-BLK-M': 0 });
    const { tenant: other, api: otherApi } = await shop('DLQ Bystander Shop');
    const { orderId } = await api.ok<{ orderId: string }>('POST', '/orders', { channel: 'web', shipTo: NEW_YORK, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 2 }] });
    expect((await settled(api, orderId)).status).toBe('BACKORDERED');
    // The feed message that would have brought the stock ended in the DLQ (as after five failed receives).
    await deadLetter(feed().dlqUrl, { tenantId: tenant.tenantId, adjustments: [{ locationId: 'olean-wh', sku: 'TEE-BLK-M', set: 4, sequence: 1 }] });
    await deadLetter(feed().dlqUrl, { tenantId: other.tenantId, adjustments: [{ locationId: 'olean-wh', sku: 'TEE-BLK-M', set: 99, sequence: 1 }] });

    const listed = await call<Listed>(api, 'GET', '/ops/dead-letters');
    expect(listed.body.queues.find((q) => q.queue === 'inventoryFeed')).toMatchObject({ count: 1, messages: [{ kind: 'adjustments', adjustments: 1 }] });
    const redriven = await call(api, 'POST', '/ops/dead-letters/inventoryFeed/redrive');
    const repeated = await call(api, 'POST', '/ops/dead-letters/inventoryFeed/redrive');

    expect(redriven.body).toEqual({ queue: 'inventoryFeed', moved: 1, failed: 0, complete: true });
    expect(repeated.body).toMatchObject({ moved: 0, failed: 0 });
    expect((await settled(api, orderId, (o) => o.status === 'ALLOCATED')).status).toBe('ALLOCATED');
    const bystander = await call<Listed>(otherApi, 'GET', '/ops/dead-letters');
    expect(bystander.body.queues.find((q) => q.queue === 'inventoryFeed')!.count).toBe(1);
    expect((await otherApi.ok<{ locations: Array<{ onHand: number }> }>('GET', '/inventory/TEE-BLK-M')).locations[0]!.onHand).toBe(5);
  });

  it('moves each dead letter once when two redrives run at once', async () => {
    const { tenant, api } = await shop('DLQ Race Shop');
    for (let i = 0; i < 12; i++) {
      await deadLetter(deliveries().dlqUrl, { tenantId: tenant.tenantId, webhookId: 'wh_race', deliveryId: `d${i}`, eventId: `e${i}`, eventType: 'OrderShipped', occurredAt: new Date().toISOString(), body: '{}' });
    }
    const [a, b] = await Promise.all([call(api, 'POST', '/ops/dead-letters/webhookDeliveries/redrive'), call(api, 'POST', '/ops/dead-letters/webhookDeliveries/redrive')]);
    expect(a.body.moved + b.body.moved).toBe(12);
    const left = await call<Listed>(api, 'GET', '/ops/dead-letters');
    expect(left.body.queues.find((q) => q.queue === 'webhookDeliveries')!.count).toBe(0);
  });

  it('refuses a queue that cannot be redriven with a 422 naming the field', async () => {
    const { api } = await shop('DLQ Bad Shop');
    for (const queue of ['tableEventsDlq', 'WEBHOOKDELIVERIES', 'nope']) {
      const refused = await call<{ errors: Array<{ field: string }> }>(api, 'POST', `/ops/dead-letters/${queue}/redrive`);
      expect(refused.status).toBe(422);
      expect(refused.body.errors[0]!.field).toBe('path.queue');
    }
  });
});

describe('GET /ops/kpis', () => {
  type KpiAnswer = { orders: { total: number; byStatus: Record<string, number> }; timeToAllocate: { orders: number; p50Ms: number | null }; parcelsPerOrder: { mean: number | null }; shippingCostPerOrder: { mean: number | null }; co2PerOrder: { meanGrams: number | null }; backorders: { orders: number }; stockOuts: { bySku: Array<{ sku: string }> }; perMinute: Array<{ accepted: number }>; truncated: boolean };

  it('computes the tenant\'s KPIs from its own orders only', async () => {
    const { api } = await shop('KPI Shop', { 'TEE-BLK-M': 0.4, 'CAP-RED': 0.2 }, { 'TEE-BLK-M': 5 });
    const { api: other } = await shop('KPI Other Shop');
    const from = new Date(Date.now() - 60_000).toISOString();
    const placed = [];
    for (const sku of ['TEE-BLK-M', 'TEE-BLK-M', 'CAP-RED']) placed.push((await api.ok<{ orderId: string }>('POST', '/orders', { channel: 'web', shipTo: NEW_YORK, lines: [{ lineId: 'l1', sku, quantity: 1 }] })).orderId);
    for (const orderId of placed) await settled(api, orderId);

    const kpis = await call<KpiAnswer>(api, 'GET', `/ops/kpis?from=${encodeURIComponent(from)}`);
    const others = await call<KpiAnswer>(other, 'GET', `/ops/kpis?from=${encodeURIComponent(from)}`);

    expect(kpis.status).toBe(200);
    expect(kpis.body.orders).toEqual({ total: 3, byStatus: { ALLOCATED: 2, BACKORDERED: 1 } });
    expect(kpis.body.timeToAllocate.orders).toBe(2);
    expect(kpis.body.timeToAllocate.p50Ms).toBeGreaterThanOrEqual(0);
    expect(kpis.body.parcelsPerOrder.mean).toBe(1);
    expect(kpis.body.shippingCostPerOrder.mean).toBeGreaterThan(0);
    expect(kpis.body.co2PerOrder.meanGrams).toBeGreaterThan(0);
    expect(kpis.body.backorders.orders).toBe(1);
    expect(kpis.body.stockOuts.bySku.map((s) => s.sku)).toEqual(['CAP-RED']);
    expect(kpis.body.perMinute.reduce((sum, b) => sum + b.accepted, 0)).toBeCloseTo(3);
    expect(kpis.body.truncated).toBe(false);
    expect(others.body.orders.total).toBe(0);
  });

  it('refuses a malformed, reversed or over-long window naming the field, and takes a window of exactly 31 days', async () => {
    const { api } = await shop('KPI Bad Shop');
    const to = '2026-12-03T12:00:00Z';
    const cases: Array<[string, string]> = [
      [`from=yesterday`, 'query.from'],
      [`to=2026-13-01T00:00:00Z`, 'query.to'],
      [`from=${to}&to=${to}`, 'query.from'],
      [`from=2026-12-04T00:00:00Z&to=${to}`, 'query.from'],
      [`from=2026-11-01T11:59:59Z&to=${to}`, 'query.from'],
      [`from=2026-11-01T00:00:00Z&extra=1`, 'query'],
    ];
    for (const [query, field] of cases) {
      const refused = await call<{ errors: Array<{ field: string }> }>(api, 'GET', `/ops/kpis?${query}`);
      expect(refused.status, query).toBe(422);
      expect(refused.body.errors[0]!.field, query).toBe(field);
    }
    expect((await call(api, 'GET', `/ops/kpis?from=2026-11-02T12:00:00Z&to=${to}`)).status).toBe(200);
    expect((await call(api, 'GET', `/ops/kpis?from=2026-11-02T13:00:00%2B01:00&to=${to}`)).status).toBe(200);
  });
});

describe('GET /orders?q=', () => {
  it('finds an order by id, external id, customer id and email in any case; never another tenant\'s', async () => {
    const { api } = await shop('Search Shop');
    const { api: other } = await shop('Search Other Shop');
    const order = { channel: 'marketplace', externalId: 'AMZ-111.222', customer: { id: 'Cust.42:A', email: 'Ana@Example.com' }, shipTo: NEW_YORK, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 1 }] };
    const { orderId } = await api.ok<{ orderId: string }>('POST', '/orders', order);
    await api.ok('POST', '/orders', { channel: 'web', shipTo: NEW_YORK, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 1 }] });
    await settled(api, orderId);
    const ids = async (as: DomApi, q: string, extra = '') => (await call<{ items: Array<{ orderId: string }> }>(as, 'GET', `/orders?q=${encodeURIComponent(q)}${extra}`)).body.items.map((o) => o.orderId);

    expect(await ids(api, orderId)).toEqual([orderId]);
    expect(await ids(api, 'AMZ-111.222')).toEqual([orderId]);
    expect(await ids(api, 'Cust.42:A')).toEqual([orderId]);
    expect(await ids(api, 'ana@example.com')).toEqual([orderId]);
    expect(await ids(api, orderId, '&status=CANCELLED')).toEqual([]);
    expect(await ids(api, 'AMZ-111')).toEqual([]);
    expect(await ids(other, orderId)).toEqual([]);
    expect(await ids(other, 'AMZ-111.222')).toEqual([]);
    const tooLong = await call<{ errors: Array<{ field: string }> }>(api, 'GET', `/orders?q=${'x'.repeat(255)}`);
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.errors[0]!.field).toBe('query.q');
    expect(await ids(api, 'x'.repeat(254))).toEqual([]);
  });
});

describe('GET /orders?q= paging', () => {
  it('pages the matches of a search with its cursor, each once, and refuses a tampered cursor', async () => {
    const { api } = await shop('Search Paging Shop', { 'TEE-BLK-M': 0.4 }, { 'TEE-BLK-M': 50 });
    const placed: string[] = [];
    for (let i = 0; i < 5; i++) placed.push((await api.ok<{ orderId: string }>('POST', '/orders', { channel: 'web', customer: { email: 'pat@example.com' }, shipTo: NEW_YORK, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 1 }] })).orderId);
    await api.ok('POST', '/orders', { channel: 'web', customer: { email: 'someone@example.com' }, shipTo: NEW_YORK, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 1 }] });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call<{ items: Array<{ orderId: string }>; nextCursor?: string }>(api, 'GET', `/orders?q=PAT@example.com&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((o) => o.orderId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([...placed].sort());
    expect((await call(api, 'GET', '/orders?q=pat@example.com&cursor=bm90LWEtY3Vyc29y')).status).toBe(400);
  });
});

describe('who may call the ops routes', () => {
  it('refuses a location-scoped partner key: 403 on /ops routes, 404 on an order\'s executions', async () => {
    const { api } = await shop('Scoped Key Shop');
    const { orderId } = await api.ok<{ orderId: string }>('POST', '/orders', { channel: 'web', shipTo: NEW_YORK, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 1 }] });
    await settled(api, orderId);
    const issued = await api.ok<{ apiKey: string }>('POST', '/api-keys', { name: 'Olean dock', scope: { locationIds: ['olean-wh'] } });
    const dock = new DomApi(cloud().apiUrl, issued.apiKey);
    expect((await dock.request('GET', '/ops/dead-letters')).status).toBe(403);
    expect((await dock.request('POST', '/ops/dead-letters/webhookDeliveries/redrive')).status).toBe(403);
    expect((await dock.request('GET', '/ops/kpis')).status).toBe(403);
    expect((await dock.request('GET', `/orders/${orderId}/executions`)).status).toBe(404);
    expect((await api.request('GET', `/orders/${orderId}/executions`)).status).toBe(200);
    dock.close();
  });
});

describe('webhook deliveries name their order', () => {
  it('records the order id on each delivery of an order event, for the console\'s timeline', async () => {
    const receiver = createServer((req, res) => req.resume().on('end', () => res.writeHead(204).end()));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const { api } = await shop('Delivery Shop');
      const { webhookId } = await api.ok<{ webhookId: string }>('POST', '/webhooks', { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, events: ['OrderAllocated', 'StockLow'] });
      // The fan-out keeps a tenant's subscriptions 5 s (WEBHOOK_SUBSCRIPTION_CACHE_MS): a new webhook is seen after it.
      await new Promise((resolve) => setTimeout(resolve, 5_500));
      const { orderId } = await api.ok<{ orderId: string }>('POST', '/orders', { channel: 'web', shipTo: NEW_YORK, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 1 }] });
      const delivery = await eventually(async () => {
        const page = await call<{ items: Array<{ orderId?: string; eventType: string }> }>(api, 'GET', `/webhooks/${webhookId}/deliveries`);
        return page.body.items.find((d) => d.eventType === 'OrderAllocated');
      }, 20_000);
      expect(delivery.orderId).toBe(orderId);
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
