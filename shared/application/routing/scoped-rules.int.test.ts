import { describe, expect, it } from 'vitest';
import { fulfillmentDeps } from '../../adapters/orders.ts';
import { inRollout } from '../../domain/routing/rollout.ts';
import { DomApi } from '../../../infra/local/tools/api-client.ts';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { createTestTenant, eventually, type OrderView } from '../../../infra/local/tools/testing.ts';

const cloud = useTestCloud();

type Problem = { errors: Array<{ field: string; message: string }> };

/**
 * A shop with a warehouse in New York and one in California, a tee (category Apparel) and a vase (category glass),
 * plenty of both. Settings and rules are stored before its first order: the router caches them for 30 s.
 */
async function shop(name: string, setup: { settings?: unknown; ruleSets: unknown[] }) {
  const tenant = await createTestTenant(name);
  const api = new DomApi(cloud().apiUrl, tenant.apiKey);
  await api.ok('PUT', '/skus/TEE', { weightLb: 0.4, category: 'Apparel' });
  await api.ok('PUT', '/skus/VASE', { weightLb: 3, category: 'glass' });
  await api.ok('PUT', '/locations/olean-wh', { name: 'Olean', type: 'warehouse', address: { postalCode: '14760', country: 'US' } });
  await api.ok('PUT', '/locations/fresno-wh', { name: 'Fresno', type: 'warehouse', geo: { lat: 36.74, lon: -119.79 } });
  const adjustments = ['olean-wh', 'fresno-wh'].flatMap((locationId) => ['TEE', 'VASE'].map((sku) => ({ locationId, sku, set: 500 })));
  await api.ok('POST', '/inventory/adjustments', { adjustments });
  if (setup.settings) await api.ok('PUT', '/tenant/settings', setup.settings);
  await api.ok('PUT', '/routing-rules', { ruleSets: setup.ruleSets, expectedVersion: 0 });
  await eventually(async () => {
    const networks = await fulfillmentDeps.networks.getMany(tenant.tenantId, ['TEE', 'VASE']);
    return networks.get('TEE')?.available === 1000 && networks.get('VASE')?.available === 1000 ? true : undefined;
  });
  return { tenant, api };
}

const ship = (shipTo: Record<string, unknown>, lines: Array<{ sku: string; quantity?: number }>, extra: Record<string, unknown> = {}) => ({
  channel: 'web',
  shipTo,
  lines: lines.map((l, i) => ({ lineId: `l${i + 1}`, sku: l.sku, quantity: l.quantity ?? 1 })),
  ...extra,
});

/** Places the order and answers the first line of its routing explanation once it is routed. */
async function routedHeader(api: DomApi, order: unknown): Promise<string> {
  const { orderId } = await api.ok<{ orderId: string }>('POST', '/orders', order);
  return (await routed(api, orderId)).routing!.explanation[0]!;
}

async function routed(api: DomApi, orderId: string): Promise<OrderView> {
  return eventually(async () => {
    const view = await api.ok<OrderView>('GET', `/orders/${orderId}`);
    return view.status === 'ALLOCATED' || view.status === 'PARTIALLY_ALLOCATED' || view.status === 'BACKORDERED' ? view : undefined;
  }, 20_000);
}

const ruleSetOf = (header: string) => /^rule set ([^@]+)@v\d+/.exec(header)?.[1];

