// npm run bench:batch -- --simulate-day [--seeds 1,2,3] [--orders 900] [--window-minutes 10] [--premium 5]
//
// Replays a seeded day of orders against finite stock (no replenishment until the next day) and compares four ways of
// routing it: one order at a time as it arrives (the routing engine, routeOrder) or in release windows (the batch
// allocator, allocateBatch), each without and with look-ahead shadow prices (look-ahead.ts). Expected demand is what
// the product uses: recent demand, i.e. the units each location shipped per SKU over a simulated week before the day
// (routed one at a time without look-ahead, stock full every morning), scaled to what is left of the day.
//
// The world (one per seed): 12 metro areas with 2 stores each (a few units of a third of the catalogue), 3 warehouses
// (most of the catalogue, ~90 % of a day's demand between them), 60 SKUs of Zipf-like popularity; 85 % of customers
// live near a metro area (most of them in the bigger ones), 15 % anywhere; 5 % of orders come from a customer who
// ordered in the last half hour, to the same address. Prices: the batch benchmark generator's zones by distance plus
// each location's handling (stores 1.5-4, warehouses 0). Nothing here is fitted to the batch sample.
import os from 'node:os';
import { allocateBatch } from '../../shared/domain/routing/batch/allocate-batch.ts';
import type { Batch, BatchOrder } from '../../shared/domain/routing/batch/types.ts';
import type { CandidateLocation } from '../../shared/domain/routing/apply-rules.ts';
import { DEFAULT_LOOK_AHEAD_UNIT_PREMIUM, orderShadowPrices, type ExpectedDemand } from '../../shared/domain/routing/look-ahead.ts';
import { routeOrder } from '../../shared/domain/routing/route-order.ts';
import { parseRoutingRules } from '../../shared/domain/routing/rules.ts';
import { seededRandom } from '../../shared/domain/seeded-random.ts';
import { km, ZONES } from './generate.ts';

const DAY_MINUTES = 1440;
const HISTORY_DAYS = 7;
const SKUS = 60;
const METROS = 12;
const STORES_PER_METRO = 2;
const WAREHOUSES = 3;

interface Place {
  readonly lat: number;
  readonly lon: number;
}
interface SimLocation extends Place {
  readonly id: string;
  readonly type: 'warehouse' | 'store';
  readonly handling: number;
  readonly stock: Readonly<Record<string, number>>;
}
interface World {
  readonly locations: readonly SimLocation[];
  readonly weightOf: ReadonlyMap<string, number>;
  readonly metros: readonly (Place & { weight: number })[];
  readonly popularity: readonly number[];
}
export interface SimOrder {
  readonly orderId: string;
  readonly groupKey: string;
  /** Minutes after midnight. */
  readonly at: number;
  readonly destination: Place;
  readonly lines: readonly { lineId: string; sku: string; quantity: number; weightLb: number }[];
}

function makeWorld(seed: number, ordersPerDay: number): World {
  const rnd = seededRandom(seed * 7_919 + 17);
  const place = (): Place => ({ lat: 30 + rnd() * 17, lon: -122 + rnd() * 50 });
  const popularity = Array.from({ length: SKUS }, (_, i) => 1 / (i + 1) ** 0.9);
  const total = popularity.reduce((s, p) => s + p, 0);
  const share = popularity.map((p) => p / total);
  const weightOf = new Map(Array.from({ length: SKUS }, (_, i) => [`SKU-${i + 1}`, Math.round((0.3 + rnd() * 3.7) * 100) / 100] as const));
  const metros = Array.from({ length: METROS }, (_, i) => ({ ...place(), weight: 1 / (i + 1) ** 0.7 }));
  // Mean units of a SKU asked per day: orders x lines per order (1.6) x units per line (1.38) x its share of lines.
  const dailyUnits = share.map((s) => ordersPerDay * 1.6 * 1.38 * s);
  const locations: SimLocation[] = [];
  for (let w = 0; w < WAREHOUSES; w++) {
    const stock: Record<string, number> = {};
    dailyUnits.forEach((d, s) => {
      if (rnd() < 0.9) stock[`SKU-${s + 1}`] = Math.max(1, Math.round(d * (0.2 + 0.25 * rnd())));
    });
    locations.push({ id: `WH-${w + 1}`, type: 'warehouse', handling: 0, stock, ...place() });
  }
  metros.forEach((m, i) => {
    for (let k = 0; k < STORES_PER_METRO; k++) {
      const stock: Record<string, number> = {};
      for (let s = 0; s < SKUS; s++) if (rnd() < 0.33) stock[`SKU-${s + 1}`] = 1 + Math.floor(rnd() * 4);
      locations.push({ id: `ST-${i + 1}-${k + 1}`, type: 'store', handling: 1.5 + rnd() * 2.5, stock, lat: m.lat + (rnd() - 0.5) * 0.3, lon: m.lon + (rnd() - 0.5) * 0.3 });
    }
  });
  return { locations, weightOf, metros, popularity };
}

