import { describe, expect, it } from 'vitest';
import { DomApi } from '../../../infra/local/tools/api-client.ts';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { createTestTenant, eventually, type OrderView } from '../../../infra/local/tools/testing.ts';

// Issue 14 part 2: a pickup at a store that lacks the units gets them by a transfer (issue 18's), then is allocated.

const cloud = useTestCloud();
const SKU = 'Lamp.Brass-01';
const STORE = 'Store.Chelsea-01';
const ALWAYS = Object.fromEntries(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d) => [d, [{ opens: '00:00', closes: '24:00' }]]));

type Order = OrderView & { routing?: { explanation: string[] }; shipments: Array<OrderView['shipments'][number] & { readyBy?: string }> };
type Transfer = { transferId: string; fromLocationId: string; toLocationId: string; status: string; expectedArrivalAt?: string; reason?: string; lines: Array<{ sku: string; quantity: number; received: number }> };
type Stock = { locations: Array<{ locationId: string; onHand: number; reserved: number; available: number }> };

async function shop(name: string) {
  const tenant = await createTestTenant(name);
  const api = new DomApi(cloud().apiUrl, tenant.apiKey);
  await api.ok('PUT', `/skus/${SKU}`, { weightLb: 2 });
  await api.ok('PUT', `/locations/${STORE}`, { name: 'Chelsea', type: 'store', address: { postalCode: '10001', country: 'US' }, capabilities: { ship: false, pickup: true }, pickupSlotsPerDay: 10, timeZone: 'America/New_York', handlingMinutes: 30, openingHours: ALWAYS });
  await api.ok('PUT', '/locations/newark-wh', { name: 'Newark', type: 'warehouse', address: { postalCode: '07102', country: 'US' } });
  await api.ok('PUT', '/locations/reno-wh', { name: 'Reno', type: 'warehouse', address: { postalCode: '89501', country: 'US' } });
  await api.ok('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'newark-wh', sku: SKU, set: 10 }, { locationId: 'reno-wh', sku: SKU, set: 10 }, { locationId: STORE, sku: SKU, set: 0 }] });
  await eventually(async () => ((await api.ok<{ available: number }>('GET', `/inventory/${SKU}`)).available === 20 ? true : undefined));
  await cloud().settle();
  return api;
}

const stockAt = async (api: DomApi, locationId: string) => (await api.ok<Stock>('GET', `/inventory/${SKU}`)).locations.find((l) => l.locationId === locationId);

async function settled(api: DomApi, orderId: string, status: string): Promise<Order> {
  return eventually(async () => {
    const order = await api.ok<Order>('GET', `/orders/${orderId}`);
    return order.status === status ? order : undefined;
  }, 90_000, 100);
}

describe('pickup through a transfer', () => {
  it('moves the units from the nearest location holding them, promises the pickup for their arrival, and allocates it at the store on receipt', { timeout: 240_000 }, async () => {
    const api = await shop('Transfer Pickup Shop');
    // Two pickups at once at the store that has none: each starts its own transfer from Newark (not Reno, farther).
    const [a, b] = await Promise.all(
      [2, 3].map((quantity) =>
        api.ok<{ orderId: string }>('POST', '/orders', { channel: 'web', shipTo: { country: 'US', postalCode: '10001' }, lines: [{ lineId: 'l1', sku: SKU, quantity, fulfillment: { type: 'pickup', locationId: STORE } }] }),
      ),
    );
    const orders = await Promise.all([a!, b!].map((o) => settled(api, o.orderId, 'BACKORDERED')));
    const transfers = await Promise.all(orders.map((o) => api.ok<Transfer>('GET', `/transfers/tr_${o.orderId}.l1`)));
    expect(transfers.map((t) => [t.fromLocationId, t.toLocationId, t.status, t.lines[0]!.quantity])).toEqual([
      ['newark-wh', STORE, 'REQUESTED', 2],
      ['newark-wh', STORE, 'REQUESTED', 3],
    ]);
    for (const [i, order] of orders.entries()) {
      const transfer = transfers[i]!;
      expect(transfer.reason).toContain(`pickup of order ${order.orderId} line l1 at ${STORE}, ready by`);
      // The promise moves by the transit: the units are expected a business day or more from now, never today.
      expect(Date.parse(transfer.expectedArrivalAt!)).toBeGreaterThan(Date.now());
      expect(order.routing!.explanation.join('\n')).toContain(`transfer ${transfer.transferId} from newark-wh`);
    }
    // In transit: taken from Newark's stock, sellable nowhere.
    expect(await stockAt(api, 'newark-wh')).toMatchObject({ onHand: 5, available: 5 });

    // Stock moving elsewhere routes the waiting orders again (StockChanged): they find their transfers, start none.
    await api.ok('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'reno-wh', sku: SKU, delta: 1 }] });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await cloud().settle();
    expect(await stockAt(api, 'newark-wh')).toMatchObject({ onHand: 5, available: 5 });
    for (const order of orders) {
      const again = await api.ok<Order>('GET', `/orders/${order.orderId}`);
      expect(again.status).toBe('BACKORDERED');
    }

    // Both transfers received at the store: the units are on hand there and both pickups are allocated at the store.
    for (const transfer of transfers) expect((await api.request('POST', `/transfers/${transfer.transferId}/receive`, {})).status).toBe(200);
    const allocated = await Promise.all(orders.map((o) => settled(api, o.orderId, 'ALLOCATED')));
    for (const order of allocated) {
      expect(order.shipments.map((s) => [s.locationId, s.status])).toEqual([[STORE, 'REQUESTED']]);
      // Ready once received and handled (30 minutes of open time), not at the transfer's estimate.
      expect(Date.parse(order.shipments[0]!.readyBy!)).toBeGreaterThan(Date.now() + 20 * 60_000);
    }
    expect(await stockAt(api, STORE)).toMatchObject({ onHand: 5, reserved: 5, available: 0 });
    expect(await stockAt(api, 'reno-wh')).toMatchObject({ onHand: 11, reserved: 0 });
  });
});
