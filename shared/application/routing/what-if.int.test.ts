import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { itemSize } from '../../adapters/dynamodb/item-size.ts';
import { DECISION_SHARDS } from '../../adapters/dynamodb/decision-record-store.ts';
import { queryAll, tableName } from '../../adapters/dynamodb/client.ts';
import { tenantKey } from '../../adapters/dynamodb/keys.ts';
import { DomApi } from '../../../infra/local/tools/api-client.ts';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { createTestTenant, eventually, type OrderView } from '../../../infra/local/tools/testing.ts';
import { expectMatchesContract } from '../../http/contract-validator.ts';

const cloud = useTestCloud();

/** Brooklyn, Olean and a Manhattan store around New York, with plenty of tees and caps: where an order ships from depends only on the rules. */
async function shop(name: string): Promise<{ api: DomApi; tenantId: string }> {
  const tenant = await createTestTenant(name);
  const api = new DomApi(cloud().apiUrl, tenant.apiKey);
  await api.ok('PUT', '/locations/brooklyn-wh', { name: 'Brooklyn warehouse', type: 'warehouse', address: { postalCode: '11222', country: 'US' } });
  await api.ok('PUT', '/locations/olean-wh', { name: 'Olean warehouse', type: 'warehouse', address: { postalCode: '14760', country: 'US' } });
  await api.ok('PUT', '/locations/manhattan-store', { name: 'Manhattan store', type: 'store', address: { postalCode: '10013', country: 'US' } });
  await api.ok('PUT', '/skus/TEE-BLK-M', { name: 'Black tee, M', weightLb: 0.4 });
  await api.ok('PUT', '/skus/CAP-RED', { name: 'Red cap', weightLb: 0.3 });
  await api.ok('POST', '/inventory/adjustments', {
    adjustments: ['brooklyn-wh', 'olean-wh', 'manhattan-store'].flatMap((locationId) => [
      { locationId, sku: 'TEE-BLK-M', set: 100 },
      { locationId, sku: 'CAP-RED', set: 100 },
    ]),
  });
  await eventually(async () => ((await api.ok<{ available: number }>('GET', '/inventory/CAP-RED')).available === 300 ? true : undefined));
  await cloud().settle();
  return { api, tenantId: tenant.tenantId };
}

const ZIPS = ['10001', '11201', '14760', '10013', '12207', '13202'];

async function placeOrders(api: DomApi, count: number, channel = 'web'): Promise<OrderView[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const placed = await api.request<{ orderId: string }>('POST', '/orders', {
      channel,
      shipTo: { country: 'US', postalCode: ZIPS[i % ZIPS.length] },
      lines: [
        { lineId: 'l1', sku: 'TEE-BLK-M', quantity: 1 + (i % 3) },
        ...(i % 2 ? [{ lineId: 'l2', sku: 'CAP-RED', quantity: 1 }] : []),
      ],
    });
    expect(placed.status, JSON.stringify(placed.body)).toBe(202);
    ids.push(placed.body.orderId);
  }
  return Promise.all(
    ids.map((id) =>
      eventually(async () => {
        const order = await api.ok<OrderView>('GET', `/orders/${id}`);
        return order.status === 'ALLOCATED' ? order : undefined;
      }, 30_000),
    ),
  );
}