describe('rule sets scoped by channel, region and category, over HTTP', () => {
  it('selects each order its rule set by channel (any case), region (state, custom region, coordinates) and category', { timeout: 120_000 }, async () => {
    const { api } = await shop('Scoped Rules Shop', {
      settings: { customRegions: [{ id: 'Northeast', states: ['ny', 'US-NJ'] }, { id: 'nyc-metro', zipPrefixes: ['100', '112'] }] },
      ruleSets: [
        { id: 'marketplace', scope: { channels: ['Marketplace'] } },
        { id: 'nyc', scope: { regions: ['NYC-METRO'] } },
        { id: 'northeast', scope: { regions: ['northeast'] } },
        { id: 'california', scope: { regions: ['us-ca'] } },
        { id: 'fragile', scope: { categories: ['GLASS'] }, split: { policy: 'single' } },
        { id: 'default' },
      ],
    });

    const headers = await Promise.all([
      routedHeader(api, ship({ country: 'US', postalCode: '10001' }, [{ sku: 'TEE' }], { channel: 'MarketPlace' })),
      routedHeader(api, ship({ country: 'US', postalCode: '10001' }, [{ sku: 'TEE' }])),
      routedHeader(api, ship({ country: 'US', postalCode: '14760' }, [{ sku: 'TEE' }])),
      routedHeader(api, ship({ country: 'US', postalCode: '07302' }, [{ sku: 'TEE' }])),
      routedHeader(api, ship({ country: 'US', postalCode: '94105-1234' }, [{ sku: 'TEE' }])),
      // Coordinates only (downtown Los Angeles): the state of the nearest ZIP.
      routedHeader(api, ship({ country: 'US', geo: { lat: 34.05, lon: -118.25 } }, [{ sku: 'TEE' }])),
      routedHeader(api, ship({ country: 'US', postalCode: '75001' }, [{ sku: 'VASE' }, { sku: 'TEE' }])),
      routedHeader(api, ship({ country: 'US', postalCode: '75001' }, [{ sku: 'TEE' }])),
    ]);
    expect(headers.map(ruleSetOf)).toEqual(['marketplace', 'nyc', 'northeast', 'northeast', 'california', 'california', 'fragile', 'default']);
  });

  it('rolls a rule set out to the orders whose id hashes below the share, as the pure hash says', { timeout: 120_000 }, async () => {
    const { api } = await shop('Rollout Shop', { ruleSets: [{ id: 'pilot', scope: { rollout: 50 } }, { id: 'default' }] });
    const placed = await Promise.all(
      Array.from({ length: 24 }, (_, i) => api.ok<{ orderId: string }>('POST', '/orders', ship({ country: 'US', postalCode: '75001' }, [{ sku: 'TEE' }], { externalId: `rollout-${i}` }))),
    );
    const chosen = await Promise.all(placed.map(async ({ orderId }) => ({ orderId, ruleSet: ruleSetOf((await routed(api, orderId)).routing!.explanation[0]!) })));
    for (const { orderId, ruleSet } of chosen) expect(ruleSet, orderId).toBe(inRollout(orderId, 'pilot', 50) ? 'pilot' : 'default');
    // Both sides were exercised (24 orders at 50 %: both empty has odds of 2^-23).
    expect(new Set(chosen.map((c) => c.ruleSet))).toEqual(new Set(['pilot', 'default']));
  });
});

describe('locations by region', () => {
  it('ships only from locations in the regions a rule set names, whatever is closer, and says why the others were left out', { timeout: 60_000 }, async () => {
    const { api } = await shop('Location Regions Shop', {
      settings: { customRegions: [{ id: 'east', states: ['NY', 'NJ'] }] },
      ruleSets: [{ id: 'default', filters: { locationRegions: ['East'] } }],
    });
    // San Francisco: Fresno is next door, Olean across the country; only Olean is in the east.
    const { orderId } = await api.ok<{ orderId: string }>('POST', '/orders', ship({ country: 'US', postalCode: '94105' }, [{ sku: 'TEE' }]));
    const order = await routed(api, orderId);
    expect(order.shipments.map((s) => s.locationId)).toEqual(['olean-wh']);
    expect(order.routing!.explanation.join('\n')).toContain('fresno-wh (not in region East)');
  });
});