function makeDay(world: World, seed: number, ordersPerDay: number): SimOrder[] {
  const rnd = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const pick = (weights: readonly number[]) => {
    let x = rnd() * weights.reduce((s, w) => s + w, 0);
    for (let i = 0; i < weights.length; i++) if ((x -= weights[i]!) <= 0) return i;
    return weights.length - 1;
  };
  const metroWeights = world.metros.map((m) => m.weight);
  const times = Array.from({ length: ordersPerDay }, () => rnd() * DAY_MINUTES).sort((a, b) => a - b);
  const recent: { key: string; destination: Place; at: number }[] = [];
  return times.map((at, o) => {
    const candidates = recent.filter((c) => at - c.at <= 30);
    let customer: { key: string; destination: Place };
    if (candidates.length && rnd() < 0.05) customer = candidates[Math.floor(rnd() * candidates.length)]!;
    else {
      const near = rnd() < 0.85;
      const metro = world.metros[pick(metroWeights)]!;
      const destination = near ? { lat: metro.lat + gauss() * 0.25, lon: metro.lon + gauss() * 0.3 } : { lat: 30 + rnd() * 17, lon: -122 + rnd() * 50 };
      customer = { key: `C-${seed}-${o}`, destination };
      recent.push({ ...customer, at });
    }
    const r0 = rnd();
    const lineCount = r0 < 0.55 ? 1 : r0 < 0.85 ? 2 : 3;
    const skus = new Set<number>();
    while (skus.size < lineCount) skus.add(pick(world.popularity));
    const lines = [...skus].map((s, i) => {
      const r = rnd();
      const sku = `SKU-${s + 1}`;
      return { lineId: String(i + 1), sku, quantity: r < 0.7 ? 1 : r < 0.92 ? 2 : 3, weightLb: world.weightOf.get(sku)! };
    });
    return { orderId: `O-${seed}-${o + 1}`, groupKey: customer.key, at, destination: customer.destination, lines };
  });
}

function priceFor(loc: SimLocation, destination: Place): { shipmentCost: number; unitCost: number } {
  const zone = ZONES.find((z) => km(destination, loc) <= z.km)!;
  return { shipmentCost: Math.round((zone.parcel + loc.handling) * 100) / 100, unitCost: zone.unit };
}

export interface DayResult {
  readonly orders: number;
  readonly shipping: number;
  readonly parcels: number;
  readonly unitsOrdered: number;
  readonly unitsShipped: number;
  /** Units shipped from stores. */
  readonly storeUnits: number;
  readonly ms: number;
  /** Units shipped per (location, sku). */
  readonly shipped: Map<string, Map<string, number>>;
}

export interface DayOptions {
  /** Release windows of this many minutes (batch allocator); 0: one order at a time as it arrives. */
  readonly windowMinutes: number;
  /** Look-ahead: expected units per day by location and SKU, and the premium; none: off. */
  readonly lookAhead?: { readonly daily: ExpectedDemand; readonly unitPremium: number };
}

