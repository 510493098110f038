import { describe, expect, it } from 'vitest';
import { fulfillmentDeps } from '../../adapters/orders.ts';
import { DomApi } from '../../../infra/local/tools/api-client.ts';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { createTestTenant, eventually, type OrderView } from '../../../infra/local/tools/testing.ts';

/**
 * Look-ahead over HTTP on the local cloud (issue 17 step 4): a Manhattan store holds the last 2 tees its own
 * neighbourhood buys about one of a day; a warehouse in Reno has plenty. For a Manhattan customer the store is the
 * cheaper parcel, by less than what its last units are worth to its next customers.
 */
const cloud = useTestCloud();

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

async function shop(name: string, setup: { lookAhead?: Record<string, unknown>; history: boolean }) {
  const tenant = await createTestTenant(name);
  const api = new DomApi(cloud().apiUrl, tenant.apiKey);
  await api.ok('PUT', '/skus/TEE', { weightLb: 0.4 });
  await api.ok('PUT', '/locations/manhattan-store', { name: 'Manhattan', type: 'store', address: { postalCode: '10013', country: 'US' } });
  await api.ok('PUT', '/locations/reno-wh', { name: 'Reno', type: 'warehouse', address: { postalCode: '89502', country: 'US' } });
  await api.ok('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'manhattan-store', sku: 'TEE', set: 2 }, { locationId: 'reno-wh', sku: 'TEE', set: 500 }] });
  // The store sold one tee a day for the last 14 days: 0.5 a day over the 28-day window, 3.5 expected in 7 days.
  if (setup.history) {
    const rows = Array.from({ length: 14 }, (_, i) => ({ date: daysAgo(i + 1), sku: 'TEE', locationId: 'manhattan-store', units: 1 }));
    expect((await api.request('POST', '/demand-history', { rows })).status).toBe(200);
  }
  const ruleSet = { id: 'default', preferences: { default: 'cheapest' }, ...(setup.lookAhead ? { lookAhead: setup.lookAhead } : {}) };
  await api.ok('PUT', '/routing-rules', { ruleSets: [ruleSet], expectedVersion: 0 });
  await eventually(async () => ((await fulfillmentDeps.networks.getMany(tenant.tenantId, ['TEE'])).get('TEE')?.available === 502 ? true : undefined));
  return { tenant, api };
}

async function order(api: DomApi): Promise<OrderView> {
  const { orderId } = await api.ok<{ orderId: string }>('POST', '/orders', { channel: 'web', shipTo: { country: 'US', postalCode: '10001' }, lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1 }] });
  return eventually(async () => {
    const view = await api.ok<OrderView>('GET', `/orders/${orderId}`);
    return view.status === 'ALLOCATED' ? view : undefined;
  }, 30_000);
}

const shippedFrom = (view: OrderView) => view.shipments.map((s) => s.locationId);

