import { describe, expect, it } from 'vitest';
import { DomApi } from '../../../infra/local/tools/api-client.ts';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { createTestTenant, eventually, type OrderView } from '../../../infra/local/tools/testing.ts';

const cloud = useTestCloud();

const NEW_YORK = { country: 'US', postalCode: '10001' };

/** The t-shirt story's network: Brooklyn is closest with one tee, Olean (NY) has two, a Manhattan store has two. */
async function storyTenant(options: { storeShips?: boolean } = {}): Promise<DomApi> {
  const tenant = await createTestTenant('T-shirt Story');
  const api = new DomApi(cloud().apiUrl, tenant.apiKey);
  await api.ok('PUT', '/locations/brooklyn-wh', { name: 'Brooklyn warehouse', type: 'warehouse', address: { postalCode: '11222', country: 'US' } });
  await api.ok('PUT', '/locations/olean-wh', { name: 'Olean warehouse', type: 'warehouse', address: { postalCode: '14760', country: 'US' } });
  await api.ok('PUT', '/locations/manhattan-store', {
    name: 'Manhattan store',
    type: 'store',
    address: { postalCode: '10013', country: 'US' },
    capabilities: { ship: options.storeShips ?? true, pickup: true, curbside: true },
  });
  await api.ok('PUT', '/skus/TEE-BLK-M', { name: 'Black tee, M', weightLb: 0.4 });
  await api.ok('POST', '/inventory/adjustments', {
    adjustments: [
      { locationId: 'brooklyn-wh', sku: 'TEE-BLK-M', set: 1 },
      { locationId: 'olean-wh', sku: 'TEE-BLK-M', set: 2 },
      { locationId: 'manhattan-store', sku: 'TEE-BLK-M', set: 2 },
    ],
  });
  await eventually(async () => {
    const inventory = await api.ok<{ available: number }>('GET', '/inventory/TEE-BLK-M');
    return inventory.available === 5 ? inventory : undefined;
  });
  // GET /inventory reads the stock itself; the router reads the stream-built projection, written a moment later.
  await cloud().settle();
  return api;
}

async function settledOrder(api: DomApi, orderId: string, done: (o: OrderView) => boolean = (o) => !['ACCEPTED', 'ROUTING'].includes(o.status)): Promise<OrderView> {
  return eventually(async () => {
    const order = await api.ok<OrderView>('GET', `/orders/${orderId}`);
    return done(order) ? order : undefined;
  }, 20_000);
}

async function place(api: DomApi, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<OrderView> {
  const placed = await api.request<{ orderId: string; status: string }>('POST', '/orders', body, headers);
  expect(placed.status, JSON.stringify(placed.body)).toBe(202);
  return settledOrder(api, placed.body.orderId);
}

const twoTees = (extra: Record<string, unknown> = {}) => ({ channel: 'web', shipTo: NEW_YORK, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 2 }], ...extra });

describe('the t-shirt story, end to end over HTTP', () => {
  it('allows a split when it pays, or ships from one place; every plan carries an explanation and a carrier quote', async () => {
    const api = await storyTenant();
    const order = await place(api, twoTees({ splitPolicy: 'allow', preference: 'cheapest' }));
    expect(order.status).toBe('ALLOCATED');
    expect(order.allocations.reduce((n, a) => n + a.quantity, 0)).toBe(2);
    for (const shipment of order.shipments) {
      expect(shipment).toMatchObject({ status: 'REQUESTED', carrier: expect.any(String), service: expect.any(String) });
      expect(shipment.promisedDeliveryDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(shipment.co2Grams).toBeGreaterThan(0);
    }
    expect(order.routing?.explanation.join('\n')).toMatch(/runner-up/);
    expect(order.history.map((h) => h.status)).toEqual(['ACCEPTED', 'ROUTING', 'ALLOCATED']);
  });

  it('ships everything from one location under minimize', async () => {
    const api = await storyTenant();
    const order = await place(api, twoTees({ splitPolicy: 'minimize' }));
    expect(order.status).toBe('ALLOCATED');
    expect(order.shipments).toHaveLength(1);
    expect(['olean-wh', 'manhattan-store']).toContain(order.shipments[0]!.locationId);
  });

  it('never uses the store when ship-from-store is off, so the two tees come from Olean under single', async () => {
    const api = await storyTenant({ storeShips: false });
    const order = await place(api, twoTees({ splitPolicy: 'single' }));
    expect(order.status).toBe('ALLOCATED');
    expect(order.shipments.map((s) => s.locationId)).toEqual(['olean-wh']);
  });

  it('splits an order across locations when no single one holds it all', async () => {
    const api = await storyTenant();
    const order = await place(api, { channel: 'web', shipTo: NEW_YORK, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 5 }] });
    expect(order.status).toBe('ALLOCATED');
    expect(new Set(order.shipments.map((s) => s.locationId)).size).toBe(3);
    const inventory = await eventually(async () => {
      const inv = await api.ok<{ available: number }>('GET', '/inventory/TEE-BLK-M');
      return inv.available === 0 ? inv : undefined;
    });
    expect(inventory.available).toBe(0);
  });
});

describe('routing rules as data, per tenant', () => {
  it('stores versioned rules that the router applies, refusing stale edits and invalid documents', async () => {
    const api = await storyTenant();
    const defaults = await api.ok<{ version: number; isDefault: boolean }>('GET', '/routing-rules');
    expect(defaults.isDefault).toBe(true);

    const warehousesOnly = { ruleSets: [{ id: 'no-stores', filters: { locationTypes: ['warehouse'] }, split: { policy: 'single' } }], expectedVersion: 0 };
    const stored = await api.ok<{ version: number }>('PUT', '/routing-rules', warehousesOnly);
    expect(stored.version).toBe(1);
    expect((await api.request('PUT', '/routing-rules', warehousesOnly)).status).toBe(409);
    const invalid = await api.request<{ errors: Array<{ field: string }> }>('PUT', '/routing-rules', { ruleSets: [{ id: 'web-only', scope: { channels: ['web'] } }] });
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors.map((e) => e.field)).toContain('ruleSets');

    const order = await place(api, twoTees());
    expect(order.status).toBe('ALLOCATED');
    expect(order.shipments.map((s) => s.locationId)).toEqual(['olean-wh']);
    expect(order.routing?.explanation.join('\n')).toMatch(/no-stores@v1/);
  });
});

