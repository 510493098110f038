/**
 * Release windows (issue 17, part 3): an order whose rule set sets `releaseWindowMinutes` waits (WAITING_RELEASE, with
 * `releaseAt`) and is then allocated together with the other waiting orders of its tenant by the batch allocator.
 * Pure: the fulfil step and the scheduled release load what these need, call them, and write what they return.
 *
 * A window is not an item of its own: it is the set of the tenant's waiting orders. The first order to wait opens it
 * (its `releaseAt` is the earliest); every order that starts waiting before that is due joins it. The release, once a
 * minute, takes the tenant's window when its earliest order is due within the next tick, so no order waits longer
 * than its own window. The window's id is its earliest order's `releaseAt` and id: two releases at once compute the
 * same id and claim it with one conditional write (the loser stops).
 */
import { applyRules } from '../routing/apply-rules.ts';
import { unitShadowPrice } from '../routing/batch/model.ts';
import { allocateBatch } from '../routing/batch/allocate-batch.ts';
import type { Batch, BatchOrder, BatchPlan } from '../routing/batch/types.ts';
import { windowShadowPrices, type ExpectedDemand, type LookAheadConfig, type ShadowPriceEntry } from '../routing/look-ahead.ts';
import { resolveDefaults, selectRuleSet, type RoutingDefaults, type RoutingRules, type RuleSet } from '../routing/rules.ts';
import { recordRun } from './attempts.ts';
import type { OrderChange } from './change.ts';
import { candidatesFor, type DecisionRecord } from './decision-record.ts';
import { transition, type Order } from './order.ts';
import { preferenceOf } from './planning.ts';
import type { Shipment, ShipmentQuote } from './shipment.ts';

/** The release runs this often (the topology's schedule); a window due within the next tick is released now. */
export const RELEASE_TICK_MS = 60_000;
/** A claim of a window expires after this: a release that crashed mid-way leaves the window to the next one. */
export const RELEASE_LEASE_MS = 2 * 60_000;
/** Orders allocated together at most; the rest of a larger window are the next tick's window. */
export const MAX_WINDOW_ORDERS = 100;
/** Cost of a unit the batch leaves unfilled (above any parcel's cost: the allocator fills what it can). */
export const UNFILLED_PENALTY = 1000;

export type WaitDecision = { wait: false; reason: string } | { wait: true; releaseAt: string; minutes: number };

/**
 * Whether a new order waits for its rule set's release window. Never: without a window, for a VIP, for an order with
 * a pickup or curbside line (the customer is on the way), for an order that has already waited (a re-drive after its
 * window routes at once), or when its split policy limits parcels (`single`, `maxParcels`: the batch allocator does not
 * enforce parcel limits, so such orders keep the per-order engine).
 */
export function releaseWindowFor(order: Order, ruleSet: RuleSet, now: Date, defaults?: RoutingDefaults): WaitDecision {
  const minutes = ruleSet.releaseWindowMinutes ?? 0;
  if (minutes <= 0) return { wait: false, reason: 'no release window' };
  if (order.releaseAt !== undefined) return { wait: false, reason: 'already waited for its window' };
  if (order.status !== 'ACCEPTED') return { wait: false, reason: `the order is ${order.status}` };
  if (order.customer.tier === 'vip') return { wait: false, reason: 'VIP orders never wait' };
  if (order.lines.some((l) => l.fulfillment.type !== 'ship')) return { wait: false, reason: 'pickups never wait' };
  const split = resolveDefaults(ruleSet, { splitPolicy: order.splitPolicy }, defaults).split;
  if (split.policy === 'single' || split.maxParcels !== undefined) return { wait: false, reason: `split policy ${split.policy}${split.maxParcels !== undefined ? ` (max ${split.maxParcels} parcels)` : ''} is routed per order` };
  return { wait: true, releaseAt: new Date(now.getTime() + minutes * 60_000).toISOString(), minutes };
}

