import { describe, expect, it } from 'vitest';
import { documentClient, PutCommand, tableName } from '../../adapters/dynamodb/client.ts';
import { orderItem, dynamoOrderStore } from '../../adapters/dynamodb/order-store.ts';
import { dynamoConsolidationWriter, dynamoReleaseClaims } from '../../adapters/dynamodb/release-claim-store.ts';
import { fulfillmentDeps, sweepDeps } from '../../adapters/orders.ts';
import type { Order } from '../../domain/orders/order.ts';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { eventually } from '../../../infra/local/tools/testing.ts';
import type { DomApi } from '../../../infra/local/tools/api-client.ts';
import { releaseTenantWindow, type ReleaseDeps } from './release-windows.ts';
import { oneWarehouseShop } from './test-support.ts';

const cloud = useTestCloud();
const deps: ReleaseDeps = { ...fulfillmentDeps, workflows: sweepDeps.workflows, stuck: sweepDeps.stuck, claims: dynamoReleaseClaims, consolidations: dynamoConsolidationWriter };

interface OrderView {
  orderId: string;
  status: string;
  releaseAt?: string;
  history: Array<{ status: string; reason?: string }>;
  routing?: { explanation: string[] };
  shipments?: Array<{ shipmentId: string; locationId: string; cost?: number; parcel?: { parcelId: string; shipmentIds: string[]; orderIds: string[]; lead: boolean }; lines: Array<{ sku: string; quantity: number }> }>;
}

const shipTo = { country: 'US', postalCode: '10001', address: '1 Main St' };
const line = (quantity = 1) => [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity }];

/** The one-warehouse shop with a 5-minute release window on its only rule set. */
async function windowedShop(name: string) {
  const shop = await oneWarehouseShop(cloud().apiUrl, name);
  await shop.api.ok('PUT', '/routing-rules', { ruleSets: [{ id: 'default', releaseWindowMinutes: 5 }], expectedVersion: 0 });
  return shop;
}

async function place(api: DomApi, body: Record<string, unknown>): Promise<string> {
  return (await api.ok<{ orderId: string }>('POST', '/orders', { channel: 'web', shipTo, lines: line(), ...body })).orderId;
}

async function statusIs(api: DomApi, orderId: string, status: string): Promise<OrderView> {
  return eventually(async () => {
    const order = await api.ok<OrderView>('GET', `/orders/${orderId}`);
    return order.status === status ? order : undefined;
  });
}

/**
 * Moves a waiting order back in time (accepted `minutesAgo`, due `dueInMinutes`) without touching its version: the
 * tests drive the clock through the data, as the sweeper's tests do, instead of sleeping minutes.
 */
async function backdate(tenantId: string, orderId: string, minutesAgo: number, dueInMinutes: number, extra: Partial<Order> = {}): Promise<void> {
  const found = (await dynamoOrderStore.get(tenantId, orderId))!;
  const now = Date.now();
  const order: Order = { ...found.order, createdAt: new Date(now - minutesAgo * 60_000).toISOString(), releaseAt: new Date(now + dueInMinutes * 60_000).toISOString(), ...extra };
  await documentClient.send(new PutCommand({ TableName: tableName(), Item: orderItem(order) }));
}

async function available(tenantId: string): Promise<number | undefined> {
  return (await fulfillmentDeps.networks.getMany(tenantId, ['TEE-BLK-M'])).get('TEE-BLK-M')?.available;
}

