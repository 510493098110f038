/**
 * A seeded synthetic network and order stream for the what-if tests and `bench/what-if.ts`: the inputs the fulfil step
 * gives planParcels (locations, stock per SKU, weights, the default rate table), so decisions are recorded exactly as
 * they are on the live path.
 */
import { DEFAULT_RATE_TABLE } from '../carriers/rate-table.ts';
import type { Location, Sku } from '../inventory/location.ts';
import { parseRoutingRules, type RoutingRulesInput } from '../routing/rules.ts';
import type { Order } from './order.ts';
import type { PlanInput } from './planning.ts';
import { FIXED_TIME, anOrder } from './test-fixtures.ts';
import { seededRandom } from '../seeded-random.ts';

export const TENANT = 't_0123456789ab';
const TYPES = ['warehouse', 'warehouse', 'store', 'store', 'store', '3pl', 'dropship'] as const;
const PREFS = [undefined, undefined, 'cheapest', 'fastest', 'greenest', 'balanced'] as const;
const CHANNELS = ['web', 'web', 'marketplace', 'app'];

export function rulesOf(version: number, ruleSets: RoutingRulesInput['ruleSets']) {
  return parseRoutingRules({ schemaVersion: 1, tenantId: TENANT, version, ruleSets });
}

export interface Workload {
  inputs: PlanInput[];
}

/**
 * `orders` plan inputs over one network of `locationCount` locations and 12 SKUs: 1-3 ship lines of 1-4 units,
 * destinations across the US, some VIPs, some orders with their own preference or split policy.
 */
export function workload(seed: number, orders: number, locationCount = 40, rules = rulesOf(1, [{ id: 'default', preferences: { default: 'balanced' } }])): Workload {
  const next = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const skus = Array.from({ length: 12 }, (_, i) => `SKU-${i}`);
  const weights = new Map<string, Pick<Sku, 'weightLb' | 'category'>>(skus.map((sku, i) => [sku, { weightLb: 0.3 + (i % 5) * 0.9, ...(i % 4 === 0 ? { category: 'fragile' } : {}) }]));
  const locations: Location[] = Array.from({ length: locationCount }, (_, i) => {
    const type = TYPES[i % TYPES.length]!;
    return {
      tenantId: TENANT,
      locationId: `loc-${i}`,
      name: `Location ${i}`,
      type,
      geo: { lat: 26 + next() * 21, lon: -122 + next() * 50 },
      capabilities: { ship: true, pickup: type === 'store', curbside: false },
      handlingCost: type === 'store' ? 5 : type === 'dropship' ? 7.5 : 2.5,
      ...(i % 9 === 4 ? { dailyCapacity: 50 } : {}),
      active: i % 17 !== 16,
      version: 1,
      updatedAt: FIXED_TIME.toISOString(),
    };
  });
  const networks = skus.map((sku) => ({
    sku,
    locations: locations.filter(() => next() < 0.45).map((l) => ({ locationId: l.locationId, available: Math.floor(next() * 8) })),
  }));
  const inputs = Array.from({ length: orders }, (_, i): PlanInput => {
    const lineCount = 1 + Math.floor(next() * 3);
    const chosen = new Set<string>();
    while (chosen.size < lineCount) chosen.add(pick(skus));
    const preference = pick(PREFS);
    const order: Order = anOrder({
      orderId: `o_${String(i).padStart(6, '0')}`,
      channel: pick(CHANNELS),
      customer: { tier: next() < 0.1 ? 'vip' : 'standard' },
      lines: [...chosen].map((sku, n) => ({ lineId: `l${n + 1}`, sku, quantity: 1 + Math.floor(next() * 4), fulfillment: { type: 'ship' as const } })),
      ...(preference ? { preference } : {}),
      ...(next() < 0.1 ? { splitPolicy: 'minimize' as const } : {}),
    });
    return {
      order,
      shipments: [],
      attempt: 1,
      round: 1,
      excluded: [],
      skus: weights,
      locations,
      // The fulfil step reads the networks of the order's SKUs only.
      networks: networks.filter((n) => chosen.has(n.sku)),
      rules,
      rateTable: DEFAULT_RATE_TABLE,
      // East or west of the Mississippi, roughly: a region the rules can scope by; the tenant prefers balanced.
      scope: { destinationRegions: ['US', i % 2 ? 'US-EAST' : 'US-WEST'], locationRegions: new Map(), defaults: { preference: 'balanced', splitPolicy: 'allow' } },
      destination: { lat: 26 + next() * 21, lon: -122 + next() * 50 },
      shippedToday: new Map([[`loc-4`, 49], [`loc-13`, 50]]),
      now: new Date(FIXED_TIME.getTime() + i * 1000),
      clockMs: () => 0,
    };
  });
  return { inputs };
}
