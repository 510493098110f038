import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomApi } from '../../../infra/local/tools/api-client.ts';
import type { LocalCloud } from '../../../infra/local/cloud.ts';
import { createTestTenant, eventually, startTestCloud, type OrderView } from '../../../infra/local/tools/testing.ts';
import { expectMatchesContract } from '../../http/contract-validator.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../../infra/local/tools/webhook-receiver.ts';

// Issue 14, part 4: a store's (or 3PL's) key sees and works its own locations' shipments and stock, nothing else.

let cloud: LocalCloud;
let receiver: WebhookReceiver;

beforeAll(async () => {
  // The webhook used to watch events is registered just before the events it must see.
  process.env.WEBHOOK_SUBSCRIPTION_CACHE_MS = '0';
  cloud = await startTestCloud();
  receiver = await startWebhookReceiver();
});

afterAll(async () => {
  await receiver?.close();
  await cloud?.close();
});

/** Capitals and dots in an id are valid, and compared exactly. */
const NYC = 'Store.NYC-01';
const BROOKLYN = 'bk-store';

interface Shop {
  admin: DomApi;
  tenantId: string;
}

async function shopWithTwoStores(name: string): Promise<Shop> {
  const tenant = await createTestTenant(name);
  const admin = new DomApi(cloud.apiUrl, tenant.apiKey);
  await admin.ok('PUT', '/skus/TEE-BLK-M', { weightLb: 0.4 });
  for (const [locationId, zip] of [[NYC, '10001'], [BROOKLYN, '11201']] as const) {
    await admin.ok('PUT', `/locations/${locationId}`, { name: locationId, type: 'store', address: { postalCode: zip, country: 'US' }, capabilities: { ship: true, pickup: true } });
  }
  await admin.ok('POST', '/inventory/adjustments', { adjustments: [NYC, BROOKLYN].map((locationId) => ({ locationId, sku: 'TEE-BLK-M', set: 10 })) });
  await eventually(async () => ((await admin.ok<{ available: number }>('GET', '/inventory/TEE-BLK-M')).available === 20 ? true : undefined));
  await cloud.settle();
  return { admin, tenantId: tenant.tenantId };
}

/** A pickup order at the store: its one shipment, REQUESTED at that store. */
async function pickupAt(shop: Shop, locationId: string): Promise<{ orderId: string; shipmentId: string }> {
  const placed = await shop.admin.request<{ orderId: string }>('POST', '/orders', {
    channel: 'web',
    shipTo: { country: 'US', postalCode: '10001' },
    lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 1, fulfillment: { type: 'pickup', locationId } }],
  });
  expect(placed.status, JSON.stringify(placed.body)).toBe(202);
  const order = await eventually(async () => {
    const view = await shop.admin.ok<OrderView>('GET', `/orders/${placed.body.orderId}`);
    return view.shipments.length ? view : undefined;
  }, 30_000);
  return { orderId: order.orderId, shipmentId: order.shipments[0]!.shipmentId };
}

async function issueKey(shop: Shop, name: string, locationIds: string[]): Promise<{ keyId: string; key: DomApi; apiKey: string }> {
  const response = await shop.admin.request<{ keyId: string; apiKey: string }>('POST', '/api-keys', { name, scope: { locationIds } });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return { keyId: response.body.keyId, apiKey: response.body.apiKey, key: new DomApi(cloud.apiUrl, response.body.apiKey) };
}

