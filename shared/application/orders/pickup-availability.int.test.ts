import { describe, expect, it } from 'vitest';
import { DomApi } from '../../../infra/local/tools/api-client.ts';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { createTestTenant, eventually, type OrderView } from '../../../infra/local/tools/testing.ts';
import { expectMatchesContract } from '../../http/contract-validator.ts';

// Issue 14 part 2: GET /availability, the checkout's question "which stores near me can hold this pickup?".

const cloud = useTestCloud();
const SKU = 'Mug.Blue-01:XL';
const CHELSEA = 'Store.Chelsea-01';
const BROOKLYN = 'store.brooklyn';
const PHILLY = 'store-philly';
const q = (params: Record<string, string | number>) => `/availability?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString()}`;

interface Availability {
  near: { lat: number; lon: number; postalCode?: string };
  stores: Array<{ locationId: string; available: number; distanceKm: number; freeSlots?: number; readyBy: string; pickupDay: string; curbside: boolean }>;
}
type Problem = { errors?: Array<{ field: string; message: string }> };

async function shop(name: string) {
  const tenant = await createTestTenant(name);
  const api = new DomApi(cloud().apiUrl, tenant.apiKey);
  const store = (id: string, zip: string, extra: Record<string, unknown> = {}) =>
    api.ok('PUT', `/locations/${id}`, { name: id, type: 'store', address: { postalCode: zip, country: 'US' }, capabilities: { ship: true, pickup: true }, ...extra });
  await api.ok('PUT', `/skus/${SKU}`, { weightLb: 0.8 });
  await store(CHELSEA, '10001', { pickupSlotsPerDay: 2, capabilities: { ship: true, pickup: true, curbside: true } });
  await store(BROOKLYN, '11201');
  await store(PHILLY, '19103');
  await api.ok('PUT', '/locations/jersey-wh', { name: 'Jersey', type: 'warehouse', address: { postalCode: '07102', country: 'US' } });
  await api.ok('POST', '/inventory/adjustments', {
    adjustments: [
      { locationId: CHELSEA, sku: SKU, set: 6 },
      { locationId: BROOKLYN, sku: SKU, set: 2 },
      { locationId: PHILLY, sku: SKU, set: 9 },
      { locationId: 'jersey-wh', sku: SKU, set: 50 },
    ],
  });
  // The answer reads the stock projection the router reads, which the stream consumer writes a moment later.
  await eventually(async () => ((await api.ok<Availability>('GET', q({ sku: SKU, near: '10001', radiusKm: 500 }))).stores.length === 3 ? true : undefined), 20_000, 100);
  return { tenant, api };
}