describe('scopes refused or taken as merchants write them', () => {
  it('refuses a bad rollout, a rollout-only catch-all and a bad category with a 422 naming the field, storing nothing', async () => {
    const tenant = await createTestTenant('Bad Scopes Shop');
    const api = new DomApi(cloud().apiUrl, tenant.apiKey);
    const cases: Array<[string, string, unknown, string]> = [
      ['PUT', '/routing-rules', { ruleSets: [{ id: 'pilot', scope: { rollout: 12.345 } }, { id: 'default' }] }, 'ruleSets[0].scope.rollout'],
      ['PUT', '/routing-rules', { ruleSets: [{ id: 'pilot', scope: { rollout: 101 } }, { id: 'default' }] }, 'ruleSets[0].scope.rollout'],
      ['PUT', '/routing-rules', { ruleSets: [{ id: 'pilot', scope: { rollout: 100 } }] }, 'ruleSets'],
      ['PUT', '/routing-rules', { ruleSets: [{ id: 'd', filters: { locationRegions: 'US-NY' } }] }, 'ruleSets[0].filters.locationRegions'],
      ['PUT', '/skus/TEE', { weightLb: 1, category: '' }, 'category'],
      ['PUT', '/skus/TEE', { weightLb: 1, category: '-glass' }, 'category'],
      ['PUT', '/skus/TEE', { weightLb: 1, category: 'x'.repeat(129) }, 'category'],
    ];
    for (const [method, path, body, field] of cases) {
      const answer = await api.request<Problem>(method, path, body);
      expect(answer.status, `${path} ${JSON.stringify(body).slice(0, 60)}`).toBe(422);
      expect(answer.body.errors.map((e) => e.field)).toContain(field);
    }
    expect((await api.ok<{ version: number }>('GET', '/routing-rules')).version).toBe(1);
    expect((await api.request('GET', '/skus/TEE')).status).toBe(404);
  });

  it('keeps a category as written (unicode, spaces, at the 128-character bound) and a rollout at its bounds', async () => {
    const tenant = await createTestTenant('Odd Scopes Shop');
    const api = new DomApi(cloud().apiUrl, tenant.apiKey);
    for (const category of ['Verre & Cristal', 'Électroménager/Petit', 'a'.repeat(128)]) {
      expect((await api.ok<{ category: string }>('PUT', '/skus/TEE', { weightLb: 1, category })).category).toBe(category);
    }
    const rules = { ruleSets: [{ id: 'none', scope: { rollout: 0 } }, { id: 'all', scope: { rollout: 100, categories: ['VERRE & CRISTAL'] } }, { id: 'default' }] };
    expect((await api.request('PUT', '/routing-rules', rules)).status).toBe(200);
    expect((await api.ok<{ ruleSets: Array<{ scope: unknown }> }>('GET', '/routing-rules')).ruleSets.map((r) => r.scope)).toEqual([{ rollout: 0 }, { rollout: 100, categories: ['VERRE & CRISTAL'] }, {}]);
  });
});