describe('scoped API keys for partners', () => {
  it('issues a key whose secret is answered once: the list shows the key, its scope and the admin key, never a secret', async () => {
    const shop = await shopWithTwoStores('Keys Shop');
    const created = await shop.admin.request<Record<string, unknown>>('POST', '/api-keys', { name: 'Café Ñandú tablet', scope: { locationIds: [NYC] } });
    expectMatchesContract('POST', '/api-keys', created);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ keyId: expect.stringMatching(/^k_/), name: 'Café Ñandú tablet', scope: { locationIds: [NYC] }, apiKey: expect.stringMatching(/^dom_t_/) });
    const secret = String(created.body.apiKey).split('.')[1]!;

    const listed = await shop.admin.request<{ items: Array<Record<string, unknown>> }>('GET', '/api-keys');
    expectMatchesContract('GET', '/api-keys', listed);
    expect(listed.body.items.map((k) => k.keyId).sort()).toEqual(['admin', created.body.keyId].sort());
    expect(listed.body.items.find((k) => k.keyId === created.body.keyId)).toEqual({
      keyId: created.body.keyId,
      name: 'Café Ñandú tablet',
      scope: { locationIds: [NYC] },
      hint: expect.any(String),
      createdAt: expect.any(String),
    });
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(JSON.stringify(listed.body)).not.toContain(secret.slice(4, 20));
  });

  it('lets a store key list its pick list and act on its shipments, recording the key on the history and in the event', async () => {
    const shop = await shopWithTwoStores('Pick List Shop');
    const hook = await shop.admin.request<{ webhookId: string }>('POST', '/webhooks', { url: `${receiver.url}/accepted`, events: ['ShipmentAccepted'] });
    expect(hook.status).toBe(201);
    const mine = await pickupAt(shop, NYC);
    const theirs = await pickupAt(shop, BROOKLYN);
    const { key, keyId } = await issueKey(shop, 'NYC tablet', [NYC]);

    const pickList = await key.request<{ items: Array<{ shipmentId: string; locationId: string; status: string }> }>('GET', `/locations/${NYC}/shipments?status=REQUESTED`);
    expectMatchesContract('GET', `/locations/${NYC}/shipments?status=REQUESTED`, pickList);
    expect(pickList.status).toBe(200);
    expect(pickList.body.items.map((s) => s.shipmentId)).toEqual([mine.shipmentId]);
    expect(pickList.body.items.map((s) => s.shipmentId)).not.toContain(theirs.shipmentId);

    // Two taps at once on the tablet, or a retry: one acceptance.
    const [first, second] = await Promise.all([1, 2].map(() => key.request<{ status: string; history: Array<{ status: string; by?: unknown }> }>('POST', `/shipments/${mine.shipmentId}/accept`)));
    expect([first!.status, second!.status]).toEqual([200, 200]);
    expectMatchesContract('POST', `/shipments/${mine.shipmentId}/accept`, first!);
    const accepted = await shop.admin.ok<OrderView>('GET', `/orders/${mine.orderId}`);
    const history = accepted.shipments[0]!.history as Array<{ status: string; by?: unknown }>;
    expect(history.filter((h) => h.status === 'ACCEPTED')).toEqual([{ status: 'ACCEPTED', at: expect.any(String), by: { keyId, keyName: 'NYC tablet' } }]);

    const delivered = await eventually(async () => receiver.received.find((r) => r.path === '/accepted' && r.body.includes(mine.shipmentId)));
    const event = JSON.parse(delivered.body) as { data?: { by?: unknown; shipmentId?: string } } & Record<string, unknown>;
    expect(JSON.stringify(event)).toContain(JSON.stringify({ keyId, keyName: 'NYC tablet' }));

    const requested = await key.ok<{ items: unknown[] }>('GET', `/locations/${NYC}/shipments?status=REQUESTED`);
    expect(requested.items).toEqual([]);
    const acceptedQueue = await key.ok<{ items: Array<{ shipmentId: string }> }>('GET', `/locations/${NYC}/shipments?status=ACCEPTED`);
    expect(acceptedQueue.items.map((s) => s.shipmentId)).toEqual([mine.shipmentId]);

    const shipped = await key.request<{ status: string }>('POST', `/shipments/${mine.shipmentId}/ship`, { tracking: { trackingNumber: '1Z999' } });
    expect(shipped.status).toBe(200);
    expect(shipped.body.status).toBe('SHIPPED');
  });

  it('answers 404 for another location\'s shipments and for every order, 403 for admin routes, and changes nothing', async () => {
    const shop = await shopWithTwoStores('Fenced Shop');
    const theirs = await pickupAt(shop, BROOKLYN);
    const { key } = await issueKey(shop, 'NYC only', [NYC]);

    for (const [method, path] of [
      ['GET', `/locations/${BROOKLYN}/shipments`],
      ['GET', `/locations/${BROOKLYN}/shipments?status=REQUESTED`],
      ['POST', `/shipments/${theirs.shipmentId}/accept`],
      ['POST', `/shipments/${theirs.shipmentId}/reject`],
      ['POST', `/shipments/${theirs.shipmentId}/ship`],
      ['POST', `/shipments/${theirs.shipmentId}/deliver`],
      ['GET', `/orders/${theirs.orderId}`],
      ['GET', '/orders'],
      ['POST', `/orders/${theirs.orderId}/cancel`],
      ['GET', '/orders/o_0000000000000000000000'],
    ] as const) {
      const response = await key.request(method, path);
      expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBe(404);
    }
    // An order placed by a scoped key would be one it could not see: refused as if the route were not there.
    const placed = await key.request('POST', '/orders', { channel: 'web', shipTo: { country: 'US', postalCode: '10001' }, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 1 }] });
    expect(placed.status).toBe(404);

    for (const [method, path, body] of [
      ['GET', '/tenant', undefined],
      ['GET', '/api-keys', undefined],
      ['POST', '/api-keys', { name: 'escalate', scope: { locationIds: [BROOKLYN] } }],
      ['DELETE', '/api-keys/admin', undefined],
      ['PUT', `/locations/${NYC}`, { name: 'mine now', type: 'store', address: { postalCode: '10001', country: 'US' } }],
      ['GET', '/locations', undefined],
      ['GET', '/routing-rules', undefined],
      ['GET', '/inventory/TEE-BLK-M', undefined],
      ['POST', '/webhooks', { url: 'https://example.com/x', events: ['*'] }],
    ] as const) {
      const response = await key.request(method, path, body);
      expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBe(403);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }

    const order = await shop.admin.ok<OrderView>('GET', `/orders/${theirs.orderId}`);
    expect(order.shipments[0]!.status).toBe('REQUESTED');
    expect(order.status).not.toBe('CANCELLED');
    const keys = await shop.admin.ok<{ items: unknown[] }>('GET', '/api-keys');
    expect(keys.items).toHaveLength(2);
  });

  it('adjusts its own location\'s stock and refuses another\'s as an unknown location', async () => {
    const shop = await shopWithTwoStores('Stock Shop');
    const { key } = await issueKey(shop, 'NYC counts', [NYC]);
    const report = await key.request<{ applied: number; errors: Array<{ index: number; field: string; code: string }> }>('POST', '/inventory/adjustments', {
      adjustments: [
        { locationId: NYC, sku: 'TEE-BLK-M', set: 7 },
        { locationId: BROOKLYN, sku: 'TEE-BLK-M', set: 0 },
        { locationId: 'store.nyc-01', sku: 'TEE-BLK-M', set: 0 },
      ],
    });
    expectMatchesContract('POST', '/inventory/adjustments', report);
    expect(report.body.applied).toBe(1);
    expect(report.body.errors).toEqual([
      { index: 1, field: 'adjustments[1].locationId', code: 'UNKNOWN_LOCATION', message: expect.any(String) },
      { index: 2, field: 'adjustments[2].locationId', code: 'UNKNOWN_LOCATION', message: expect.any(String) },
    ]);
    const stock = await shop.admin.ok<{ locations: Array<{ locationId: string; onHand: number }> }>('GET', '/inventory/TEE-BLK-M');
    expect(Object.fromEntries(stock.locations.map((l) => [l.locationId, l.onHand]))).toEqual({ [NYC]: 7, [BROOKLYN]: 10 });
  });

  it('stops a revoked key at once; revoking again answers the same; the admin key cannot be revoked', async () => {
    const shop = await shopWithTwoStores('Revoke Shop');
    const { key, keyId } = await issueKey(shop, 'lost tablet', [NYC]);
    expect((await key.request('GET', `/locations/${NYC}/shipments`)).status).toBe(200);

    const revoked = await shop.admin.request<{ status: string; keyId: string }>('DELETE', `/api-keys/${keyId}`);
    expectMatchesContract('DELETE', `/api-keys/${keyId}`, revoked);
    expect(revoked.body).toMatchObject({ keyId, status: 'REVOKED', revokedAt: expect.any(String) });
    // The gateway had a cached Allow for this key from the call above: it must not be used.
    const refused = await key.request('GET', `/locations/${NYC}/shipments`);
    expect(refused.status).toBe(401);

    const again = await shop.admin.request<{ status: string; revokedAt: string }>('DELETE', `/api-keys/${keyId}`);
    expect(again.status).toBe(200);
    expect(again.body.revokedAt).toBe((revoked.body as unknown as { revokedAt: string }).revokedAt);
    // Two revocations of another key at once: both answer the one revocation.
    const other = await issueKey(shop, 'spare tablet', [NYC]);
    const both = await Promise.all([1, 2].map(() => shop.admin.request<{ status: string; revokedAt: string }>('DELETE', `/api-keys/${other.keyId}`)));
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    expect(both[0]!.body.revokedAt).toBe(both[1]!.body.revokedAt);
    expect((await other.key.request('GET', `/locations/${NYC}/shipments`)).status).toBe(401);
    const listed = await shop.admin.ok<{ items: Array<{ keyId: string }> }>('GET', '/api-keys');
    expect(listed.items.map((k) => k.keyId)).toEqual(['admin']);
    // The name is free again: a replacement tablet gets a key of the same name.
    const replacement = await issueKey(shop, 'Lost Tablet', [NYC]);
    expect((await replacement.key.request('GET', `/locations/${NYC}/shipments`)).status).toBe(200);

    const admin = await shop.admin.request('DELETE', '/api-keys/admin');
    expectMatchesContract('DELETE', '/api-keys/admin', admin);
    expect(admin.status).toBe(409);
    expect((await shop.admin.request('DELETE', '/api-keys/k_0000000000000000000000')).status).toBe(404);
    expect((await shop.admin.request('GET', '/tenant')).status).toBe(200);
  });

  it('makes one key of two requests with the same name at once (a retry cannot make a second)', async () => {
    const shop = await shopWithTwoStores('Race Shop');
    const body = { name: 'Dock 3', scope: { locationIds: [NYC, BROOKLYN] } };
    const responses = await Promise.all([1, 2].map(() => shop.admin.request('POST', '/api-keys', body)));
    expect(responses.map((r) => r.status).sort()).toEqual([201, 409]);
    const conflict = responses.find((r) => r.status === 409)!;
    expectMatchesContract('POST', '/api-keys', conflict);
    const retried = await shop.admin.request('POST', '/api-keys', { ...body, name: 'dock 3' });
    expect(retried.status).toBe(409);
    const listed = await shop.admin.ok<{ items: Array<{ name?: string }> }>('GET', '/api-keys');
    expect(listed.items.filter((k) => k.name === 'Dock 3')).toHaveLength(1);
  });

  it('refuses odd scopes with a 422 naming the field, and writes no key', async () => {
    const shop = await shopWithTwoStores('Odd Shop');
    const cases: Array<[string, unknown, string]> = [
      ['an unknown location', { name: 'a', scope: { locationIds: [NYC, 'nowhere'] } }, 'scope.locationIds[1]'],
      ['a location id in another case', { name: 'b', scope: { locationIds: ['STORE.NYC-01'] } }, 'scope.locationIds[0]'],
      ['a unicode location id', { name: 'c', scope: { locationIds: ['magasin-é'] } }, 'scope.locationIds[0]'],
      ['a location named twice', { name: 'd', scope: { locationIds: [NYC, NYC] } }, 'scope.locationIds[1]'],
      ['no locations', { name: 'e', scope: { locationIds: [] } }, 'scope.locationIds'],
      ['21 locations', { name: 'f', scope: { locationIds: Array.from({ length: 21 }, (_, i) => `s${i}`) } }, 'scope.locationIds'],
      ['no scope (an admin key)', { name: 'g' }, 'scope'],
      ['a name with a control character', { name: 'tab\u0007let', scope: { locationIds: [NYC] } }, 'name'],
      ['a name of 101 characters', { name: 'n'.repeat(101), scope: { locationIds: [NYC] } }, 'name'],
    ];
    for (const [what, body, field] of cases) {
      const response = await shop.admin.request<{ errors: Array<{ field: string }> }>('POST', '/api-keys', body);
      expect(response.status, what).toBe(422);
      expect(response.body.errors.map((e) => e.field), what).toContain(field);
    }
    const unicodePath = await shop.admin.request<{ errors: Array<{ field: string }> }>('GET', `/locations/${encodeURIComponent('magasin-é')}/shipments`);
    expect(unicodePath.status).toBe(422);
    expect(unicodePath.body.errors[0]!.field).toBe('path.locationId');
    const listed = await shop.admin.ok<{ items: unknown[] }>('GET', '/api-keys');
    expect(listed.items).toHaveLength(1);
    // Exactly at the bounds: a 100-character name and 20 locations.
    const many = Array.from({ length: 18 }, (_, i) => `Store.${i}`);
    for (const locationId of many) await shop.admin.ok('PUT', `/locations/${locationId}`, { name: locationId, type: 'store', address: { postalCode: '10001', country: 'US' } });
    await issueKey(shop, 'n'.repeat(100), [NYC, BROOKLYN, ...many]);
  });

  it('keeps tenants apart: another tenant\'s admin key finds no such location or shipment', async () => {
    const shop = await shopWithTwoStores('Tenant A Shop');
    const mine = await pickupAt(shop, NYC);
    const other = await shopWithTwoStores('Tenant B Shop');
    expect((await other.admin.request('POST', `/shipments/${mine.shipmentId}/accept`)).status).toBe(404);
    const otherList = await other.admin.ok<{ items: unknown[] }>('GET', `/locations/${NYC}/shipments`);
    expect(otherList.items).toEqual([]);
    const { apiKey } = await issueKey(shop, 'A store', [NYC]);
    // A's key presented with B's tenant id is not a key at all.
    const forged = new DomApi(cloud.apiUrl, apiKey.replace(shop.tenantId, other.tenantId));
    expect((await forged.request('GET', `/locations/${NYC}/shipments`)).status).toBe(401);
  });
});