const PLAIN_RULES = parseRoutingRules({ schemaVersion: 1, tenantId: 'sim', version: 1, ruleSets: [{ id: 'default', preferences: { default: 'cheapest' } }] });
// horizonDays 1 with the expected demand already scaled to what is left of the day (stock comes back tomorrow).
const rulesWithLookAhead = (unitPremium: number) =>
  parseRoutingRules({ schemaVersion: 1, tenantId: 'sim', version: 1, ruleSets: [{ id: 'default', preferences: { default: 'cheapest' }, lookAhead: { enabled: true, horizonDays: 1, unitPremium } }] });

function scaled(daily: ExpectedDemand, fractionLeft: number): ExpectedDemand {
  const out: Record<string, Record<string, number>> = {};
  for (const loc in daily) {
    const rates: Record<string, number> = {};
    for (const sku in daily[loc]) rates[sku] = daily[loc]![sku]! * fractionLeft;
    out[loc] = rates;
  }
  return out;
}

export function simulateDay(world: World, orders: readonly SimOrder[], options: DayOptions): DayResult {
  const stock = new Map(world.locations.map((l) => [l.id, { ...l.stock }]));
  const byId = new Map(world.locations.map((l) => [l.id, l]));
  const shipped = new Map<string, Map<string, number>>();
  const parcelsSeen = new Set<string>();
  let shipping = 0;
  let unitsShipped = 0;
  let storeUnits = 0;
  const take = (order: SimOrder, locationId: string, sku: string, quantity: number, parcelKey: string) => {
    const inv = stock.get(locationId)!;
    if ((inv[sku] ?? 0) < quantity) throw new Error(`oversold ${sku} at ${locationId}`);
    inv[sku]! -= quantity;
    const loc = byId.get(locationId)!;
    const price = priceFor(loc, order.destination);
    if (!parcelsSeen.has(parcelKey)) {
      parcelsSeen.add(parcelKey);
      shipping += price.shipmentCost;
    }
    shipping += price.unitCost * world.weightOf.get(sku)! * quantity;
    unitsShipped += quantity;
    if (loc.type === 'store') storeUnits += quantity;
    const m = shipped.get(locationId) ?? shipped.set(locationId, new Map()).get(locationId)!;
    m.set(sku, (m.get(sku) ?? 0) + quantity);
  };
  const rules = options.lookAhead ? rulesWithLookAhead(options.lookAhead.unitPremium) : PLAIN_RULES;
  const started = performance.now();

  if (options.windowMinutes <= 0) {
    for (const order of orders) {
      const skus = new Set(order.lines.map((l) => l.sku));
      const locations: CandidateLocation[] = [];
      for (const loc of world.locations) {
        const inv = stock.get(loc.id)!;
        const have: Record<string, number> = {};
        let any = false;
        for (const sku of skus) if ((inv[sku] ?? 0) > 0) ((have[sku] = inv[sku]!), (any = true));
        if (!any) continue;
        const price = priceFor(loc, order.destination);
        locations.push({ id: loc.id, type: loc.type, capabilities: loc.type === 'store' ? ['ship-from-store'] : [], active: true, stock: have, shipmentCost: price.shipmentCost, unitCostPerLb: price.unitCost });
      }
      const decision = routeOrder({
        orderId: order.orderId,
        destination: {},
        lines: order.lines,
        locations,
        rules,
        explain: false,
        ...(options.lookAhead ? { expectedDemand: scaled(options.lookAhead.daily, 1 - order.at / DAY_MINUTES) } : {}),
      });
      for (const a of decision.allocations) take(order, a.locationId, a.sku, a.quantity, `${order.orderId}|${a.locationId}`);
    }
  } else {
    const windows = new Map<number, SimOrder[]>();
    for (const o of orders) {
      const k = Math.floor(o.at / options.windowMinutes);
      (windows.get(k) ?? windows.set(k, []).get(k)!).push(o);
    }
    for (const [k, batchOrders] of [...windows].sort(([a], [b]) => a - b)) {
      const releasedAt = Math.min(DAY_MINUTES, (k + 1) * options.windowMinutes);
      const skus = new Set(batchOrders.flatMap((o) => o.lines.map((l) => l.sku)));
      const locations = world.locations.flatMap((loc) => {
        const inv = stock.get(loc.id)!;
        const inventory: Record<string, number> = {};
        for (const sku of skus) if ((inv[sku] ?? 0) > 0) inventory[sku] = inv[sku]!;
        return Object.keys(inventory).length ? [{ id: loc.id, type: loc.type, lat: loc.lat, lon: loc.lon, inventory }] : [];
      });
      // Orders of one customer to one address carry identical costs: every location holding any SKU the group orders.
      const groupSkus = new Map<string, Set<string>>();
      for (const o of batchOrders) for (const l of o.lines) (groupSkus.get(o.groupKey) ?? groupSkus.set(o.groupKey, new Set()).get(o.groupKey)!).add(l.sku);
      const batch: Batch = {
        id: `window-${k}`,
        unfilledPenalty: 1000,
        locations,
        orders: batchOrders.map((o): BatchOrder => {
          const wanted = groupSkus.get(o.groupKey)!;
          const costs: Record<string, { shipmentCost: number; unitCost: number }> = {};
          for (const loc of locations) if ([...wanted].some((s) => (loc.inventory[s] ?? 0) > 0)) costs[loc.id] = priceFor(byId.get(loc.id)!, o.destination);
          return { orderId: o.orderId, groupKey: o.groupKey, destination: o.destination, lines: o.lines, costs };
        }),
        ...(options.lookAhead ? { shadowPrices: windowShadowPrices(locations, batchOrders, scaled(options.lookAhead.daily, 1 - releasedAt / DAY_MINUTES), options.lookAhead.unitPremium) } : {}),
      };
      const plan = allocateBatch(batch, { maxIterations: 150 });
      const orderOf = new Map(batchOrders.map((o) => [o.orderId, o]));
      for (const a of plan.allocations) {
        const order = orderOf.get(a.orderId)!;
        const sku = order.lines.find((l) => l.lineId === a.lineId)!.sku;
        take(order, a.locationId, sku, a.quantity, `${order.groupKey}|${a.locationId}|${k}`);
      }
    }
  }
  return {
    orders: orders.length,
    shipping,
    parcels: parcelsSeen.size,
    unitsOrdered: orders.reduce((s, o) => s + o.lines.reduce((t, l) => t + l.quantity, 0), 0),
    unitsShipped,
    storeUnits,
    ms: performance.now() - started,
    shipped,
  };
}