describe("defaults: the order's, then the rule set's, then the tenant's", () => {
  it('routes each order with the first preference and split policy found, and says where each came from', { timeout: 120_000 }, async () => {
    const { api } = await shop('Defaults Shop', {
      settings: { defaultPreference: 'greenest', defaultSplitPolicy: 'minimize' },
      ruleSets: [{ id: 'marketplace', scope: { channels: ['marketplace'] }, preferences: { default: 'fastest' }, split: { policy: 'single' } }, { id: 'default' }],
    });
    const [fromTenant, fromRuleSet, fromOrder] = await Promise.all([
      routedHeader(api, ship({ country: 'US', postalCode: '75001' }, [{ sku: 'TEE' }])),
      routedHeader(api, ship({ country: 'US', postalCode: '75001' }, [{ sku: 'TEE' }], { channel: 'marketplace' })),
      routedHeader(api, ship({ country: 'US', postalCode: '75001' }, [{ sku: 'TEE' }], { channel: 'marketplace', preference: 'cheapest', splitPolicy: 'allow' })),
    ]);
    expect(fromTenant).toBe('rule set default@v1: preference greenest (tenant), split minimize (tenant)');
    expect(fromRuleSet).toBe('rule set marketplace@v1: preference fastest (rule set), split single (rule set)');
    expect(fromOrder).toBe('rule set marketplace@v1: preference cheapest (order), split allow (order)');
  });

  it("uses the tenant's seeded defaults (balanced, allow) when neither the order nor the default rules name one", { timeout: 60_000 }, async () => {
    const tenant = await createTestTenant('Seeded Defaults Shop');
    const api = new DomApi(cloud().apiUrl, tenant.apiKey);
    await eventually(async () => ((await api.ok<{ settings: unknown }>('GET', '/tenant')).settings ? true : undefined));
    await api.ok('PUT', '/skus/TEE', { weightLb: 0.4 });
    await api.ok('PUT', '/locations/olean-wh', { name: 'Olean', type: 'warehouse', address: { postalCode: '14760', country: 'US' } });
    await api.ok('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'olean-wh', sku: 'TEE', set: 5 }] });
    await eventually(async () => ((await fulfillmentDeps.networks.getMany(tenant.tenantId, ['TEE'])).get('TEE')?.available === 5 ? true : undefined));
    expect(await routedHeader(api, ship({ country: 'US', postalCode: '10001' }, [{ sku: 'TEE' }]))).toBe('rule set default@v1: preference balanced (tenant), split allow (tenant)');
  });
});

describe('PUT /tenant/settings', () => {
  it('stores the defaults and custom regions, shows them in GET /tenant, and answers a retry the same', async () => {
    const tenant = await createTestTenant('Settings Shop');
    const api = new DomApi(cloud().apiUrl, tenant.apiKey);
    const body = { defaultPreference: 'fastest', defaultSplitPolicy: 'single', customRegions: [{ id: 'Île-de-Zone.1', zipPrefixes: ['1', '94105'] }] };
    const first = await api.request('PUT', '/tenant/settings', body);
    const again = await api.request('PUT', '/tenant/settings', body);
    expect(first.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(first.body).toMatchObject(body);
    const shown = await api.ok<{ settings: Record<string, unknown> }>('GET', '/tenant');
    expect(shown.settings).toMatchObject({ ...body, currency: 'USD' });
  });

  it('refuses bad settings with a 422 naming the field, and changes nothing', async () => {
    const tenant = await createTestTenant('Bad Settings Shop');
    const api = new DomApi(cloud().apiUrl, tenant.apiKey);
    await api.ok('PUT', '/tenant/settings', { defaultPreference: 'greenest' });
    const cases: Array<[unknown, string]> = [
      [{ defaultPreference: 'quickest' }, 'defaultPreference'],
      [{ defaultSplitPolicy: 'never' }, 'defaultSplitPolicy'],
      [{ customRegions: [{ id: 'west', states: ['California'] }] }, 'customRegions[0].states[0]'],
      [{ customRegions: [{ id: 'empty' }] }, 'customRegions[0].states'],
      [{ customRegions: [{ id: 'us-ca', states: ['CA'] }] }, 'customRegions[0].id'],
      [{ customRegions: [{ id: 'west', states: ['CA'] }, { id: 'WEST', states: ['OR'] }] }, 'customRegions[1].id'],
      [{ customRegions: Array.from({ length: 101 }, (_, i) => ({ id: `r${i}`, states: ['NY'] })) }, 'customRegions'],
      [{ currency: 'EUR' }, ''],
    ];
    for (const [body, field] of cases) {
      const answer = await api.request<Problem>('PUT', '/tenant/settings', body);
      expect(answer.status, JSON.stringify(body).slice(0, 80)).toBe(422);
      expect(answer.body.errors.map((e) => e.field), JSON.stringify(body).slice(0, 80)).toContain(field);
    }
    expect((await api.ok<{ settings: Record<string, unknown> }>('GET', '/tenant')).settings).toMatchObject({ defaultPreference: 'greenest', customRegions: [] });
  });

  it("leaves one of two edits at once, never a mix, and never another tenant's settings", async () => {
    const [a, b] = await Promise.all([createTestTenant('Race Shop A'), createTestTenant('Race Shop B')]);
    const apiA = new DomApi(cloud().apiUrl, a.apiKey);
    const apiB = new DomApi(cloud().apiUrl, b.apiKey);
    await apiB.ok('PUT', '/tenant/settings', { defaultPreference: 'cheapest' });
    const one = { defaultPreference: 'fastest', defaultSplitPolicy: 'single', customRegions: [{ id: 'one', states: ['NY'] }] };
    const two = { defaultPreference: 'greenest', defaultSplitPolicy: 'minimize', customRegions: [{ id: 'two', zipPrefixes: ['9'] }] };
    const answers = await Promise.all([apiA.request('PUT', '/tenant/settings', one), apiA.request('PUT', '/tenant/settings', two)]);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    const { settings } = await apiA.ok<{ settings: Record<string, unknown> }>('GET', '/tenant');
    const stored = { defaultPreference: settings.defaultPreference, defaultSplitPolicy: settings.defaultSplitPolicy, customRegions: settings.customRegions };
    expect([one, two]).toContainEqual(stored);
    expect((await apiB.ok<{ settings: Record<string, unknown> }>('GET', '/tenant')).settings).toMatchObject({ defaultPreference: 'cheapest', customRegions: [] });
  });

  it('is refused without a key', async () => {
    const anonymous = new DomApi(cloud().apiUrl, 'dom_t_nobody00000.secretsecretsecretsecretsecretsecret');
    expect((await anonymous.request('PUT', '/tenant/settings', { defaultPreference: 'fastest' })).status).toBe(401);
  });
});
