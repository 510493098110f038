import { describe, expect, it } from 'vitest';
import { documentClient, PutCommand, tableName } from '../../adapters/dynamodb/client.ts';
import { orderItem, dynamoOrderStore } from '../../adapters/dynamodb/order-store.ts';
import { dynamoConsolidationWriter, dynamoReleaseClaims } from '../../adapters/dynamodb/release-claim-store.ts';
import { dynamoReoptimisationStore } from '../../adapters/dynamodb/reoptimisation-store.ts';
import { fulfillmentDeps, sweepDeps } from '../../adapters/orders.ts';
import type { Order } from '../../domain/orders/order.ts';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { eventually } from '../../../infra/local/tools/testing.ts';
import { startWebhookReceiver } from '../../../infra/local/tools/webhook-receiver.ts';
import type { DomApi } from '../../../infra/local/tools/api-client.ts';
import { releaseTenantWindow, type ReleaseDeps } from './release-windows.ts';
import type { ReoptimisationStore } from './reoptimise.ts';
import { oneWarehouseShop } from './test-support.ts';

const cloud = useTestCloud();
const base: ReleaseDeps = { ...fulfillmentDeps, workflows: sweepDeps.workflows, stuck: sweepDeps.stuck, claims: dynamoReleaseClaims, consolidations: dynamoConsolidationWriter };
const deps: ReleaseDeps = { ...base, reoptimisations: dynamoReoptimisationStore };

interface ShipmentView {
  shipmentId: string;
  locationId: string;
  status: string;
  lines: Array<{ sku: string; quantity: number }>;
  history: Array<{ status: string; reason?: string }>;
}
interface OrderView {
  orderId: string;
  status: string;
  allocations: Array<{ locationId: string; quantity: number }>;
  routing?: { explanation: string[] };
  reoptimised?: Array<{ id: string; withOrders: string[]; moves: Array<{ sku: string; quantity: number; fromLocationId: string; toLocationId: string }>; saved: number; cancelledShipmentIds: string[]; requestedShipmentIds: string[] }>;
  shipments?: ShipmentView[];
}

const SKU = 'TEE-BLK-M';
/** Kansas City: close to kc-wh, far from Olean (NY). */
const kansas = { country: 'US', postalCode: '64105', address: '1 Grand Blvd' };
/** New York City: close to Olean, far from Kansas City. */
const newYork = { country: 'US', postalCode: '10001', address: '1 Main St' };

/**
 * Olean (NY) holds 1 unit; a Kansas City warehouse will hold 1 more. Rules: a 5-minute window, re-optimisation on.
 * `early` (to Kansas) is released while Olean alone has stock, so it takes Olean's unit; then Kansas City gets its unit
 * and `late` (to New York) waits in a window: planned alone it must ship from Kansas City; planned together with
 * `early`, each ships from the warehouse near it.
 */