// A window's shadow prices: per (location, SKU), the average value of the units the whole window asks for there.
function windowShadowPrices(locations: Batch['locations'], orders: readonly SimOrder[], expected: ExpectedDemand, unitPremium: number): Batch['shadowPrices'] {
  const demand = new Map<string, number>();
  for (const o of orders) for (const l of o.lines) demand.set(l.sku, (demand.get(l.sku) ?? 0) + l.quantity);
  const out: Record<string, Record<string, number>> = {};
  for (const p of orderShadowPrices(locations.map((l) => ({ id: l.id, stock: l.inventory })), demand, expected, { horizonDays: 1, unitPremium })) {
    (out[p.locationId] ??= {})[p.sku] = p.price;
  }
  return out;
}

/** Recent demand as the product rolls it up: units shipped per location and SKU per day over the history days. */
function recentDemand(world: World, seed: number, ordersPerDay: number): ExpectedDemand {
  const total = new Map<string, Map<string, number>>();
  for (let d = 1; d <= HISTORY_DAYS; d++) {
    const day = simulateDay(world, makeDay(world, seed * 1_000 + 100 + d, ordersPerDay), { windowMinutes: 0 });
    for (const [loc, skus] of day.shipped) for (const [sku, units] of skus) {
      const m = total.get(loc) ?? total.set(loc, new Map()).get(loc)!;
      m.set(sku, (m.get(sku) ?? 0) + units);
    }
  }
  const out: Record<string, Record<string, number>> = {};
  for (const [loc, skus] of total) out[loc] = Object.fromEntries([...skus].map(([sku, units]) => [sku, units / HISTORY_DAYS]));
  return out;
}