/** The order parked in WAITING_RELEASE until `releaseAt`, owned by the run that parked it (a second run stops). */
export function decideWait(order: Order, attempt: number, run: string | undefined, releaseAt: string, now: Date): OrderChange {
  const waiting = transition(order, 'WAITING_RELEASE', now, `waiting for its release window until ${releaseAt}`);
  const next = recordRun({ ...waiting, releaseAt, attempt: Math.max(order.attempt, attempt), ...(run ? { execution: run } : {}) }, attempt, run, now);
  return { order: next, expectedVersion: order.version, shipments: [], reservations: [] };
}

/** A fulfil step of the attempt that parked the order (a retried step, a second run) or an older one: the release routes it. */
export function parkedForRelease(order: Pick<Order, 'status' | 'attempt'>, attempt: number): boolean {
  return order.status === 'WAITING_RELEASE' && attempt <= order.attempt;
}

export interface DueWindow {
  /** The earliest order's `releaseAt` and id: the same for every release that looks at the same waiting orders. */
  windowId: string;
  /** In release order (earliest `releaseAt` first), at most MAX_WINDOW_ORDERS. */
  orders: Order[];
}

/** The tenant's window, when its earliest waiting order is due within the next tick; none otherwise. */
export function dueWindow(waiting: readonly Order[], now: Date): DueWindow | undefined {
  const parked = waiting.filter((o) => o.status === 'WAITING_RELEASE' && o.releaseAt !== undefined).sort(byRelease);
  const first = parked[0];
  if (!first || Date.parse(first.releaseAt!) > now.getTime() + RELEASE_TICK_MS) return undefined;
  return { windowId: `${first.releaseAt}#${first.orderId}`, orders: parked.slice(0, MAX_WINDOW_ORDERS) };
}

function byRelease(a: Order, b: Order): number {
  return a.releaseAt! < b.releaseAt! ? -1 : a.releaseAt! > b.releaseAt! ? 1 : a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0;
}

/** The run a release records on the orders it allocates (one per window). */
export function releaseRun(windowId: string): string {
  return `release:${windowId}`;
}

export type ReleaseStart = { kind: 'stop'; status: Order['status'] } | { kind: 'continue'; order: Order; attempt: number; run: string; expectedVersion: number };

/**
 * The release's claim of one order of its window: a new attempt (never a number an execution may have used), ROUTING
 * under the release's run, written with the allocation in one transaction. An order no longer waiting (cancelled,
 * re-driven, allocated by an earlier release) is left alone.
 */
export function releaseStart(order: Order, windowId: string, now: Date): ReleaseStart {
  if (order.status !== 'WAITING_RELEASE') return { kind: 'stop', status: order.status };
  const attempt = Math.max(order.attempt, 1) + 1;
  const run = releaseRun(windowId);
  const routing = transition(order, 'ROUTING', now, `attempt ${attempt}: released with its window`);
  return { kind: 'continue', order: recordRun({ ...routing, attempt, execution: run }, attempt, run, now), attempt, run, expectedVersion: order.version };
}

/** A waiting order the release has not taken this long after its window was due: the sweeper re-drives it alone. */
export function overdueForSweep(order: Pick<Order, 'status' | 'releaseAt'>, now: Date, graceMs: number): boolean {
  return order.status === 'WAITING_RELEASE' && order.releaseAt !== undefined && Date.parse(order.releaseAt) + graceMs <= now.getTime();
}

/** One waiting order as the release sees it: the order and its routing decision's input over the window's stock. */
export interface WindowEntry {
  order: Order;
  /** planParcels' record for the order's ship lines against the shared stock (the engine's input, every preference's costs). */
  record: DecisionRecord;
}

/** The window's batch, and look-ahead's shadow prices of each order whose rule set enables it (empty when ample). */
export interface WindowBatch extends Batch {
  readonly lookAhead?: ReadonlyMap<string, readonly ShadowPriceEntry[]>;
}

/**
 * The window as the batch allocator's problem: each order's lines, and its candidates after its rule set (filters,
 * preference weights, ranking: the costs the per-order engine would minimise), over stock shared by every order. A
 * location+SKU seen with different stock by orders of different channels (hold-backs) counts its smallest.
 *
 * Look-ahead (issue 17 step 4), with `expected` demand: each order whose rule set enables it carries the shadow prices
 * of its candidates' stock under that rule set's settings (`windowShadowPrices`: on the window's shared stock, for the
 * window's demand), as its own `shadowPrices`; other orders carry none, as they would routed one at a time.
 */