describe('GET /availability', () => {
  it('lists the stores that can hold the pickup, nearest first, with stock, slots and ready-by, and drops a store once its slots are taken', { timeout: 180_000 }, async () => {
    const { api } = await shop('Availability Shop');
    const answer = await api.request<Availability>('GET', q({ sku: SKU, quantity: 2, near: '10001' }));
    expectMatchesContract('GET', '/availability', answer);
    expect(answer.status).toBe(200);
    expect(answer.body.stores.map((s) => [s.locationId, s.available, s.freeSlots])).toEqual([
      [CHELSEA, 6, 2],
      [BROOKLYN, 2, undefined],
    ]);
    expect(answer.body.stores[0]!.distanceKm).toBeLessThan(3);
    expect(Math.abs(Date.parse(answer.body.stores[0]!.readyBy) - Date.now())).toBeLessThan(60_000);
    // Quantity exactly at Brooklyn's stock is listed; one more is not. A point and ZIP+4 work as the ZIP does.
    expect((await api.ok<Availability>('GET', q({ sku: SKU, quantity: 3, near: '40.7506,-73.9972' }))).stores.map((s) => s.locationId)).toEqual([CHELSEA]);
    expect((await api.ok<Availability>('GET', q({ sku: SKU, near: '10001-2062', fulfillment: 'curbside' }))).stores.map((s) => s.locationId)).toEqual([CHELSEA]);
    expect((await api.ok<Availability>('GET', q({ sku: SKU, near: '10001', radiusKm: 500 }))).stores.map((s) => s.locationId)).toEqual([CHELSEA, BROOKLYN, PHILLY]);

    // Two pickups take Chelsea's two slots: it is no longer offered, as the router would no longer place one there.
    for (let i = 0; i < 2; i++) {
      const placed = await api.ok<{ orderId: string }>('POST', '/orders', { channel: 'web', shipTo: { country: 'US', postalCode: '10001' }, lines: [{ lineId: 'l1', sku: SKU, quantity: 1, fulfillment: { type: 'pickup', locationId: CHELSEA } }] });
      await eventually(async () => ((await api.ok<OrderView>('GET', `/orders/${placed.orderId}`)).status === 'ALLOCATED' ? true : undefined), 60_000, 100);
    }
    const after = await eventually(async () => {
      const read = await api.ok<Availability>('GET', q({ sku: SKU, near: '10001' }));
      return read.stores.some((s) => s.locationId === CHELSEA) ? undefined : read;
    }, 20_000, 100);
    expect(after.stores.map((s) => s.locationId)).toEqual([BROOKLYN]);
  });

  it('answers an empty list, not an error, for a SKU nobody stocks, and never another tenant\'s stores', { timeout: 120_000 }, async () => {
    await shop('Availability Owner');
    const other = new DomApi(cloud().apiUrl, (await createTestTenant('Availability Stranger')).apiKey);
    const theirs = await other.request<Availability>('GET', q({ sku: SKU, near: '10001', radiusKm: 500 }));
    expect(theirs.status).toBe(200);
    expect(theirs.body.stores).toEqual([]);
  });

  it('refuses bad input with a 4xx naming the field, takes the bounds exactly, and is closed to location-scoped keys', { timeout: 120_000 }, async () => {
    const { api } = await shop('Availability Input Shop');
    const cases: Array<[Record<string, string | number>, string]> = [
      [{ near: '10001' }, 'query.sku'],
      [{ sku: SKU }, 'query.near'],
      [{ sku: SKU, near: 'downtown' }, 'query.near'],
      [{ sku: SKU, near: '91,0' }, 'query.near'],
      [{ sku: SKU, near: '00000' }, 'query.near'],
      [{ sku: SKU, near: '10001', quantity: 0 }, 'query.quantity'],
      [{ sku: SKU, near: '10001', quantity: 1.5 }, 'query.quantity'],
      [{ sku: SKU, near: '10001', radiusKm: 0 }, 'query.radiusKm'],
      [{ sku: SKU, near: '10001', radiusKm: 500.1 }, 'query.radiusKm'],
      [{ sku: SKU, near: '10001', fulfillment: 'ship' }, 'query.fulfillment'],
      [{ sku: 'a#b', near: '10001' }, 'query.sku'],
      [{ sku: 'Ñandú', near: '10001' }, 'query.sku'],
      [{ sku: SKU, near: '10001', colour: 'blue' }, 'query'],
    ];
    for (const [params, field] of cases) {
      const refused = await api.request<Problem>('GET', q(params));
      expect(refused.status, `${JSON.stringify(params)} -> ${JSON.stringify(refused.body)}`).toBe(422);
      expect(refused.body.errors?.map((e) => e.field), JSON.stringify(params)).toContain(field);
    }
    expect((await api.request('GET', q({ sku: SKU, near: '10001', radiusKm: 500, quantity: 1_000_000_000 }))).status).toBe(200);
    expect((await api.request('GET', q({ sku: SKU, near: '-90,180' }))).status).toBe(200);

    const issued = await api.ok<{ apiKey: string }>('POST', '/api-keys', { name: 'Chelsea tablet', scope: { locationIds: [CHELSEA] } });
    const scoped = new DomApi(cloud().apiUrl, issued.apiKey);
    expect((await scoped.request('GET', q({ sku: SKU, near: '10001' }))).status).toBe(403);
  });
});