async function crossedShop(name: string, options: { reoptimise?: Record<string, unknown>; webhookUrl?: string; cap?: boolean } = {}) {
  const { reoptimise = { enabled: true, minSaving: 1 }, webhookUrl, cap = false } = options;
  const shop = await oneWarehouseShop(cloud().apiUrl, name);
  const { tenant, api } = shop;
  // Subscribed first: the fan-out reads a tenant's subscriptions through a 5-second cache.
  const subscribedAt = Date.now();
  if (webhookUrl) await api.ok('POST', '/webhooks', { url: webhookUrl, events: ['ShipmentsReoptimised'] });
  await api.ok('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'olean-wh', sku: SKU, set: 1 }] });
  // With `cap`, the early order also orders a cap (a SKU the late order does not): both warehouses stock caps.
  if (cap) await api.ok('PUT', '/skus/CAP-NAVY', { weightLb: 0.3 });
  if (cap) await api.ok('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'olean-wh', sku: 'CAP-NAVY', set: 3 }] });
  await api.ok('PUT', '/locations/kc-wh', { name: 'Kansas City', type: 'warehouse', address: { postalCode: '64101', country: 'US' } });
  await api.ok('PUT', '/routing-rules', { ruleSets: [{ id: 'default', releaseWindowMinutes: 5, reoptimise }], expectedVersion: 0 });
  await until(tenant.tenantId, { 'olean-wh': 1 });
  const early = await place(api, kansas, 'c-early', cap ? [{ lineId: 'l2', sku: 'CAP-NAVY', quantity: 1 }] : []);
  await statusIs(api, early, 'WAITING_RELEASE');
  await backdate(tenant.tenantId, early, 6, -1);
  expect(await releaseTenantWindow(deps, tenant.tenantId)).toMatchObject({ outcome: 'released', allocated: 1, reoptimised: 0 });
  const allocated = await statusIs(api, early, 'ALLOCATED');
  expect(allocated.shipments!.map((s) => s.locationId)).toEqual(['olean-wh']);
  await api.ok('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'kc-wh', sku: SKU, set: 1 }, ...(cap ? [{ locationId: 'kc-wh', sku: 'CAP-NAVY', set: 3 }] : [])] });
  await until(tenant.tenantId, { 'olean-wh': 0, 'kc-wh': 1 });
  if (cap) await until(tenant.tenantId, { 'olean-wh': 2, 'kc-wh': 3 }, 'CAP-NAVY');
  const late = await place(api, newYork, 'c-late');
  await statusIs(api, late, 'WAITING_RELEASE');
  await backdate(tenant.tenantId, late, 5, -0.5);
  if (webhookUrl) await new Promise((resolve) => setTimeout(resolve, Math.max(0, subscribedAt + 6_000 - Date.now())));
  return { tenant, api, early, late, earlyShipment: allocated.shipments![0]!.shipmentId };
}

async function place(api: DomApi, shipTo: Record<string, unknown>, customer: string, more: Array<Record<string, unknown>> = []): Promise<string> {
  return (await api.ok<{ orderId: string }>('POST', '/orders', { channel: 'web', shipTo, customer: { id: customer }, lines: [{ lineId: 'l1', sku: SKU, quantity: 1 }, ...more] })).orderId;
}

async function statusIs(api: DomApi, orderId: string, status: string): Promise<OrderView> {
  return eventually(async () => {
    const order = await api.ok<OrderView>('GET', `/orders/${orderId}`);
    return order.status === status ? order : undefined;
  });
}

/** Waits until the router's stock view (the SKU's projection) shows these units available. */
async function until(tenantId: string, expected: Record<string, number>, sku = SKU): Promise<void> {
  await eventually(async () => {
    const network = (await fulfillmentDeps.networks.getMany(tenantId, [sku])).get(sku);
    return Object.entries(expected).every(([locationId, units]) => (network?.locations[locationId]?.available ?? 0) === units) ? true : undefined;
  });
}

/** GET /inventory/{sku}: reserved and available per location (the projection, a moment behind the stock items). */
async function stock(api: DomApi): Promise<Record<string, { reserved: number; available: number }>> {
  const view = await api.ok<{ locations: Array<{ locationId: string; reserved: number; available: number }> }>('GET', `/inventory/${SKU}`);
  return Object.fromEntries(view.locations.map((l) => [l.locationId, { reserved: l.reserved, available: l.available }]));
}

async function backdate(tenantId: string, orderId: string, minutesAgo: number, dueInMinutes: number): Promise<void> {
  const found = (await dynamoOrderStore.get(tenantId, orderId))!;
  const now = Date.now();
  const order: Order = { ...found.order, createdAt: new Date(now - minutesAgo * 60_000).toISOString(), releaseAt: new Date(now + dueInMinutes * 60_000).toISOString() };
  await documentClient.send(new PutCommand({ TableName: tableName(), Item: orderItem(order) }));
}

/** Open shipments (REQUESTED or ACCEPTED) of an order and the units they hold. */
const open = (order: OrderView) => (order.shipments ?? []).filter((s) => s.status === 'REQUESTED' || s.status === 'ACCEPTED');

describe('re-optimising allocated, not yet accepted shipments with a released window (issue 17 step 3)', () => {
  it('moves an unaccepted shipment when the joint plan saves money, and says so on the order it moved', async () => {
    const receiver = await startWebhookReceiver();
    const { tenant, api, early, late, earlyShipment } = await crossedShop('Reopt Shop', { webhookUrl: `${receiver.url}/moves` });
    // Through the scheduled function, as on AWS (the handler wires the re-optimisation store).
    const run = (await cloud().runSchedule('releaseOrderWindows')) as { windows: number; allocated: number; reoptimised: number; failed: number };
    expect(run).toMatchObject({ failed: 0, reoptimised: 1 });
    const [moved, released] = [await statusIs(api, early, 'ALLOCATED'), await statusIs(api, late, 'ALLOCATED')];
    expect(open(moved).map((s) => s.locationId)).toEqual(['kc-wh']);
    expect(open(released).map((s) => s.locationId)).toEqual(['olean-wh']);
    const cancelled = moved.shipments!.find((s) => s.shipmentId === earlyShipment)!;
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.history.at(-1)!.reason).toMatch(new RegExp(`^re-optimised with ${late}: `));
    const line = /^re-optimised with (o_\w+): moved 1 x TEE-BLK-M from olean-wh to kc-wh, saved \$(\d+\.\d\d)$/.exec(moved.routing!.explanation[0]!);
    expect(line?.[1]).toBe(late);
    expect(Number(line![2])).toBeGreaterThan(1);
    expect(moved.reoptimised).toEqual([
      expect.objectContaining({ withOrders: [late], moves: [{ sku: SKU, quantity: 1, fromLocationId: 'olean-wh', toLocationId: 'kc-wh' }], saved: Number(line![2]), cancelledShipmentIds: [earlyShipment] }),
    ]);
    expect(moved.allocations).toEqual([expect.objectContaining({ locationId: 'kc-wh', quantity: 1 })]);
    expect(released.routing!.explanation[0]).toBe(`re-optimised together with ${early} (allocated, not yet accepted): the joint plan saved $${line![2]}`);
    // Every unit reserved once: each warehouse holds exactly the one unit its shipment ships.
    await eventually(async () => {
      const units = await stock(api);
      return units['olean-wh']?.reserved === 1 && units['olean-wh'].available === 0 && units['kc-wh']?.reserved === 1 && units['kc-wh'].available === 0 ? true : undefined;
    });
    // The same release again finds nothing due, and a later window finds nothing more to move: nothing changes.
    const after = (await dynamoOrderStore.get(tenant.tenantId, early))!.order.version;
    expect(await releaseTenantWindow(deps, tenant.tenantId)).toMatchObject({ outcome: 'none-due' });
    expect((await dynamoOrderStore.get(tenant.tenantId, early))!.order.version).toBe(after);
    // The ERP hears of the move once, from the outbox: ShipmentsReoptimised with what moved.
    const delivered = await eventually(async () => (receiver.received.length ? receiver.received : undefined), 30_000);
    expect(JSON.parse(delivered[0]!.body)).toMatchObject({
      type: 'ShipmentsReoptimised',
      data: { orderId: early, withOrders: [late], moves: [{ sku: SKU, quantity: 1, fromLocationId: 'olean-wh', toLocationId: 'kc-wh' }], cancelledShipmentIds: [earlyShipment], saved: Number(line![2]) },
    });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(receiver.received).toHaveLength(1);
    await receiver.close();
  });

  it('moves an order that also orders a SKU the window does not, with all its lines, in one parcel', async () => {
    const { tenant, api, early, late, earlyShipment } = await crossedShop('Reopt Cap Shop', { cap: true });
    expect(await releaseTenantWindow(deps, tenant.tenantId)).toMatchObject({ outcome: 'released', allocated: 1, reoptimised: 1 });
    const moved = await api.ok<OrderView>('GET', `/orders/${early}`);
    expect(open(moved).map((s) => [s.locationId, s.lines.map((l) => `${l.sku}x${l.quantity}`).sort()])).toEqual([['kc-wh', ['CAP-NAVYx1', 'TEE-BLK-Mx1']]]);
    expect(moved.shipments!.find((s) => s.shipmentId === earlyShipment)!.status).toBe('CANCELLED');
    expect(moved.reoptimised![0]!.moves).toEqual([
      { sku: 'CAP-NAVY', quantity: 1, fromLocationId: 'olean-wh', toLocationId: 'kc-wh' },
      { sku: SKU, quantity: 1, fromLocationId: 'olean-wh', toLocationId: 'kc-wh' },
    ]);
    expect(open(await statusIs(api, late, 'ALLOCATED')).map((s) => s.locationId)).toEqual(['olean-wh']);
  });

  it('never touches a shipment its location has accepted: the window\'s order ships from the far warehouse instead', async () => {
    const { api, tenant, early, late, earlyShipment } = await crossedShop('Reopt Accepted Shop');
    await api.ok('POST', `/shipments/${earlyShipment}/accept`, {});
    expect(await releaseTenantWindow(deps, tenant.tenantId)).toMatchObject({ outcome: 'released', allocated: 1, reoptimised: 0, reoptimisation: { reopened: 0 } });
    const kept = await api.ok<OrderView>('GET', `/orders/${early}`);
    expect(kept.shipments!.map((s) => [s.shipmentId, s.status])).toEqual([[earlyShipment, 'ACCEPTED']]);
    expect(kept.reoptimised).toBeUndefined();
    expect(open(await statusIs(api, late, 'ALLOCATED')).map((s) => s.locationId)).toEqual(['kc-wh']);
  });

  it('changes nothing when the saving is below the rule set\'s threshold', async () => {
    const { api, tenant, early, late, earlyShipment } = await crossedShop('Reopt Threshold Shop', { reoptimise: { enabled: true, minSaving: 10_000 } });
    const before = (await dynamoOrderStore.get(tenant.tenantId, early))!;
    const outcome = await releaseTenantWindow(deps, tenant.tenantId);
    expect(outcome).toMatchObject({ outcome: 'released', allocated: 1, reoptimised: 0, reoptimisation: { reopened: 1 } });
    // The release says why (its log line): the joint plan would have saved money, not 10,000 dollars.
    expect(outcome.reoptimisation!.saving).toBeGreaterThan(1);
    expect(outcome.reoptimisation!.reason).toBe(`saves $${outcome.reoptimisation!.saving!.toFixed(2)}, below the threshold of $10000.00`);
    const after = (await dynamoOrderStore.get(tenant.tenantId, early))!;
    expect(after.order.version).toBe(before.order.version);
    expect(after.shipments.map((s) => [s.shipmentId, s.status])).toEqual([[earlyShipment, 'REQUESTED']]);
    const released = await statusIs(api, late, 'ALLOCATED');
    expect(open(released).map((s) => s.locationId)).toEqual(['kc-wh']);
    expect(released.routing!.explanation[0]).toMatch(/^waited \d+ min for its release window/);
  });

  it('writes nothing of a move when the location accepts between the plan and the write, and routes the window\'s order alone', async () => {
    const { api, tenant, early, late, earlyShipment } = await crossedShop('Reopt Race Shop');
    // The location accepts at the worst moment: after the release read the shipment as REQUESTED, before it writes.
    const racing: ReoptimisationStore = {
      ...dynamoReoptimisationStore,
      async move(input) {
        await api.ok('POST', `/shipments/${earlyShipment}/accept`, {});
        return dynamoReoptimisationStore.move(input);
      },
    };
    const outcome = await releaseTenantWindow({ ...base, reoptimisations: racing }, tenant.tenantId);
    expect(outcome).toMatchObject({ outcome: 'released', reoptimised: 0 });
    const kept = await api.ok<OrderView>('GET', `/orders/${early}`);
    expect(kept.shipments!.map((s) => [s.shipmentId, s.status])).toEqual([[earlyShipment, 'ACCEPTED']]);
    expect(kept.reoptimised).toBeUndefined();
    expect(kept.allocations).toEqual([expect.objectContaining({ locationId: 'olean-wh', quantity: 1 })]);
    // Its share needed Olean's unit, which is still the accepted shipment's: it is routed alone, to Kansas City.
    expect(open(await statusIs(api, late, 'ALLOCATED')).map((s) => s.locationId)).toEqual(['kc-wh']);
    await eventually(async () => {
      const units = await stock(api);
      return units['olean-wh']?.reserved === 1 && units['kc-wh']?.reserved === 1 && units['kc-wh']?.available === 0 ? true : undefined;
    });
  });

  it('never half-applies when a location accepts at the same time as the release runs', async () => {
    const { api, tenant, early, late, earlyShipment } = await crossedShop('Reopt Concurrent Shop');
    const [released, accepted] = await Promise.all([releaseTenantWindow(deps, tenant.tenantId), api.request('POST', `/shipments/${earlyShipment}/accept`, {})]);
    expect(released.outcome).toBe('released');
    const moved = await api.ok<OrderView>('GET', `/orders/${early}`);
    const late_ = await eventually(async () => {
      const order = await api.ok<OrderView>('GET', `/orders/${late}`);
      return order.status === 'ALLOCATED' ? order : undefined;
    });
    if (accepted.status === 200) {
      // The accept won: the move wrote nothing.
      expect(released.reoptimised).toBe(0);
      expect(open(moved).map((s) => [s.shipmentId, s.status])).toEqual([[earlyShipment, 'ACCEPTED']]);
      expect(moved.reoptimised).toBeUndefined();
      expect(open(late_).map((s) => s.locationId)).toEqual(['kc-wh']);
    } else {
      // The move won: the accept of a cancelled shipment is refused, and the order ships from Kansas City.
      expect(accepted.status).toBe(409);
      expect(released.reoptimised).toBe(1);
      expect(moved.shipments!.find((s) => s.shipmentId === earlyShipment)!.status).toBe('CANCELLED');
      expect(open(moved).map((s) => s.locationId)).toEqual(['kc-wh']);
      expect(open(late_).map((s) => s.locationId)).toEqual(['olean-wh']);
    }
    // Either way: one open shipment per order, each unit reserved once, nothing oversold.
    expect(open(moved)).toHaveLength(1);
    expect(open(late_)).toHaveLength(1);
    await eventually(async () => {
      const units = await stock(api);
      return units['olean-wh']?.reserved === 1 && units['kc-wh']?.reserved === 1 ? true : undefined;
    });
  });

  it('survives a release killed after its moves: the next release writes the window and moves nothing twice', async () => {
    const { api, tenant, early, late } = await crossedShop('Reopt Crash Shop');
    // The first release is killed once its moves are written: its window writes never come back (abandoned, as a
    // process killed with SIGKILL would leave them).
    const killed: ReleaseDeps = { ...deps, allocations: { ...deps.allocations, reserveAndAllocate: () => new Promise(() => {}) } };
    void releaseTenantWindow(killed, tenant.tenantId);
    const moved = await eventually(async () => {
      const order = await api.ok<OrderView>('GET', `/orders/${early}`);
      return order.reoptimised?.length ? order : undefined;
    });
    expect(open(moved).map((s) => s.locationId)).toEqual(['kc-wh']);
    expect((await api.ok<OrderView>('GET', `/orders/${late}`)).status).toBe('WAITING_RELEASE');
    // Its claim's lease runs out (claimed again with a lease in the past): the next release takes the window.
    const waiting = (await dynamoOrderStore.get(tenant.tenantId, late))!.order;
    const windowId = `${waiting.releaseAt}#${late}`;
    expect(await dynamoReleaseClaims.claim(tenant.tenantId, windowId, new Date(Date.now() + 121_000), new Date(Date.now() - 1))).toBe(true);
    const version = (await dynamoOrderStore.get(tenant.tenantId, early))!.order.version;
    // The release plans on the stock projection: wait for it to show the move (Olean's unit free, Kansas City's held),
    // as a release a minute later would see it.
    await until(tenant.tenantId, { 'olean-wh': 1, 'kc-wh': 0 });
    const retry = await releaseTenantWindow(deps, tenant.tenantId);
    expect(retry).toMatchObject({ outcome: 'released', allocated: 1, reoptimised: 0 });
    expect(retry.reoptimisation).toMatchObject({ reopened: 1, reason: 'the joint plan moves no allocated order' });
    expect(open(await statusIs(api, late, 'ALLOCATED')).map((s) => s.locationId)).toEqual(['olean-wh']);
    const after = (await dynamoOrderStore.get(tenant.tenantId, early))!;
    expect(after.order.version).toBe(version);
    expect(after.order.reoptimised).toHaveLength(1);
    await eventually(async () => {
      const units = await stock(api);
      return units['olean-wh']?.reserved === 1 && units['kc-wh']?.reserved === 1 ? true : undefined;
    });
  });

  it('refuses a threshold of 0, naming the field', async () => {
    const { api } = await oneWarehouseShop(cloud().apiUrl, 'Reopt Bad Rules Shop');
    const refused = await api.request('PUT', '/routing-rules', { ruleSets: [{ id: 'default', reoptimise: { enabled: true, minSaving: 0 } }], expectedVersion: 0 });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toContain('minSaving');
  });
});
