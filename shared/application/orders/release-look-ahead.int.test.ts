import { describe, expect, it } from 'vitest';
import { documentClient, PutCommand, tableName } from '../../adapters/dynamodb/client.ts';
import { orderItem, dynamoOrderStore } from '../../adapters/dynamodb/order-store.ts';
import { dynamoConsolidationWriter, dynamoReleaseClaims } from '../../adapters/dynamodb/release-claim-store.ts';
import { dynamoReoptimisationStore } from '../../adapters/dynamodb/reoptimisation-store.ts';
import { fulfillmentDeps, sweepDeps } from '../../adapters/orders.ts';
import type { Order } from '../../domain/orders/order.ts';
import { DomApi } from '../../../infra/local/tools/api-client.ts';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { createTestTenant, eventually } from '../../../infra/local/tools/testing.ts';
import { releaseTenantWindow, type ReleaseDeps } from './release-windows.ts';

/**
 * Look-ahead inside release windows, on the local cloud (issue 17): a Manhattan store holds the last tees its own
 * neighbourhood buys about one of every other day (3.5 expected in the 7-day horizon); a Reno warehouse has plenty. A
 * windowed order to Chicago is $0.71 cheaper from the store, far less than what the store's last units are worth to
 * its next local customers.
 */
const cloud = useTestCloud();
const deps: ReleaseDeps = { ...fulfillmentDeps, workflows: sweepDeps.workflows, stuck: sweepDeps.stuck, claims: dynamoReleaseClaims, consolidations: dynamoConsolidationWriter, reoptimisations: dynamoReoptimisationStore };

interface OrderView {
  orderId: string;
  status: string;
  version?: number;
  routing?: { explanation: string[] };
  reoptimised?: Array<{ moves: Array<{ sku: string; quantity: number; fromLocationId: string; toLocationId: string }>; saved: number }>;
  shipments?: Array<{ shipmentId: string; locationId: string; status: string; lines: Array<{ sku: string; quantity: number }> }>;
}

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
const chicago = { country: 'US', postalCode: '60601', address: '1 Michigan Ave' };

async function shop(name: string, ruleSet: Record<string, unknown>, storeUnits = 2, history = true) {
  const tenant = await createTestTenant(name);
  const api = new DomApi(cloud().apiUrl, tenant.apiKey);
  await api.ok('PUT', '/skus/TEE', { weightLb: 0.4 });
  await api.ok('PUT', '/locations/manhattan-store', { name: 'Manhattan', type: 'store', handlingCost: 1.5, address: { postalCode: '10013', country: 'US' } });
  await api.ok('PUT', '/locations/reno-wh', { name: 'Reno', type: 'warehouse', handlingCost: 1, address: { postalCode: '89502', country: 'US' } });
  await api.ok('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'manhattan-store', sku: 'TEE', set: storeUnits }, { locationId: 'reno-wh', sku: 'TEE', set: 500 }] });
  // The store sold one tee a day for the last 14 days: 0.5 a day over the 28-day window, 3.5 expected in 7 days.
  // Imported before any routing reads it (the reader keeps a tenant's SKU an hour).
  const rows = Array.from({ length: 14 }, (_, i) => ({ date: daysAgo(i + 1), sku: 'TEE', locationId: 'manhattan-store', units: 1 }));
  if (history) expect((await api.request('POST', '/demand-history', { rows })).status).toBe(200);
  await api.ok('PUT', '/routing-rules', { ruleSets: [{ id: 'default', preferences: { default: 'cheapest' }, releaseWindowMinutes: 5, ...ruleSet }], expectedVersion: 0 });
  await stockIs(tenant.tenantId, { 'manhattan-store': storeUnits, 'reno-wh': 500 });
  return { tenant, api };
}

async function stockIs(tenantId: string, expected: Record<string, number>): Promise<void> {
  await eventually(async () => {
    const network = (await fulfillmentDeps.networks.getMany(tenantId, ['TEE'])).get('TEE');
    return Object.entries(expected).every(([locationId, units]) => (network?.locations[locationId]?.available ?? 0) === units) ? true : undefined;
  });
}

async function place(api: DomApi, customer: string): Promise<string> {
  const { orderId } = await api.ok<{ orderId: string }>('POST', '/orders', { channel: 'web', shipTo: chicago, customer: { id: customer }, lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1 }] });
  await statusIs(api, orderId, 'WAITING_RELEASE');
  return orderId;
}

async function statusIs(api: DomApi, orderId: string, status: string): Promise<OrderView> {
  return eventually(async () => {
    const order = await api.ok<OrderView>('GET', `/orders/${orderId}`);
    return order.status === status ? order : undefined;
  });
}