export function windowBatch(windowId: string, entries: readonly WindowEntry[], rules: RoutingRules, expected?: ExpectedDemand): WindowBatch {
  const inventory = new Map<string, Record<string, number>>();
  const groupCosts = new Map<string, string>();
  const settings = new Map<string, LookAheadConfig>();
  const orders: BatchOrder[] = entries.map(({ order, record }) => {
    const { request } = record;
    const categories = [...new Set(request.lines.flatMap((l) => (l.category ? [l.category] : [])))];
    const regions = request.destination.regions ?? [];
    const ruleSet = selectRuleSet(rules, { channel: request.channel ?? '', regions, categories, orderId: order.orderId });
    if (ruleSet.lookAhead?.enabled) settings.set(order.orderId, { horizonDays: ruleSet.lookAhead.horizonDays, unitPremium: ruleSet.lookAhead.unitPremium });
    const pricing = preferenceOf(order, rules, { categories, scope: { destinationRegions: regions, locationRegions: new Map(), ...(request.defaults ? { defaults: request.defaults } : {}) } });
    const candidates = candidatesFor(record, pricing);
    for (const c of candidates) {
      const seen = inventory.get(c.id) ?? inventory.set(c.id, { ...c.stock }).get(c.id)!;
      for (const [sku, units] of Object.entries(c.stock)) seen[sku] = Math.min(seen[sku] ?? units, units);
    }
    const applied = applyRules(ruleSet, request.lines, candidates, {
      ...(request.channel ? { channel: request.channel } : {}),
      regions,
      ...(request.customer ? { customer: request.customer } : {}),
      ...(request.splitPolicy ? { splitPolicy: request.splitPolicy } : {}),
      ...(request.defaults ? { defaults: request.defaults } : {}),
    });
    const costs = Object.fromEntries(applied.solverLocations.map((l) => [l.id, { shipmentCost: l.shipmentCost, unitCost: l.unitCost }]));
    // One customer's orders to one address share parcels: everything the group gets from a location is one parcel. A
    // group's orders must see the same costs (the benchmark format's rule); one priced otherwise (another preference,
    // other rules) is a group of its own.
    const key = consolidationKey(order);
    const priced = JSON.stringify(costs);
    const groupKey = (groupCosts.get(key) ?? groupCosts.set(key, priced).get(key)) === priced ? key : `order:${order.orderId}`;
    return {
      orderId: order.orderId,
      groupKey,
      lines: request.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity, weightLb: l.weightLb })),
      costs,
    };
  });
  const locations = [...inventory].map(([id, stock]) => ({ id, inventory: stock }));
  if (!expected || !settings.size) return { id: windowId, unfilledPenalty: UNFILLED_PENALTY, locations, orders };
  const lookAhead = windowShadowPrices(
    locations.map((l) => ({ id: l.id, stock: l.inventory })),
    orders.map((o) => ({ orderId: o.orderId, lines: o.lines, candidates: Object.keys(o.costs), ...(settings.has(o.orderId) ? { config: settings.get(o.orderId)! } : {}) })),
    expected,
  );
  const priced = orders.map((o): BatchOrder => {
    const prices = lookAhead.get(o.orderId);
    if (!prices?.length) return o;
    const byLocation: Record<string, Record<string, number>> = {};
    for (const p of prices) (byLocation[p.locationId] ??= {})[p.sku] = p.price;
    return { ...o, shadowPrices: byLocation };
  });
  return { id: windowId, unfilledPenalty: UNFILLED_PENALTY, locations, orders: priced, lookAhead };
}

/** Look-ahead's shadow cost of a plan of the batch: the price of every unit it takes where its order meets one. */
export function windowShadowCost(batch: Batch, allocations: BatchPlan['allocations']): number {
  const orders = new Map(batch.orders.map((o) => [o.orderId, o]));
  let shadow = 0;
  for (const a of allocations) {
    const order = orders.get(a.orderId);
    const sku = order?.lines.find((l) => l.lineId === a.lineId)?.sku;
    if (order && sku) shadow += unitShadowPrice(batch, order, a.locationId, sku) * a.quantity;
  }
  return shadow;
}