describe('release windows (issue 17)', () => {
  it('holds a new order in WAITING_RELEASE with its releaseAt, then allocates the window\'s orders together when it is due', async () => {
    const { tenant, api } = await windowedShop('Window Shop');
    const before = Date.now();
    const first = await place(api, { customer: { id: 'c-1' } });
    const waiting = await statusIs(api, first, 'WAITING_RELEASE');
    expect(Date.parse(waiting.releaseAt!) - before).toBeGreaterThanOrEqual(5 * 60_000 - 1000);
    expect(Date.parse(waiting.releaseAt!) - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    expect(waiting.history.at(-1)!.reason).toBe(`waiting for its release window until ${waiting.releaseAt}`);
    const second = await place(api, { customer: { id: 'c-1' } });
    await statusIs(api, second, 'WAITING_RELEASE');

    // Not due yet: the release leaves the window alone.
    expect(await releaseTenantWindow(deps, tenant.tenantId)).toMatchObject({ outcome: 'none-due', allocated: 0 });
    expect((await api.ok<OrderView>('GET', `/orders/${first}`)).status).toBe('WAITING_RELEASE');

    // The first arrived 5 minutes ago (its window is due), the second 2 minutes after it.
    await backdate(tenant.tenantId, first, 5, -0.01);
    await backdate(tenant.tenantId, second, 3, 2);
    const run = (await cloud().runSchedule('releaseOrderWindows')) as { windows: number; allocated: number; failed: number };
    expect(run.failed).toBe(0);
    await Promise.all([statusIs(api, first, 'ALLOCATED'), statusIs(api, second, 'ALLOCATED')]);
    // Same customer, same address, one location: the two shipments travel as one parcel, charged once.
    const [a, b] = await Promise.all([first, second].map((id) => eventually(async () => {
      const order = await api.ok<OrderView>('GET', `/orders/${id}`);
      return order.shipments?.[0]?.parcel ? order : undefined;
    })));
    const saved = /^waited 5 min, consolidated with (o_\w+), saved \$(\d+\.\d\d)$/.exec(a!.routing!.explanation[0]!);
    expect(saved?.[1]).toBe(second);
    expect(Number(saved?.[2])).toBeGreaterThan(0);
    expect(b!.routing!.explanation[0]).toBe(`waited 3 min, consolidated with ${first}, saved $${saved![2]}`);
    expect(a!.routing!.explanation[1]).toBe(`waited 5 min for its release window; allocated together with 1 other order(s) (${second}) by the batch allocator`);
    expect(a!.history.map((h) => h.status)).toEqual(['ACCEPTED', 'WAITING_RELEASE', 'ROUTING', 'ALLOCATED']);
    const [sa, sb] = [a!.shipments!, b!.shipments!];
    expect(sa).toHaveLength(1);
    expect(sb).toHaveLength(1);
    expect(sa[0]!.parcel).toEqual({ parcelId: sb[0]!.parcel!.parcelId, shipmentIds: [sa[0]!.shipmentId, sb[0]!.shipmentId], orderIds: [first, second], lead: true });
    expect(sb[0]!.parcel!.lead).toBe(false);
    expect(sa[0]!.cost).toBeGreaterThan(0);
    expect(sb[0]!.cost).toBe(0);
    for (const order of [a!, b!]) expect(order.shipments!.map((s) => s.locationId)).toEqual(['olean-wh']);
    await eventually(async () => ((await available(tenant.tenantId)) === 3 ? true : undefined));
  });

  it('keeps the orders of different customers, or of one customer to two addresses, in parcels of their own', async () => {
    const { tenant, api } = await windowedShop('Window Two Customers Shop');
    const ids = [
      await place(api, { customer: { id: 'c-1' } }),
      await place(api, { customer: { id: 'c-2' } }),
      await place(api, { customer: { id: 'c-1' }, shipTo: { ...shipTo, address: '2 Other St' } }),
    ];
    for (const id of ids) await statusIs(api, id, 'WAITING_RELEASE');
    for (const id of ids) await backdate(tenant.tenantId, id, 6, -1);
    expect(await releaseTenantWindow(deps, tenant.tenantId)).toMatchObject({ outcome: 'released', allocated: 3, consolidated: 0 });
    for (const id of ids) {
      const order = await statusIs(api, id, 'ALLOCATED');
      expect(order.shipments![0]!.parcel).toBeUndefined();
      expect(order.shipments![0]!.cost).toBeGreaterThan(0);
    }
  });

  it('never holds a VIP order, even in a window with others waiting', async () => {
    const { api } = await windowedShop('Window VIP Shop');
    const standard = await place(api, { customer: { id: 'c-1' } });
    await statusIs(api, standard, 'WAITING_RELEASE');
    const vip = await place(api, { customer: { id: 'c-2', tier: 'vip' } });
    const allocated = await statusIs(api, vip, 'ALLOCATED');
    expect(allocated.history.map((h) => h.status)).not.toContain('WAITING_RELEASE');
    expect(allocated.releaseAt).toBeUndefined();
    expect((await api.ok<OrderView>('GET', `/orders/${standard}`)).status).toBe('WAITING_RELEASE');
  });

  it('routes at once without a window: the rule set\'s default is 0', async () => {
    const { api } = await oneWarehouseShop(cloud().apiUrl, 'No Window Shop');
    const order = await place(api, {});
    const allocated = await statusIs(api, order, 'ALLOCATED');
    expect(allocated.history.map((h) => h.status)).toEqual(['ACCEPTED', 'ROUTING', 'ALLOCATED']);
  });

  it('claims a window once when two releases run at once: one allocates, the other stops', async () => {
    const { tenant, api } = await windowedShop('Window Race Shop');
    const orders = [await place(api, {}), await place(api, {})];
    for (const id of orders) await statusIs(api, id, 'WAITING_RELEASE');
    for (const id of orders) await backdate(tenant.tenantId, id, 6, -1);
    const outcomes = await Promise.all([releaseTenantWindow(deps, tenant.tenantId), releaseTenantWindow(deps, tenant.tenantId)]);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['claimed-elsewhere', 'released']);
    expect(outcomes.reduce((sum, o) => sum + o.allocated, 0)).toBe(2);
    for (const id of orders) expect((await statusIs(api, id, 'ALLOCATED')).shipments).toHaveLength(1);
    await eventually(async () => ((await available(tenant.tenantId)) === 3 ? true : undefined));
  });

  it('does nothing when the same release runs again after it finished', async () => {
    const { tenant, api } = await windowedShop('Window Retry Shop');
    const order = await place(api, {});
    await statusIs(api, order, 'WAITING_RELEASE');
    await backdate(tenant.tenantId, order, 6, -1);
    expect(await releaseTenantWindow(deps, tenant.tenantId)).toMatchObject({ outcome: 'released', allocated: 1 });
    const allocated = (await dynamoOrderStore.get(tenant.tenantId, order))!;
    expect(await releaseTenantWindow(deps, tenant.tenantId)).toMatchObject({ outcome: 'none-due', allocated: 0 });
    const again = (await dynamoOrderStore.get(tenant.tenantId, order))!;
    expect(again.order.version).toBe(allocated.order.version);
    expect(again.shipments).toHaveLength(1);
  });

  it('leaves a window claimed by a release that crashed until its lease runs out, then the next release takes it', async () => {
    const { tenant, api } = await windowedShop('Window Crash Shop');
    const order = await place(api, {});
    await statusIs(api, order, 'WAITING_RELEASE');
    await backdate(tenant.tenantId, order, 6, -1);
    const found = (await dynamoOrderStore.get(tenant.tenantId, order))!;
    const windowId = `${found.order.releaseAt}#${order}`;
    // A release claimed the window and was killed before it wrote anything.
    expect(await dynamoReleaseClaims.claim(tenant.tenantId, windowId, new Date(), new Date(Date.now() + 60_000))).toBe(true);
    expect(await releaseTenantWindow(deps, tenant.tenantId)).toMatchObject({ outcome: 'claimed-elsewhere', windowId });
    expect((await api.ok<OrderView>('GET', `/orders/${order}`)).status).toBe('WAITING_RELEASE');
    // Its lease has run out (claimed again with a lease in the past): the next release takes the window.
    expect(await dynamoReleaseClaims.claim(tenant.tenantId, windowId, new Date(Date.now() + 61_000), new Date(Date.now() - 1))).toBe(true);
    expect(await releaseTenantWindow(deps, tenant.tenantId)).toMatchObject({ outcome: 'released', allocated: 1 });
    await statusIs(api, order, 'ALLOCATED');
  });

  it('lets the sweeper re-drive a waiting order only once its window is overdue, and routes it without a second wait', async () => {
    const { tenant, api } = await windowedShop('Window Sweeper Shop');
    const order = await place(api, {});
    await statusIs(api, order, 'WAITING_RELEASE');
    const longAgo = new Date(Date.now() - 30 * 60_000).toISOString();
    // Unchanged for 30 minutes but due in 2: the sweeper must not touch it.
    await backdate(tenant.tenantId, order, 30, 2, { updatedAt: longAgo });
    await cloud().runSchedule('sweepStuckOrders');
    expect((await api.ok<OrderView>('GET', `/orders/${order}`)).status).toBe('WAITING_RELEASE');
    // Due 11 minutes ago and never released (every release crashed): the sweeper re-drives it alone.
    await backdate(tenant.tenantId, order, 30, -11, { updatedAt: longAgo });
    await cloud().runSchedule('sweepStuckOrders');
    const allocated = await statusIs(api, order, 'ALLOCATED');
    expect(allocated.history.map((h) => h.reason)).toContain('attempt 2: stuck past its deadline');
    expect(allocated.history.filter((h) => h.status === 'WAITING_RELEASE')).toHaveLength(1);
  });

  it('cancels a waiting order, and its window allocates the others without it', async () => {
    const { tenant, api } = await windowedShop('Window Cancel Shop');
    const cancelled = await place(api, {});
    const kept = await place(api, {});
    for (const id of [cancelled, kept]) await statusIs(api, id, 'WAITING_RELEASE');
    await api.ok('POST', `/orders/${cancelled}/cancel`, {});
    for (const id of [cancelled, kept]) await backdate(tenant.tenantId, id, 6, -1);
    await statusIs(api, cancelled, 'CANCELLED');
    expect(await releaseTenantWindow(deps, tenant.tenantId)).toMatchObject({ outcome: 'released', allocated: 1 });
    await statusIs(api, kept, 'ALLOCATED');
    expect((await api.ok<OrderView>('GET', `/orders/${cancelled}`)).shipments ?? []).toHaveLength(0);
  });

  it('refuses a window longer than an hour, naming the field', async () => {
    const { api } = await oneWarehouseShop(cloud().apiUrl, 'Window Bad Rules Shop');
    const refused = await api.request('PUT', '/routing-rules', { ruleSets: [{ id: 'default', releaseWindowMinutes: 61 }], expectedVersion: 0 });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toContain('releaseWindowMinutes');
  });
});