/** Moves a waiting order back in time without touching its version (the window tests' way of not sleeping 5 minutes). */
async function backdate(tenantId: string, orderId: string, minutesAgo: number, dueInMinutes: number): Promise<void> {
  const found = (await dynamoOrderStore.get(tenantId, orderId))!;
  const now = Date.now();
  const order: Order = { ...found.order, createdAt: new Date(now - minutesAgo * 60_000).toISOString(), releaseAt: new Date(now + dueInMinutes * 60_000).toISOString() };
  await documentClient.send(new PutCommand({ TableName: tableName(), Item: orderItem(order) }));
}

const shippedFrom = (view: OrderView) => (view.shipments ?? []).filter((s) => s.status !== 'CANCELLED').map((s) => s.locationId);
const PRICE_LINE = /look-ahead over 7 day\(s\), premium 5\.00\/unit: shadow prices manhattan-store TEE (\d+\.\d\d)\/unit \((\d+) on hand, 3\.5 expected\)/;

describe('look-ahead in release windows, over HTTP', () => {
  it('serves a windowed far order from the warehouse, not the store\'s last units, and explains the shadow price; without look-ahead from the store', { timeout: 180_000 }, async () => {
    const [ahead, plain] = await Promise.all([shop('Window Look-ahead Shop', { lookAhead: { enabled: true } }), shop('Window Without Look-ahead Shop', {})]);
    const [aheadOrder, plainOrder] = await Promise.all([place(ahead.api, 'c-1'), place(plain.api, 'c-1')]);
    await backdate(ahead.tenant.tenantId, aheadOrder, 5, -0.01);
    await backdate(plain.tenant.tenantId, plainOrder, 5, -0.01);
    expect(await releaseTenantWindow(deps, ahead.tenant.tenantId)).toMatchObject({ outcome: 'released', allocated: 1, handedOff: 0 });
    expect(await releaseTenantWindow(deps, plain.tenant.tenantId)).toMatchObject({ outcome: 'released', allocated: 1, handedOff: 0 });

    const plainView = await statusIs(plain.api, plainOrder, 'ALLOCATED');
    expect(shippedFrom(plainView)).toEqual(['manhattan-store']);
    expect(plainView.routing!.explanation.join('\n')).not.toContain('look-ahead');

    const view = await statusIs(ahead.api, aheadOrder, 'ALLOCATED');
    expect(shippedFrom(view)).toEqual(['reno-wh']);
    const lines = view.routing!.explanation;
    expect(lines[0]).toBe('waited 5 min for its release window; allocated together with 0 other order(s) by the batch allocator');
    expect(lines[1]).toMatch(/^window plan: shipping \d+\.\d\d over 1 order\(s\), look-ahead shadow cost 0\.00 in the objective, proven optimal$/);
    const text = lines.join('\n');
    const price = PRICE_LINE.exec(text);
    expect(price?.[2]).toBe('2');
    // 5 x P(N >= 2) for N ~ Poisson(3.5): the unit the order would take leaves 1 for 3.5 expected.
    expect(Number(price![1])).toBeCloseTo(5 * (1 - Math.exp(-3.5) * 4.5), 2);
    expect(text).toContain('look-ahead shadow cost 0.00 in the objective');
    expect(text).toContain('ship from reno-wh (warehouse): TEE x1');
    await stockIs(ahead.tenant.tenantId, { 'manhattan-store': 2, 'reno-wh': 499 });
    for (const s of [ahead, plain]) s.api.close();
  });

  it('prices a tenant\'s window with its own demand only: look-ahead on without history of its own takes the store', { timeout: 180_000 }, async () => {
    // Same location ids and SKU as the tenants above, whose stores have history: none of it is this tenant's.
    const { tenant, api } = await shop('Window Look-ahead No History Shop', { lookAhead: { enabled: true } }, 2, false);
    const order = await place(api, 'c-1');
    await backdate(tenant.tenantId, order, 5, -0.01);
    expect(await releaseTenantWindow(deps, tenant.tenantId)).toMatchObject({ outcome: 'released', allocated: 1 });
    const view = await statusIs(api, order, 'ALLOCATED');
    expect(shippedFrom(view)).toEqual(['manhattan-store']);
    expect(view.routing!.explanation.join('\n')).toContain('look-ahead over 7 day(s), premium 5.00/unit: stock ample, no shadow price');
    api.close();
  });

  it('claims a window with look-ahead once when two releases run at once, prices its two orders together, and a second run changes nothing', { timeout: 180_000 }, async () => {
    const { tenant, api } = await shop('Window Look-ahead Race Shop', { lookAhead: { enabled: true } });
    const orders = [await place(api, 'c-1'), await place(api, 'c-2')];
    for (const id of orders) await backdate(tenant.tenantId, id, 6, -1);
    const outcomes = await Promise.all([releaseTenantWindow(deps, tenant.tenantId), releaseTenantWindow(deps, tenant.tenantId)]);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['claimed-elsewhere', 'released']);
    expect(outcomes.reduce((sum, o) => sum + o.allocated, 0)).toBe(2);
    const views = await Promise.all(orders.map((id) => statusIs(api, id, 'ALLOCATED')));
    expect(views.map(shippedFrom)).toEqual([['reno-wh'], ['reno-wh']]);
    // The window may take both of the store's units: their price is the average of the last two units' risks.
    const price = Number(PRICE_LINE.exec(views[0]!.routing!.explanation.join('\n'))![1]);
    expect(price).toBeCloseTo((5 * ((1 - Math.exp(-3.5) * 4.5) + (1 - Math.exp(-3.5)))) / 2, 2);
    const versions = await Promise.all(orders.map(async (id) => (await dynamoOrderStore.get(tenant.tenantId, id))!.order.version));
    expect(await releaseTenantWindow(deps, tenant.tenantId)).toMatchObject({ outcome: 'none-due', allocated: 0 });
    for (const [i, id] of orders.entries()) {
      const again = (await dynamoOrderStore.get(tenant.tenantId, id))!;
      expect(again.order.version).toBe(versions[i]);
      expect(again.shipments).toHaveLength(1);
    }
    await stockIs(tenant.tenantId, { 'manhattan-store': 2, 'reno-wh': 498 });
    api.close();
  });

  it('survives a release killed between its writes, and a retry that sees other prices allocates only what still waits', { timeout: 180_000 }, async () => {
    const { tenant, api } = await shop('Window Look-ahead Crash Shop', { lookAhead: { enabled: true } });
    const orders = [await place(api, 'c-1'), await place(api, 'c-2')];
    for (const id of orders) await backdate(tenant.tenantId, id, 6, -1);
    // The first release writes one order, then is killed: its other write never comes back (as SIGKILL leaves it).
    let writes = 0;
    const killed: ReleaseDeps = { ...deps, allocations: { ...deps.allocations, reserveAndAllocate: (input) => (writes++ === 0 ? deps.allocations.reserveAndAllocate(input) : new Promise(() => {})) } };
    void releaseTenantWindow(killed, tenant.tenantId);
    const [written] = await eventually(async () => {
      const views = await Promise.all(orders.map((id) => api.ok<OrderView>('GET', `/orders/${id}`)));
      const allocated = views.filter((v) => v.status === 'ALLOCATED');
      return allocated.length === 1 && views.some((v) => v.status === 'WAITING_RELEASE') ? allocated : undefined;
    });
    expect(shippedFrom(written!)).toEqual(['reno-wh']);
    const left = orders.find((id) => id !== written!.orderId)!;
    const writtenVersion = (await dynamoOrderStore.get(tenant.tenantId, written!.orderId))!.order.version;
    // The retry runs where expected demand reads otherwise (another container, the hour run out): no demand, no price.
    const waiting = (await dynamoOrderStore.get(tenant.tenantId, left))!.order;
    expect(await dynamoReleaseClaims.claim(tenant.tenantId, `${waiting.releaseAt}#${left}`, new Date(Date.now() + 121_000), new Date(Date.now() - 1))).toBe(true);
    await stockIs(tenant.tenantId, { 'manhattan-store': 2, 'reno-wh': 499 });
    const otherPrices: ReleaseDeps = { ...deps, settings: { ...deps.settings, expectedDemand: async () => ({}) } };
    expect(await releaseTenantWindow(otherPrices, tenant.tenantId)).toMatchObject({ outcome: 'released', allocated: 1, handedOff: 0 });
    const retried = await statusIs(api, left, 'ALLOCATED');
    expect(shippedFrom(retried)).toEqual(['manhattan-store']);
    expect(retried.routing!.explanation.join('\n')).toContain('stock ample, no shadow price');
    // The order the killed release wrote is untouched: one shipment, same version; each unit taken once.
    const after = (await dynamoOrderStore.get(tenant.tenantId, written!.orderId))!;
    expect(after.order.version).toBe(writtenVersion);
    expect(after.shipments).toHaveLength(1);
    expect((await dynamoOrderStore.get(tenant.tenantId, left))!.shipments).toHaveLength(1);
    await stockIs(tenant.tenantId, { 'manhattan-store': 1, 'reno-wh': 499 });
    api.close();
  });

  it('takes a window and look-ahead at their bounds together, and refuses a bad lookAhead beside a window naming the field, keeping the rules', async () => {
    const tenant = await createTestTenant('Window Look-ahead Rules Shop');
    const api = new DomApi(cloud().apiUrl, tenant.apiKey);
    const atBounds = { id: 'default', releaseWindowMinutes: 60, lookAhead: { enabled: true, horizonDays: 90, unitPremium: 10_000 } };
    expect((await api.request('PUT', '/routing-rules', { ruleSets: [atBounds], expectedVersion: 0 })).status).toBe(200);
    for (const [lookAhead, field] of [
      [{ enabled: true, horizonDays: 91 }, 'ruleSets[0].lookAhead.horizonDays'],
      [{ enabled: true, unitPremium: 10_000.01 }, 'ruleSets[0].lookAhead.unitPremium'],
    ] as const) {
      const refused = await api.request<{ errors: Array<{ field: string }> }>('PUT', '/routing-rules', { ruleSets: [{ id: 'default', releaseWindowMinutes: 5, lookAhead }], expectedVersion: 1 });
      expect(refused.status, JSON.stringify(refused.body)).toBe(422);
      expect(refused.body.errors.map((e) => e.field)).toContain(field);
    }
    const rules = await api.ok<{ version: number; ruleSets: Array<Record<string, unknown>> }>('GET', '/routing-rules');
    expect(rules.version).toBe(1);
    expect(rules.ruleSets[0]).toMatchObject(atBounds);
    api.close();
  });

  it('re-optimises with the same prices: an unaccepted order on the store\'s units moves to the warehouse once they are scarce', { timeout: 180_000 }, async () => {
    // 8 tees at the store: ample for 3.5 expected (a unit costs 5 x P(N >= 8) = $0.13 < $0.71), so the first order
    // takes one. Then the store is counted down to 2 free (3 on hand, the first order's held); the next window, planned
    // together with the first order, prices the store's last units above what the first order saves there.
    const { tenant, api } = await shop('Window Look-ahead Reopt Shop', { lookAhead: { enabled: true }, reoptimise: { enabled: true, minSaving: 1 } }, 8);
    const early = await place(api, 'c-early');
    await backdate(tenant.tenantId, early, 6, -1);
    expect(await releaseTenantWindow(deps, tenant.tenantId)).toMatchObject({ outcome: 'released', allocated: 1, reoptimised: 0 });
    const first = await statusIs(api, early, 'ALLOCATED');
    expect(shippedFrom(first)).toEqual(['manhattan-store']);
    expect(PRICE_LINE.exec(first.routing!.explanation.join('\n'))?.[2]).toBe('8');
    await api.ok('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'manhattan-store', sku: 'TEE', set: 3 }] });
    await stockIs(tenant.tenantId, { 'manhattan-store': 2, 'reno-wh': 500 });

    const late = await place(api, 'c-late');
    await backdate(tenant.tenantId, late, 5, -0.5);
    const released = await releaseTenantWindow(deps, tenant.tenantId);
    expect(released).toMatchObject({ outcome: 'released', allocated: 1, reoptimised: 1 });
    const [moved, windowed] = [await statusIs(api, early, 'ALLOCATED'), await statusIs(api, late, 'ALLOCATED')];
    expect(shippedFrom(moved)).toEqual(['reno-wh']);
    expect(moved.reoptimised![0]!.moves).toEqual([{ sku: 'TEE', quantity: 1, fromLocationId: 'manhattan-store', toLocationId: 'reno-wh' }]);
    // The saving is the allocator's objective: the store units' shadow price less the $0.71 the store saved in money.
    expect(moved.reoptimised![0]!.saved).toBeGreaterThanOrEqual(1);
    expect(moved.routing!.explanation[0]).toMatch(new RegExp(`^re-optimised with ${late}: moved 1 x TEE from manhattan-store to reno-wh, saved \\$\\d+\\.\\d\\d$`));
    expect(shippedFrom(windowed)).toEqual(['reno-wh']);
    // The window's line covers the joint plan: its own order and the one it reopened, both from Reno now.
    expect(windowed.routing!.explanation[2]).toMatch(/^window plan: shipping \d+\.\d\d over 2 order\(s\), look-ahead shadow cost 0\.00 in the objective, proven optimal$/);
    expect(PRICE_LINE.exec(windowed.routing!.explanation.join('\n'))?.[2]).toBe('3');
    await stockIs(tenant.tenantId, { 'manhattan-store': 3, 'reno-wh': 498 });
    api.close();
  });
});