/** Each order's share of the plan, in the form planParcels reads stock in: per SKU, the units per location it was given. */
export type OrderShare = Array<{ sku: string; locations: Array<{ locationId: string; available: number }> }>;

/** The batch allocator's plan of the window, and each order's share of the stock. */
export function allocateWindow(batch: Batch, clockMs?: () => number): { plan: BatchPlan; shares: Map<string, OrderShare> } {
  const plan = allocateBatch(batch, clockMs ? { timeBudgetMs: 2_000, now: clockMs } : {});
  const units = new Map<string, Map<string, Map<string, number>>>();
  for (const a of plan.allocations) {
    const bySku = units.get(a.orderId) ?? units.set(a.orderId, new Map()).get(a.orderId)!;
    const sku = batch.orders.find((o) => o.orderId === a.orderId)!.lines.find((l) => l.lineId === a.lineId)!.sku;
    const at = bySku.get(sku) ?? bySku.set(sku, new Map()).get(sku)!;
    at.set(a.locationId, (at.get(a.locationId) ?? 0) + a.quantity);
  }
  const shares = new Map<string, OrderShare>();
  for (const order of batch.orders) {
    const bySku = units.get(order.orderId) ?? new Map<string, Map<string, number>>();
    shares.set(
      order.orderId,
      [...new Set(order.lines.map((l) => l.sku))].map((sku) => ({ sku, locations: [...(bySku.get(sku) ?? [])].map(([locationId, available]) => ({ locationId, available })) })),
    );
  }
  return { plan, shares };
}

/**
 * The first lines of a released order's explanation: how long it waited and with whom it was allocated. With
 * look-ahead (`shadowCost` given: the plan's shadow cost, which the plan's `shipping` includes) the window's shipping
 * is its money, and the shadow cost is said apart, as one order's explanation says it.
 */
export function releaseExplanation(
  order: Pick<Order, 'orderId' | 'createdAt'>,
  windowOrders: readonly string[],
  plan: Pick<BatchPlan, 'cost' | 'shipping' | 'provenGap' | 'optimal'>,
  now: Date,
  shadowCost?: number,
  /** Orders the plan covers: re-optimisation's joint plan also covers the allocated orders it reopened. */
  planOrders = windowOrders.length,
): string[] {
  const waited = Math.max(0, Math.round((now.getTime() - Date.parse(order.createdAt)) / 60_000));
  const others = windowOrders.filter((id) => id !== order.orderId);
  const listed = others.slice(0, 5).join(', ') + (others.length > 5 ? ` and ${others.length - 5} more` : '');
  return [
    `waited ${waited} min for its release window; allocated together with ${others.length} other order(s)${others.length ? ` (${listed})` : ''} by the batch allocator`,
    `window plan: shipping ${(plan.shipping - (shadowCost ?? 0)).toFixed(2)} over ${planOrders} order(s), ${shadowCost !== undefined ? `look-ahead shadow cost ${shadowCost.toFixed(2)} in the objective, ` : ''}${plan.optimal ? 'proven optimal' : `within ${(plan.provenGap * 100).toFixed(2)} % of optimal (proven)`}`,
  ];
}

/**
 * Orders of one customer to one address share parcels (issue 17, step 2): the batch allocator's group. The customer
 * is its id, else its email (any case); the address its country, postal code and street line (case and spaces
 * ignored), else its coordinates. An order without a customer id or email is a group of its own.
 */
export function consolidationKey(order: Pick<Order, 'orderId' | 'customer' | 'shipTo'>): string {
  const customer = order.customer.id ? `id:${order.customer.id}` : order.customer.email ? `email:${order.customer.email.toLowerCase()}` : undefined;
  if (!customer) return `order:${order.orderId}`;
  const norm = (s: string | undefined) => (s ?? '').normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();
  const { shipTo } = order;
  const where = shipTo.geo && !shipTo.postalCode && !shipTo.address ? `${shipTo.geo.lat},${shipTo.geo.lon}` : `${norm(shipTo.postalCode)}|${norm(shipTo.address)}`;
  return `${customer}|${norm(shipTo.country)}|${where}`;
}

