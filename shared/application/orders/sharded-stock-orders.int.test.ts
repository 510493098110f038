import { describe, expect, it } from 'vitest';
import { dynamoOrderStore } from '../../adapters/dynamodb/order-store.ts';
import { dynamoReservationStore, dynamoStockStore } from '../../adapters/dynamodb/stock-store.ts';
import type { StockLevel } from '../../domain/inventory/stock.ts';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { eventually } from '../../../infra/local/tools/testing.ts';
import { fulfillmentDeps } from '../../adapters/orders.ts';
import { oneWarehouseShop } from './test-support.ts';

const cloud = useTestCloud();
const SKU = 'TEE-BLK-M';
const shardsOf = (tenantId: string) => dynamoStockStore.getShards(tenantId, 'olean-wh', SKU);
const byShard = (shards: StockLevel[]) => new Map(shards.map((s) => [s.shard ?? 0, s]));

/** A one-warehouse shop whose SKU is split into 4 shards of 10 units, with the projection caught up. */
async function shardedShop(name: string) {
  const shop = await oneWarehouseShop(cloud().apiUrl, name);
  await shop.api.ok('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'olean-wh', sku: SKU, set: 40, shards: 4 }] });
  await eventually(async () => ((await fulfillmentDeps.networks.getMany(shop.tenant.tenantId, [SKU])).get(SKU)?.locations['olean-wh']?.shardCount === 4 ? true : undefined));
  return shop;
}

async function allocated(api: Awaited<ReturnType<typeof oneWarehouseShop>>['api'], tenantId: string, quantity: number) {
  const { orderId } = await api.ok<{ orderId: string }>('POST', '/orders', { channel: 'web', shipTo: { country: 'US', postalCode: '10001' }, lines: [{ lineId: 'l1', sku: SKU, quantity }] });
  await eventually(async () => ((await api.ok<{ status: string }>('GET', `/orders/${orderId}`)).status === 'ALLOCATED' ? true : undefined));
  const { shipments } = (await dynamoOrderStore.get(tenantId, orderId))!;
  const reservation = (await dynamoReservationStore.get(tenantId, shipments[0]!.reservationId))!;
  return { orderId, shipment: shipments[0]!, from: reservation.lines[0]!.from ?? [{ shard: 0, quantity }] };
}

describe('orders on a sharded location+SKU', () => {
  it('allocate from several shards when the line is larger than one, and ship them out of exactly those shards', async () => {
    const { tenant, api } = await shardedShop('Sharded ship');
    const { shipment, from } = await allocated(api, tenant.tenantId, 15);
    expect(from.length).toBeGreaterThanOrEqual(2);
    expect(from.reduce((sum, part) => sum + part.quantity, 0)).toBe(15);
    expect(shipment.stockShards).toBe(true);
    const view = await api.ok<{ shipments: Array<Record<string, unknown>> }>('GET', `/orders/${shipment.orderId}`);
    expect(view.shipments[0]).not.toHaveProperty('stockShards');

    await api.ok('POST', `/shipments/${shipment.shipmentId}/ship`);

    const shards = byShard(await shardsOf(tenant.tenantId));
    expect([...shards.values()].every((s) => s.reserved === 0)).toBe(true);
    for (const [shard, level] of shards) {
      const taken = from.find((part) => part.shard === shard)?.quantity ?? 0;
      expect(level.onHand, `shard ${shard}`).toBe(10 - taken);
    }
    const inventory = await api.ok<{ locations: Array<{ onHand: number; reserved: number; available: number }> }>('GET', `/inventory/${SKU}`);
    expect(inventory.locations[0]).toMatchObject({ onHand: 25, reserved: 0, available: 25 });
  });

  it('GET /inventory/{sku} answers the sums, and each shard with ?shards=true', async () => {
    const { tenant, api } = await shardedShop('Sharded view');
    const { from } = await allocated(api, tenant.tenantId, 3);

    const plain = await api.ok<{ locations: Array<Record<string, unknown>> }>('GET', `/inventory/${SKU}`);
    expect(plain.locations).toEqual([{ locationId: 'olean-wh', onHand: 40, reserved: 3, safetyStock: 0, available: 37 }]);
    const ops = await api.ok<{ locations: Array<{ shards: Array<{ shard: number; onHand: number; reserved: number; available: number }> }> }>('GET', `/inventory/${SKU}?shards=true`);
    const shards = ops.locations[0]!.shards;
    expect(shards.map((s) => s.shard)).toEqual([0, 1, 2, 3]);
    expect(shards.reduce((sum, s) => sum + s.onHand, 0)).toBe(40);
    for (const s of shards) expect(s.reserved).toBe(from.find((part) => part.shard === s.shard)?.quantity ?? 0);
    const bad = await api.request<{ errors?: Array<{ field: string }> }>('GET', `/inventory/${SKU}?shards=yes`);
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
    expect(JSON.stringify(bad.body)).toContain('shards');
  });

  it('a cancelled order gives its units back to the shards they came from', async () => {
    const { tenant, api } = await shardedShop('Sharded cancel');
    const before = await shardsOf(tenant.tenantId);
    const { orderId, from } = await allocated(api, tenant.tenantId, 13);

    await api.ok('POST', `/orders/${orderId}/cancel`, { reason: 'changed their mind' });

    const after = byShard(await shardsOf(tenant.tenantId));
    for (const level of before) expect(after.get(level.shard ?? 0)).toMatchObject({ onHand: level.onHand, reserved: 0 });
    expect([...after.values()].reduce((sum, s) => sum + s.available, 0)).toBe(40);
    expect(from.reduce((sum, part) => sum + part.quantity, 0)).toBe(13);
  });

  it('sell no more than the shards hold when orders race for them', async () => {
    const { tenant, api } = await shardedShop('Sharded race');
    const placed = await Promise.all(
      Array.from({ length: 12 }, () => api.ok<{ orderId: string }>('POST', '/orders', { channel: 'web', shipTo: { country: 'US', postalCode: '10001' }, lines: [{ lineId: 'l1', sku: SKU, quantity: 4 }] })),
    );
    const statuses = await eventually(async () => {
      const orders = await Promise.all(placed.map(({ orderId }) => api.ok<{ status: string }>('GET', `/orders/${orderId}`)));
      return orders.every((o) => !['ACCEPTED', 'ROUTING'].includes(o.status)) ? orders.map((o) => o.status) : undefined;
    }, 30_000);
    await cloud().settle();

    const shards = await shardsOf(tenant.tenantId);
    expect(shards.reduce((sum, s) => sum + s.reserved, 0)).toBe(40);
    expect(shards.every((s) => s.reserved <= s.onHand && s.available >= 0)).toBe(true);
    expect(statuses.filter((s) => s === 'ALLOCATED')).toHaveLength(10);
  });
});