describe('look-ahead shadow prices, over HTTP', () => {
  it('routes a far order from the warehouse instead of the last store units when the rule set enables look-ahead', { timeout: 180_000 }, async () => {
    const [plain, ahead, noHistory] = await Promise.all([
      shop('Look-ahead Off Shop', { history: true }),
      shop('Look-ahead Shop', { history: true, lookAhead: { enabled: true } }),
      shop('Look-ahead Without History Shop', { history: false, lookAhead: { enabled: true, horizonDays: 7 } }),
    ]);

    // Off by default: the store is the cheaper parcel.
    const cheap = await order(plain.api);
    expect(shippedFrom(cheap)).toEqual(['manhattan-store']);
    expect(cheap.routing!.explanation.join('\n')).not.toContain('look-ahead');

    // On, with the store's recent demand: its last units carry a shadow price above the warehouse's extra cost.
    const protectedStock = await order(ahead.api);
    expect(shippedFrom(protectedStock)).toEqual(['reno-wh']);
    const text = protectedStock.routing!.explanation.join('\n');
    expect(text).toMatch(/look-ahead over 7 day\(s\), premium 5\.00\/unit: shadow prices manhattan-store TEE \d+\.\d\d\/unit \(2 on hand, 3\.5 expected\)/);
    expect(text).toContain('runner-up: manhattan-store');
    expect(text).toContain('look-ahead shadow cost 0.00 in the objective');

    // What-if: the decision was recorded with the expected demand it saw, so a replay under the same rules decides the
    // same, and one under the rules without look-ahead shows what look-ahead changed.
    const period = { from: new Date(Date.now() - 10 * 60_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
    type Simulation = { comparison: { decisions: number; changed: number; delta: { shippingCost: number } } };
    const same = await ahead.api.ok<Simulation>('POST', '/simulations', { rules: [{ id: 'default', preferences: { default: 'cheapest' }, lookAhead: { enabled: true } }], ...period });
    expect(same.comparison).toMatchObject({ decisions: 1, changed: 0 });
    const without = await ahead.api.ok<Simulation>('POST', '/simulations', { rules: [{ id: 'default', preferences: { default: 'cheapest' } }], ...period });
    expect(without.comparison).toMatchObject({ decisions: 1, changed: 1 });
    expect(without.comparison.delta.shippingCost).toBeLessThan(0);

    // On, but this tenant has no demand history of its own (the other tenant's is not its): nothing is protected.
    const unprotected = await order(noHistory.api);
    expect(shippedFrom(unprotected)).toEqual(['manhattan-store']);
    expect(unprotected.routing!.explanation.join('\n')).toContain('stock ample, no shadow price');

    for (const s of [plain, ahead, noHistory]) s.api.close();
  });

  it('keeps the store units for two orders placed at once, and a retry of an order changes nothing', { timeout: 180_000 }, async () => {
    const { tenant, api } = await shop('Look-ahead Race Shop', { history: true, lookAhead: { enabled: true } });
    const body = (key: string) => ({ channel: 'web', shipTo: { country: 'US', postalCode: '10001' }, lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1 }], externalId: key });
    const placed = await Promise.all([
      api.request<{ orderId: string }>('POST', '/orders', body('race-1'), { 'Idempotency-Key': 'race-1' }),
      api.request<{ orderId: string }>('POST', '/orders', body('race-2'), { 'Idempotency-Key': 'race-2' }),
      api.request<{ orderId: string }>('POST', '/orders', body('race-1'), { 'Idempotency-Key': 'race-1' }),
    ]);
    const ids = [...new Set(placed.map((p) => p.body.orderId))];
    expect(ids).toHaveLength(2);
    const views = await Promise.all(ids.map((id) => eventually(async () => {
      const view = await api.ok<OrderView>('GET', `/orders/${id}`);
      return view.status === 'ALLOCATED' ? view : undefined;
    }, 30_000)));
    expect(views.map(shippedFrom)).toEqual([['reno-wh'], ['reno-wh']]);
    // The network view is a projection kept by the stream: it reaches the two allocations a moment later.
    const available = async () => (await fulfillmentDeps.networks.getMany(tenant.tenantId, ['TEE'])).get('TEE')?.available;
    await eventually(async () => ((await available()) === 500 ? true : undefined), 10_000).catch(() => undefined);
    expect(await available()).toBe(500);
    api.close();
  });

  it('refuses a bad lookAhead with a 422 naming the field, and keeps the rules it had', async () => {
    const tenant = await createTestTenant('Look-ahead Bad Rules Shop');
    const api = new DomApi(cloud().apiUrl, tenant.apiKey);
    for (const [lookAhead, field] of [
      [{ enabled: true, horizonDays: 0 }, 'ruleSets[0].lookAhead.horizonDays'],
      [{ enabled: true, horizonDays: 91 }, 'ruleSets[0].lookAhead.horizonDays'],
      [{ enabled: 'yes' }, 'ruleSets[0].lookAhead.enabled'],
      [{ enabled: true, unitPremium: -1 }, 'ruleSets[0].lookAhead.unitPremium'],
    ] as const) {
      const res = await api.request<{ errors: Array<{ field: string }> }>('PUT', '/routing-rules', { ruleSets: [{ id: 'default', lookAhead }], expectedVersion: 0 });
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(res.body.errors.map((e) => e.field)).toContain(field);
    }
    // At the bound it is accepted.
    const ok = await api.request('PUT', '/routing-rules', { ruleSets: [{ id: 'default', lookAhead: { enabled: true, horizonDays: 90, unitPremium: 0 } }], expectedVersion: 0 });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const rules = await api.ok<{ ruleSets: Array<{ lookAhead?: unknown }> }>('GET', '/routing-rules');
    expect(rules.ruleSets[0]!.lookAhead).toEqual({ enabled: true, horizonDays: 90, unitPremium: 0 });
    api.close();
  });
});