/** One location's shipments of a group's orders, and the carrier's quote for them as one parcel. */
export interface ParcelToShare {
  locationId: string;
  shipmentIds: string[];
  combined: ShipmentQuote;
}

/**
 * Shipments of one group (same customer, same address) from one location become one parcel when that is cheaper than
 * the separate parcels they were rated as: the lead shipment (the first order's) carries the parcel's quote, the
 * others a quote of 0, each lists the parcel. Only shipments still REQUESTED (no location has accepted them) are
 * joined. Every order of a joined parcel gets the line "waited N min, consolidated with o_..., saved $X" first in its
 * explanation. None when nothing is saved.
 */
export function decideConsolidation(
  group: ReadonlyArray<{ order: Order; shipments: readonly Shipment[] }>,
  parcels: readonly ParcelToShare[],
  now: Date,
): { changes: OrderChange[]; saved: number } | undefined {
  const at = now.toISOString();
  const byId = new Map(group.flatMap(({ order, shipments }) => shipments.map((s) => [s.shipmentId, { order, shipment: s }] as const)));
  const changedShipments = new Map<string, Shipment>();
  const partners = new Map<string, Set<string>>();
  const savedBy = new Map<string, number>();
  let saved = 0;
  for (const parcel of parcels) {
    const members = parcel.shipmentIds.map((id) => byId.get(id));
    if (members.length < 2 || members.some((m) => !m || m.shipment.status !== 'REQUESTED' || !m.shipment.quote || m.shipment.locationId !== parcel.locationId)) continue;
    const orderIds = [...new Set(members.map((m) => m!.order.orderId))];
    if (orderIds.length < 2) continue;
    const apart = members.reduce((sum, m) => sum + m!.shipment.quote!.cost, 0);
    const saving = Math.round((apart - parcel.combined.cost) * 100) / 100;
    if (saving <= 0) continue;
    saved += saving;
    const parcelId = `parcel-${members[0]!.shipment.shipmentId}`;
    members.forEach((m, i) => {
      const { chargedToCustomer: _charged, ...quote } = parcel.combined;
      changedShipments.set(m!.shipment.shipmentId, {
        ...m!.shipment,
        quote: i === 0 ? parcel.combined : { ...quote, cost: 0 },
        parcel: { parcelId, shipmentIds: [...parcel.shipmentIds], orderIds, lead: i === 0 },
        updatedAt: at,
        version: m!.shipment.version + 1,
      });
      const mine = partners.get(m!.order.orderId) ?? partners.set(m!.order.orderId, new Set()).get(m!.order.orderId)!;
      for (const other of orderIds) if (other !== m!.order.orderId) mine.add(other);
      savedBy.set(m!.order.orderId, (savedBy.get(m!.order.orderId) ?? 0) + (i === 0 ? saving : 0));
    });
  }
  if (saved <= 0) return undefined;
  const total = Math.round(saved * 100) / 100;
  const changes = group.flatMap(({ order, shipments }): OrderChange[] => {
    const mine = shipments.filter((s) => changedShipments.has(s.shipmentId)).map((s) => changedShipments.get(s.shipmentId)!);
    if (!mine.length) return [];
    const waited = Math.max(0, Math.round((now.getTime() - Date.parse(order.createdAt)) / 60_000));
    const line = `waited ${waited} min, consolidated with ${[...partners.get(order.orderId)!].join(', ')}, saved $${total.toFixed(2)}`;
    const explanation = [line, ...(order.routing?.explanation ?? [])].slice(0, 60);
    const next: Order = { ...order, ...(order.routing ? { routing: { ...order.routing, explanation } } : {}), updatedAt: at, version: order.version + 1 };
    return [{ order: next, expectedVersion: order.version, shipments: mine, reservations: [] }];
  });
  return { changes, saved: total };
}