export interface SimulateDayOptions {
  readonly seeds: readonly number[];
  readonly orders: number;
  readonly windowMinutes: number;
  readonly unitPremium?: number;
}

export function runSimulateDay(options: SimulateDayOptions): void {
  const premium = options.unitPremium ?? DEFAULT_LOOK_AHEAD_UNIT_PREMIUM;
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  console.log(`machine: ${cpu}, ${os.cpus().length} cores, node ${process.version}, ${os.platform()} ${os.arch()}; load average ${os.loadavg()[0]!.toFixed(1)}`);
  console.log(
    `simulated day: ${options.orders} orders over 24 h, ${WAREHOUSES} warehouses + ${METROS * STORES_PER_METRO} stores, ${SKUS} SKUs, no replenishment during the day; ` +
      `look-ahead: recent demand of ${HISTORY_DAYS} simulated days, premium ${premium.toFixed(2)}/unit; windows: ${options.windowMinutes} min (batch allocator)\n`,
  );
  console.log('| seed | routing | look-ahead | shipping $ | $ / unit shipped | parcels / order | fill % | from stores % | vs one-at-a-time | ms / order |');
  console.log('|---:|---|---|---:|---:|---:|---:|---:|---:|---:|');
  const deltas = new Map<string, number[]>();
  for (const seed of options.seeds) {
    const world = makeWorld(seed, options.orders);
    const daily = recentDemand(world, seed, options.orders);
    const day = makeDay(world, seed * 1_000, options.orders);
    const configs: Array<[string, string, DayOptions]> = [
      ['one at a time', 'off', { windowMinutes: 0 }],
      ['one at a time', 'on', { windowMinutes: 0, lookAhead: { daily, unitPremium: premium } }],
      [`${options.windowMinutes}-min windows`, 'off', { windowMinutes: options.windowMinutes }],
      [`${options.windowMinutes}-min windows`, 'on', { windowMinutes: options.windowMinutes, lookAhead: { daily, unitPremium: premium } }],
    ];
    let base: DayResult | undefined;
    for (const [routing, look, opts] of configs) {
      const r = simulateDay(world, day, opts);
      base ??= r;
      const perUnit = r.shipping / r.unitsShipped;
      const basePerUnit = base.shipping / base.unitsShipped;
      const delta = (perUnit / basePerUnit - 1) * 100;
      const key = `${routing}|${look}`;
      deltas.set(key, [...(deltas.get(key) ?? []), delta]);
      console.log(
        `| ${seed} | ${routing} | ${look} | ${r.shipping.toFixed(2)} | ${perUnit.toFixed(3)} | ${(r.parcels / r.orders).toFixed(3)} | ${((100 * r.unitsShipped) / r.unitsOrdered).toFixed(2)} | ${((100 * r.storeUnits) / r.unitsShipped).toFixed(1)} | ${r === base ? '-' : `${delta >= 0 ? '+' : ''}${delta.toFixed(2)} %`} | ${(r.ms / r.orders).toFixed(2)} |`,
      );
    }
  }
  console.log('\nmean change in $ per unit shipped against one at a time without look-ahead, over the seeds:');
  for (const [key, ds] of deltas) {
    const [routing, look] = key.split('|');
    const mean = ds.reduce((s, d) => s + d, 0) / ds.length;
    console.log(`  ${routing}, look-ahead ${look}: ${mean >= 0 ? '+' : ''}${mean.toFixed(2)} % (min ${Math.min(...ds).toFixed(2)}, max ${Math.max(...ds).toFixed(2)})`);
  }
}

export { makeDay, makeWorld };
