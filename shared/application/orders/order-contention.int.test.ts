import { describe, expect, it } from 'vitest';
import { DomApi } from '../../../infra/local/tools/api-client.ts';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { createTestTenant, eventually, type OrderView } from '../../../infra/local/tools/testing.ts';

const cloud = useTestCloud();

describe('300 concurrent orders for a SKU with 25 units', () => {
  it('allocates exactly 25 units, backorders the rest and leaves none stuck', async () => {
    const tenant = await createTestTenant('Contention Shop');
    const api = new DomApi(cloud().apiUrl, tenant.apiKey);
    await api.ok('PUT', '/skus/HOT-SNEAKER', { weightLb: 2 });
    const stores = [
      { id: 'olean-wh', zip: '14760', units: 10 },
      { id: 'brooklyn-wh', zip: '11222', units: 8 },
      { id: 'newark-wh', zip: '07102', units: 7 },
    ];
    for (const s of stores) await api.ok('PUT', `/locations/${s.id}`, { name: s.id, type: 'warehouse', address: { postalCode: s.zip, country: 'US' } });
    await api.ok('POST', '/inventory/adjustments', { adjustments: stores.map((s) => ({ locationId: s.id, sku: 'HOT-SNEAKER', set: s.units })) });
    await eventually(async () => ((await api.ok<{ available: number }>('GET', '/inventory/HOT-SNEAKER')).available === 25 ? true : undefined));
    await cloud().settle(); // the router reads the projection, which the stream writes a moment after the stock

    const placed = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        api.ok<{ orderId: string }>('POST', '/orders', { channel: 'web', shipTo: { country: 'US', postalCode: '10001' }, lines: [{ lineId: 'l1', sku: 'HOT-SNEAKER', quantity: 1 }] }, { 'idempotency-key': `drop-${i}` }),
      ),
    );
    expect(new Set(placed.map((p) => p.orderId)).size).toBe(300);

    const final = await eventually(
      async () => {
        const orders = await Promise.all(placed.map((p) => api.ok<OrderView>('GET', `/orders/${p.orderId}`)));
        return orders.every((o) => o.status === 'ALLOCATED' || o.status === 'BACKORDERED') ? orders : undefined;
      },
      120_000,
      500,
    );
    const allocatedUnits = final.reduce((n, o) => n + o.allocations.reduce((m, a) => m + a.quantity, 0), 0);
    expect(allocatedUnits).toBe(25);
    expect(final.filter((o) => o.status === 'ALLOCATED')).toHaveLength(25);
    expect(final.filter((o) => o.status === 'BACKORDERED')).toHaveLength(275);

    const inventory = await eventually(async () => {
      const inv = await api.ok<{ available: number; locations: Array<{ onHand: number; reserved: number }> }>('GET', '/inventory/HOT-SNEAKER');
      return inv.available === 0 ? inv : undefined;
    });
    expect(inventory.locations.reduce((n, l) => n + l.reserved, 0)).toBe(25);
    expect(inventory.locations.reduce((n, l) => n + l.onHand, 0)).toBe(25);
  }, 180_000);
});