const noBrooklyn = [{ id: 'no-brooklyn', filters: { excludedLocations: ['brooklyn-wh'] } }];
const period = (startedAt: number) => ({ from: new Date(startedAt - 60_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() });

interface Simulation {
  recorded: number;
  comparison: { decisions: number; changed: number; shareChanged: number; delta: { shippingCost: number; parcelsPerOrder: number } };
  biggestChanges: Array<{ orderId: string; before: { alloc: Array<[string, string, number]> }; after: { alloc: Array<[string, string, number]>; ruleSet: string }; delta: { cost: number }; explanation: string[] }>;
}

describe('what-if before go-live, over HTTP on the local cloud', () => {
  it('replays the orders of a period under a candidate rule set and reports what changes, with explanations', async () => {
    const { api, tenantId } = await shop('What-if Shop');
    const startedAt = Date.now();
    const orders = await placeOrders(api, 12);
    const fromBrooklyn = orders.filter((o) => o.shipments.some((s) => s.locationId === 'brooklyn-wh'));
    expect(fromBrooklyn.length).toBeGreaterThan(0);

    const response = await api.request<Simulation>('POST', '/simulations', { rules: noBrooklyn, ...period(startedAt) });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    await expectMatchesContract('POST', '/simulations', response);
    const report = response.body;
    expect(report.recorded).toBe(12);
    expect(report.comparison.decisions).toBe(12);
    // Exactly the orders Brooklyn shipped change, and none of them ships from Brooklyn under the candidate.
    expect(report.comparison.changed).toBe(fromBrooklyn.length);
    expect(report.biggestChanges.map((c) => c.orderId).sort()).toEqual(fromBrooklyn.map((o) => o.orderId).sort());
    for (const change of report.biggestChanges) {
      expect(change.before.alloc.some(([at]) => at === 'brooklyn-wh')).toBe(true);
      expect(change.after.alloc.some(([at]) => at === 'brooklyn-wh')).toBe(false);
      expect(change.after.ruleSet).toMatch(/^no-brooklyn@v\d+$/);
      expect(change.explanation.join('\n')).toContain('excluded by merchant');
    }
    // Brooklyn was chosen because it was best: leaving it out cannot make the period cheaper.
    expect(report.comparison.delta.shippingCost).toBeGreaterThanOrEqual(0);

    // The same request again answers the same report (a simulation stores nothing and changes nothing).
    const again = await api.ok<Simulation>('POST', '/simulations', { rules: noBrooklyn, ...period(startedAt) });
    expect(again.comparison).toEqual(report.comparison);

    // The records are compact: one item per decision, written with the allocation.
    const days = new Set([new Date(startedAt).toISOString().slice(0, 10), new Date().toISOString().slice(0, 10)]);
    const items = (
      await Promise.all([...days].flatMap((day) => Array.from({ length: DECISION_SHARDS }, (_, s) => queryAll({ TableName: tableName(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'DECISIONS', day, String(s)) } }))))
    ).flat();
    expect(items).toHaveLength(12);
    const sizes = items.map((item) => itemSize(marshall(item, { convertClassInstanceToMap: false })));
    console.log(`decision record item sizes (bytes): min ${Math.min(...sizes)}, max ${Math.max(...sizes)}, mean ${Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length)}`);
    expect(Math.max(...sizes)).toBeLessThan(4_000);
  });

  it('a candidate identical to the live rules changes nothing', async () => {
    const { api } = await shop('What-if Same Shop');
    const startedAt = Date.now();
    await placeOrders(api, 4);
    const live = await api.ok<{ ruleSets: unknown[] }>('GET', '/routing-rules');
    const report = await api.ok<Simulation>('POST', '/simulations', { rules: live.ruleSets, ...period(startedAt) });
    expect(report.comparison).toMatchObject({ decisions: 4, changed: 0, shareChanged: 0 });
    expect(report.biggestChanges).toEqual([]);
  });

  it('shadow mode routes every order in its scope a second time, reserves nothing more, and the KPI shows the difference', async () => {
    const { api } = await shop('Shadow Shop');
    // Installed before the shop's first order: the router's 30 s settings cache has not seen this tenant yet.
    const installed = await api.request('PUT', '/routing-rules/shadow', { ruleSets: noBrooklyn, scope: { channels: ['Web'] }, expectedVersion: 0 });
    expect(installed.status, JSON.stringify(installed.body)).toBe(200);
    await expectMatchesContract('PUT', '/routing-rules/shadow', installed);
    const startedAt = Date.now();
    const web = await placeOrders(api, 8, 'web');
    const app = await placeOrders(api, 3, 'app');
    const fromBrooklyn = web.filter((o) => o.shipments.some((s) => s.locationId === 'brooklyn-wh'));
    expect(fromBrooklyn.length).toBeGreaterThan(0);

    // Live routing is untouched: the units reserved are the live shipments' only.
    const reserved = [...web, ...app].flatMap((o) => o.shipments).reduce((n, s) => n + s.lines.reduce((m, l) => m + l.quantity, 0), 0);
    const stock = await api.ok<{ locations: Array<{ reserved: number }> }>('GET', '/inventory/TEE-BLK-M');
    const caps = await api.ok<{ locations: Array<{ reserved: number }> }>('GET', '/inventory/CAP-RED');
    expect([...stock.locations, ...caps.locations].reduce((n, l) => n + l.reserved, 0)).toBe(reserved);

    const kpis = await api.request<{ decisions: number; changed: number; shadowedUnder: Record<string, number> }>('GET', `/routing-rules/shadow/kpis?from=${encodeURIComponent(period(startedAt).from)}&to=${encodeURIComponent(period(startedAt).to)}`);
    expect(kpis.status, JSON.stringify(kpis.body)).toBe(200);
    await expectMatchesContract('GET', '/routing-rules/shadow/kpis', kpis);
    // Only the web orders were in the shadow's scope (channels compare in lower case); the Brooklyn ones change.
    expect(kpis.body.decisions).toBe(8);
    expect(kpis.body.changed).toBe(fromBrooklyn.length);
    expect(kpis.body.shadowedUnder).toEqual({ 'no-brooklyn@v1': 8 });

    expect((await api.request('DELETE', '/routing-rules/shadow')).status).toBe(204);
    expect((await api.request('DELETE', '/routing-rules/shadow')).status).toBe(204);
    expect((await api.request('GET', '/routing-rules/shadow')).status).toBe(404);
  });

  it('two shadow installs from the same version at once: one wins, the other is a 409 naming expectedVersion', async () => {
    const { api } = await shop('Shadow Race Shop');
    const [a, b] = await Promise.all([
      api.request('PUT', '/routing-rules/shadow', { ruleSets: noBrooklyn, expectedVersion: 0 }),
      api.request('PUT', '/routing-rules/shadow', { ruleSets: [{ id: 'other' }], expectedVersion: 0 }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = (a.status === 409 ? a : b).body as { errors: Array<{ field: string }> };
    expect(loser.errors[0]!.field).toBe('expectedVersion');
    expect((await api.ok<{ rules: { version: number } }>('GET', '/routing-rules/shadow')).rules.version).toBe(1);
  });

  it('refuses bad input with a 4xx naming the field, and never a 5xx', async () => {
    const { api } = await shop('What-if Bad Input Shop');
    const now = Date.now();
    const ok = { rules: noBrooklyn, ...period(now) };
    const cases: Array<[unknown, number, string]> = [
      [{ ...ok, rules: undefined }, 422, 'rules'],
      [{ ...ok, rules: [] }, 422, 'rules'],
      [{ ...ok, rules: [{ id: 'web-only', scope: { channels: ['web'] } }] }, 422, 'rules'],
      [{ ...ok, rules: [{ id: 'a' }, { id: 'a' }] }, 422, 'rules[1].id'],
      [{ ...ok, rules: [{ id: 'x', split: { policy: 'sometimes' } }] }, 422, 'rules[0].split.policy'],
      [{ ...ok, from: 'yesterday' }, 422, 'from'],
      [{ ...ok, to: new Date(now - 120_000).toISOString() }, 422, 'to'],
      [{ ...ok, from: new Date(now - 40 * 86_400_000).toISOString() }, 422, 'to'],
      [{ ...ok, filter: { channels: ['no spaces'] } }, 422, 'filter.channels[0]'],
      [{ ...ok, top: 21 }, 422, 'top'],
      [{ ...ok, extra: 1 }, 422, ''],
    ];
    for (const [body, status, field] of cases) {
      const response = await api.request<{ errors: Array<{ field: string }> }>('POST', '/simulations', body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(response.body.errors.map((e) => e.field), JSON.stringify(response.body)).toContain(field);
    }
    const malformed = await api.request('POST', '/simulations', '{"rules": [');
    expect(malformed.status).toBe(400);
    const badShadow = await api.request<{ errors: Array<{ field: string }> }>('PUT', '/routing-rules/shadow', { ruleSets: [{ id: 'x' }], scope: { channels: 'web' } });
    expect(badShadow.status).toBe(422);
    expect(badShadow.body.errors[0]!.field).toBe('scope.channels');
    const badKpis = await api.request<{ errors: Array<{ field: string }> }>('GET', '/routing-rules/shadow/kpis?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z');
    expect(badKpis.status).toBe(422);
    expect(badKpis.body.errors[0]!.field).toBe('query.to');
    // An odd but valid request: the period's bounds exactly 31 days apart, a channel in capitals, no decisions in it.
    const edge = await api.request<Simulation>('POST', '/simulations', { rules: noBrooklyn, from: '2025-01-01T00:00:00Z', to: '2025-02-01T00:00:00Z', filter: { channels: ['WEB'] } });
    expect(edge.status, JSON.stringify(edge.body)).toBe(200);
    expect(edge.body.comparison.decisions).toBe(0);
  });

  it('a tenant never sees another tenant\'s decisions or shadow', async () => {
    const a = await shop('Isolation A');
    const b = await shop('Isolation B');
    const startedAt = Date.now();
    await a.api.ok('PUT', '/routing-rules/shadow', { ruleSets: noBrooklyn });
    await placeOrders(a.api, 3);
    const seenByB = await b.api.ok<Simulation>('POST', '/simulations', { rules: noBrooklyn, ...period(startedAt) });
    expect(seenByB.recorded).toBe(0);
    expect((await b.api.request('GET', '/routing-rules/shadow')).status).toBe(404);
    const kpisB = await b.api.ok<{ decisions: number }>('GET', `/routing-rules/shadow/kpis?from=${encodeURIComponent(period(startedAt).from)}&to=${encodeURIComponent(period(startedAt).to)}`);
    expect(kpisB.decisions).toBe(0);
    expect((await a.api.ok<Simulation>('POST', '/simulations', { rules: noBrooklyn, ...period(startedAt) })).recorded).toBe(3);
    expect((await new DomApi(cloud().apiUrl, 'dom_t_000000000000.nope').request('POST', '/simulations', { rules: noBrooklyn, ...period(startedAt) })).status).toBe(401);
  });

  it('is the admin key\'s: a key scoped to a location can neither simulate nor see or change the shadow', async () => {
    const { api } = await shop('What-if Scoped Key Shop');
    const { apiKey } = await api.ok<{ apiKey: string }>('POST', '/api-keys', { name: 'Olean dock', scope: { locationIds: ['olean-wh'] } });
    const dock = new DomApi(cloud().apiUrl, apiKey);
    const { from, to } = period(Date.now());
    expect((await dock.request('POST', '/simulations', { rules: noBrooklyn, from, to })).status).toBe(403);
    expect((await dock.request('PUT', '/routing-rules/shadow', { ruleSets: noBrooklyn })).status).toBe(403);
    expect((await dock.request('GET', `/routing-rules/shadow/kpis?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)).status).toBe(403);
    expect((await api.request('GET', '/routing-rules/shadow')).status).toBe(404);
  });
});
