/**
 * Planning an attempt (pure): which location sends which units, as parcels, and the allocation they become once
 * reserved and rated. The fulfilment workflow's steps load what these need, call them, and save what they return.
 */
import { costModelFor } from '../carriers/cost-model.ts';
import type { RateTable } from '../carriers/rate-table.ts';
import { pickupStoreOf, type Location, type PickupStore, type Sku } from '../inventory/location.ts';
import type { CandidateLocation, OrderLine as RoutingLine } from '../routing/apply-rules.ts';
import { routeOrder } from '../routing/route-order.ts';
import type { ExpectedDemand, ShadowPriceEntry } from '../routing/look-ahead.ts';
import { resolveDefaults, selectRuleSet, type RoutingDefaults, type RoutingRules, type ScopeContext } from '../routing/rules.ts';
import { allocationsOf } from './allocation.ts';
import { ownsOrder, recordRun, REDRIVABLE } from './attempts.ts';
import type { OrderChange } from './change.ts';
import { statusAfterAllocation, transition, unallocatedLines, type Order, type Preference } from './order.ts';
import { acceptByFor, shipmentId, type Shipment, type ShipmentQuote } from './shipment.ts';
import { readyAtLocation } from '../inventory/opening-hours.ts';
import { recordDecision, type DecisionRecord } from './decision-record.ts';
import { choosePickupStore, pickupSlotDay } from './pickup-capacity.ts';
import { cancelUnplaceablePickups, NEAREST_STORE_RADIUS_KM, passedOver, refusedPickupStore } from './pickup.ts';

/** A parcel the router planned: one location, the units it ships, and everything rating and confirming need. */
export interface PlannedParcel {
  tenantId: string;
  orderId: string;
  reservationId: string;
  locationId: string;
  locationType: string;
  /** The location's own acceptance window, when it set one. */
  acceptanceHours?: number;
  fulfillment: 'ship' | 'pickup' | 'curbside';
  lines: Array<{ lineId: string; sku: string; quantity: number }>;
  weightLb: number;
  origin: { lat: number; lon: number };
  destination: { lat: number; lon: number };
  preference: Preference;
  vip: boolean;
  /** When the location can have the parcel ready, from its opening hours and handling (absent: now). */
  readyAt?: string;
  /** The location's IANA zone: its carriers' cut-offs and the local day a pickup is promised for. */
  originTimeZone?: string;
  /** A pickup at a store with `pickupSlotsPerDay`: the store's local day it counts against, and the limit. */
  pickupSlot?: { day: string; perDay: number };
  /** A pickup moved from the store the customer chose (full that day): which store, and why. */
  fallbackFrom?: { locationId: string; reason: string };
  /** A pickup's store holds it this many days once ready (the location's `pickupHoldDays`; unset: the default). */
  pickupHoldDays?: number;
  /** A pickup's store as its customer is told (name, address, hours), from the location the plan read. */
  store?: PickupStore;
  quote?: ShipmentQuote;
}

/** A location's ready instant and zone for a parcel planned now (nothing for a location without hours or zone). */
function readyFields(location: Location, now: Date): Pick<PlannedParcel, 'readyAt' | 'originTimeZone'> {
  const ready = readyAtLocation(location, now);
  return { ...(ready instanceof Date ? { readyAt: ready.toISOString() } : {}), ...(location.timeZone ? { originTimeZone: location.timeZone } : {}) };
}

export class UnroutableDestinationError extends Error {
  override readonly name = 'UnroutableDestinationError';
  constructor(detail: string) {
    super(detail);
  }
}

/** At most this many lines of explanation travel in the workflow's state and are kept on the order. */
export const MAX_EXPLANATION_LINES = 60;
const MAX_EXPLANATION_LINE_CHARS = 400;

/** The explanation, bounded: the state a workflow passes between steps has a hard size limit. */
export function boundedExplanation(lines: readonly string[]): string[] {
  const kept = lines.slice(0, MAX_EXPLANATION_LINES).map((l) => (l.length > MAX_EXPLANATION_LINE_CHARS ? `${l.slice(0, MAX_EXPLANATION_LINE_CHARS - 1)}…` : l));
  if (lines.length > MAX_EXPLANATION_LINES) kept[kept.length - 1] = `… and ${lines.length - MAX_EXPLANATION_LINES + 1} more lines`;
  return kept;
}

export type PlanStart = { kind: 'stop' } | { kind: 'continue'; order: Order; change?: OrderChange };

/**
 * The plan step's first decision: an attempt that no longer owns the order, one that has already decided (a step run
 * again after its own write), or an order that is finished or cancelled, stops; otherwise the order is ROUTING under
 * this attempt. The change to ROUTING is written with the attempt's allocation (one transaction), or on its own
 * before a two-phase allocation.
 */
export function decidePlanStart(order: Order, attempt: number, now: Date, run?: string): PlanStart {
  if (!ownsOrder(order, attempt, run)) return { kind: 'stop' };
  if (!REDRIVABLE.has(order.status)) return { kind: 'stop' };
  if (order.attempt === attempt && order.status !== 'ROUTING' && order.routing?.attempt === attempt) return { kind: 'stop' };
  const mine = run === undefined ? {} : { execution: run };
  if (order.status === 'ROUTING' && order.attempt === attempt) {
    if (run === undefined || order.execution === run) return { kind: 'continue', order };
    // A claimed attempt: the first of its runs to record itself owns it (a second run loses the version race and stops).
    const next = recordRun({ ...order, ...mine, version: order.version + 1, updatedAt: now.toISOString() }, attempt, run, now);
    return { kind: 'continue', order: next, change: { order: next, expectedVersion: order.version, shipments: [], reservations: [] } };
  }
  const next = recordRun({ ...transition(order, 'ROUTING', now, `attempt ${attempt}`), attempt, ...mine }, attempt, run, now);
  return { kind: 'continue', order: next, change: { order: next, expectedVersion: order.version, shipments: [], reservations: [] } };
}

export interface PlanInput {
  order: Order;
  shipments: readonly Shipment[];
  attempt: number;
  round: number;
  /** Pairs a lost reservation race showed to be empty in this attempt. */
  excluded: ReadonlyArray<{ locationId: string; sku: string }>;
  skus: ReadonlyMap<string, Pick<Sku, 'weightLb' | 'category'>>;
  locations: readonly Location[];
  /** Each SKU's sellable units per location, for this order's channel. */
  networks: ReadonlyArray<{ sku: string; locations: ReadonlyArray<{ locationId: string; available: number }> }>;
  rules: RoutingRules;
  /** What scopes the rule sets and fills the defaults (regions, the tenant's defaults); none: no region is known. */
  scope?: RoutingScope;
  rateTable: RateTable;
  destination: { lat: number; lon: number };
  /** Shipments requested today per location (daily capacity). */
  shippedToday: ReadonlyMap<string, number>;
  /** Pickup slots used at each store on its slot day (`pickupSlotDay`), for stores with `pickupSlotsPerDay`. */
  pickupSlotsUsed?: ReadonlyMap<string, number>;
  now: Date;
  /** Milliseconds, for the routing engine's time budget. */
  clockMs: () => number;
  /** Look-ahead (issue 17 step 4): expected units per day by location and SKU, for rule sets that enable it. */
  expectedDemand?: ExpectedDemand;
  /** Look-ahead prices computed for a release window's order on the window's stock (used instead of `expectedDemand`). */
  shadowPrices?: readonly ShadowPriceEntry[];
}

export interface Plan {
  parcels: PlannedParcel[];
  explanation: string[];
  /** Locations chosen for ship parcels that count their day's shipments (daily capacity). */
  plannedAt: string[];
  /** The routing engine's input and decision for the ship lines (what-if replay, shadow mode); none without ship lines. */
  record?: DecisionRecord;
}

/** Units of each SKU sellable at each location, without the pairs this order must not use. */
function stockByLocation(networks: PlanInput['networks'], excluded: ReadonlySet<string>): Map<string, Record<string, number>> {
  const stock = new Map<string, Record<string, number>>();
  for (const network of networks) {
    for (const at of network.locations) {
      if (at.available <= 0 || excluded.has(`${at.locationId}|${network.sku}`)) continue;
      (stock.get(at.locationId) ?? stock.set(at.locationId, {}).get(at.locationId)!)[network.sku] = at.available;
    }
  }
  return stock;
}

/** The routing engine knows warehouses, stores and drop-shippers; a 3PL ships like a warehouse. */
function routingType(type: Location['type']): CandidateLocation['type'] {
  return type === '3pl' ? 'warehouse' : type;
}

/** The order's own split policy, when it names one, overrides the rule sets' for this order. */
export function splitOverride(rules: RoutingRules, policy: Order['splitPolicy']): RoutingRules {
  if (!policy) return rules;
  return { ...rules, ruleSets: rules.ruleSets.map((rs) => ({ ...rs, split: { ...rs.split, policy } })) };
}

/** The regions the rule sets are scoped by and the tenant's defaults, worked out by the fulfil step before it plans. */
export interface RoutingScope {
  /** The destination's regions: country, US state, the tenant's custom regions (routing/regions.ts). */
  destinationRegions: readonly string[];
  /** Each location's regions, by location id (for the `locationRegions` filter). */
  locationRegions: ReadonlyMap<string, readonly string[]>;
  /** The tenant's `defaultPreference` and `defaultSplitPolicy`. */
  defaults?: RoutingDefaults;
}

/** What selects the order's rule set: channel, destination regions, the categories of the lines routed, the order id (rollouts). */
export function scopeContextOf(order: Pick<Order, 'orderId' | 'channel'>, categories: readonly string[], scope?: RoutingScope): ScopeContext {
  return { channel: order.channel, regions: scope?.destinationRegions ?? [], categories, orderId: order.orderId };
}

/**
 * The preference the order is routed and its parcels rated with, first found wins: the order's own, the selected rule
 * set's `preferences.default`, the tenant's `defaultPreference`, then `cheapest` (rules.ts, resolveDefaults). The
 * routing engine resolves it again the same way from the same request (plus a VIP override), so the two agree.
 */
export function preferenceOf(order: Pick<Order, 'orderId' | 'channel' | 'preference'>, rules: RoutingRules, context: { categories?: readonly string[]; scope?: RoutingScope } = {}): Preference {
  const ruleSet = selectRuleSet(rules, scopeContextOf(order, context.categories ?? [], context.scope));
  return resolveDefaults(ruleSet, { preference: order.preference }, context.scope?.defaults).preference;
}

/**
 * Decides the parcels of the order's still-unallocated units. Pickup and curbside lines go to the store the customer
 * named (what it has); ship lines are priced per candidate with the carrier cost model and routed by the engine under
 * the tenant's rules.
 */
export function planParcels(input: PlanInput): Plan {
  const { order, attempt, round } = input;
  const pending = unallocatedLines(order, allocationsOf(input.shipments));
  const excluded = new Set([...(order.routingExclusions ?? []), ...input.excluded].map((e) => `${e.locationId}|${e.sku}`));
  const stock = stockByLocation(input.networks, excluded);
  const byId = new Map(input.locations.map((l) => [l.locationId, l]));
  const lineOfId = new Map(order.lines.map((l) => [l.lineId, l]));
  // The categories scoping the rule set are those of the lines the engine routes (the ship lines), as it sees them.
  const categoryOf = (sku: string): string[] => {
    const category = input.skus.get(sku)?.category;
    return category ? [category] : [];
  };
  const shipCategories = [...new Set(pending.filter((l) => lineOfId.get(l.lineId)?.fulfillment.type === 'ship').flatMap((l) => categoryOf(l.sku)))];
  const preference = preferenceOf(order, input.rules, { categories: shipCategories, ...(input.scope ? { scope: input.scope } : {}) });
  const vip = order.customer.tier === 'vip';
  const lineOf = new Map(order.lines.map((l) => [l.lineId, l]));
  const parcels: PlannedParcel[] = [];
  const explanation: string[] = [];
  const plannedAt: string[] = [];
  let record: DecisionRecord | undefined;
  const parcel = (location: Location, fulfillment: PlannedParcel['fulfillment'], lines: PlannedParcel['lines']): PlannedParcel => ({
    tenantId: order.tenantId,
    orderId: order.orderId,
    reservationId: shipmentId(order.orderId, attempt, round, parcels.length),
    locationId: location.locationId,
    locationType: location.type,
    ...(location.acceptanceHours !== undefined ? { acceptanceHours: location.acceptanceHours } : {}),
    fulfillment,
    lines,
    weightLb: Math.round(lines.reduce((sum, l) => sum + (input.skus.get(l.sku)?.weightLb ?? 1) * l.quantity, 0) * 100) / 100,
    origin: location.geo,
    destination: input.destination,
    preference,
    vip,
    ...readyFields(location, input.now),
    ...(location.pickupHoldDays !== undefined && fulfillment !== 'ship' ? { pickupHoldDays: location.pickupHoldDays } : {}),
    ...(fulfillment !== 'ship' ? { store: pickupStoreOf(location) } : {}),
  });

  // Pickup and curbside: the customer named the store; take what it has, unless it is full that day (pickup slots):
  // then the nearest store near it with the whole line and a slot takes it (pickup-capacity.ts).
  const shipLines: typeof pending = [];
  const storeLines = new Map<string, { type: 'pickup' | 'curbside'; location: Location; lines: PlannedParcel['lines']; fallbackFrom?: PlannedParcel['fallbackFrom'] }>();
  const slotted = { pickup: new Set<string>(), curbside: new Set<string>() };
  for (const line of pending) {
    const fulfillment = lineOf.get(line.lineId)!.fulfillment;
    if (fulfillment.type === 'ship') {
      shipLines.push(line);
      continue;
    }
    // A store that refused this pickup (rejected, or let its acceptance window pass) is passed over like a full one:
    // the order's nearest-store fallback (pickup.ts) takes the line to the nearest store near it that holds it.
    const refused = refusedPickupStore(order, fulfillment.locationId!, line.sku);
    if (refused) explanation.push(`${fulfillment.type} ${line.sku} x${line.quantity}: ${fulfillment.locationId} could not take it; looking for the nearest store within ${NEAREST_STORE_RADIUS_KM} km`);
    const chosen = choosePickupStore({
      kind: fulfillment.type,
      named: refused ? passedOver(byId.get(fulfillment.locationId!)) : byId.get(fulfillment.locationId!),
      namedId: fulfillment.locationId!,
      sku: line.sku,
      quantity: line.quantity,
      locations: input.locations,
      stock,
      slotsUsed: input.pickupSlotsUsed ?? new Map(),
      planned: slotted[fulfillment.type],
      now: input.now,
    });
    const choice = refused && chosen?.fallback ? { ...chosen, fallback: { ...chosen.fallback, reason: `${fulfillment.locationId} could not take the pickup` } } : chosen;
    const location = choice?.location;
    const locationId = location?.locationId ?? fulfillment.locationId!;
    const have = stock.get(locationId)?.[line.sku] ?? 0;
    const take = location?.active && location.capabilities[fulfillment.type] ? Math.min(have, line.quantity) : 0;
    if (take > 0 && location) {
      stock.get(locationId)![line.sku] = have - take;
      slotted[fulfillment.type].add(locationId);
      const key = `${fulfillment.type}|${locationId}`;
      const fallbackFrom = choice.fallback ? { locationId: choice.fallback.from, reason: choice.fallback.reason } : undefined;
      (storeLines.get(key) ?? storeLines.set(key, { type: fulfillment.type, location, lines: [], ...(fallbackFrom ? { fallbackFrom } : {}) }).get(key)!).lines.push({ ...line, quantity: take });
    }
    if (choice?.fallback) {
      explanation.push(`${fulfillment.type} ${line.sku} x${line.quantity} at ${choice.fallback.from}: ${choice.fallback.reason}; moved to ${locationId} (${choice.fallback.distanceKm} km away): ${take} available`);
    } else if (byId.has(fulfillment.locationId!) && !choice) {
      explanation.push(`${fulfillment.type} ${line.sku} x${line.quantity} at ${fulfillment.locationId}: no pickup slot left that day and no store within 50 km with the units and a slot; waiting`);
    } else {
      explanation.push(`${fulfillment.type} ${line.sku} x${line.quantity} at ${locationId}: ${take} available${location ? '' : ' (unknown location)'}`);
    }
  }
  for (const { type, location, lines, fallbackFrom } of storeLines.values()) {
    parcels.push({
      ...parcel(location, type, lines),
      ...(location.pickupSlotsPerDay !== undefined ? { pickupSlot: { day: pickupSlotDay(location, input.now), perDay: location.pickupSlotsPerDay } } : {}),
      ...(fallbackFrom ? { fallbackFrom } : {}),
    });
  }

  if (shipLines.length) {
    // When each stocked location can hand a parcel over (its hours); one whose hours never leave time for it cannot.
    const readyAt = new Map(input.locations.filter((l) => l.capabilities.ship && stock.has(l.locationId)).map((l) => [l.locationId, readyAtLocation(l, input.now)] as const));
    const shippable = input.locations.filter((l) => readyAt.has(l.locationId) && readyAt.get(l.locationId) !== 'never');
    const typicalWeightLb = Math.max(0.1, shipLines.reduce((sum, l) => sum + (input.skus.get(l.sku)?.weightLb ?? 1) * l.quantity, 0));
    const costInput = {
      table: input.rateTable,
      destination: input.destination,
      shipDate: input.now,
      typicalWeightLb,
      locations: shippable.map((l) => {
        const ready = readyAt.get(l.locationId);
        return { id: l.locationId, type: l.type, lat: l.geo.lat, lon: l.geo.lon, handlingCost: l.handlingCost, ...(l.timeZone ? { timeZone: l.timeZone } : {}), ...(ready instanceof Date ? { readyAt: ready } : {}) };
      }),
    };
    const costs = costModelFor({ ...costInput, preference });
    // Stock exists but no carrier service can take the parcel (too heavy, too far): ops must look, waiting won't help.
    if (shippable.length > 0 && costs.size === 0) {
      throw new UnroutableDestinationError(`No carrier service can ship ${typicalWeightLb} lb from any stocked location to ${order.shipTo.postalCode ?? 'the destination'}`);
    }
    const candidates: CandidateLocation[] = shippable.flatMap((l) => {
      const cost = costs.get(l.locationId);
      if (!cost) return [];
      return [
        {
          id: l.locationId,
          type: routingType(l.type),
          capabilities: l.type === 'store' ? ['ship-from-store'] : [],
          active: l.active,
          stock: stock.get(l.locationId)!,
          shipmentCost: cost.shipmentCost,
          unitCostPerLb: cost.unitCostPerLb,
          promisedDays: cost.promisedDays,
          co2KgPerParcel: cost.co2KgPerParcel,
          co2KgPerLb: cost.co2KgPerLb,
          ...(l.dailyCapacity !== undefined ? { capacityLeft: l.dailyCapacity - (input.shippedToday.get(l.locationId) ?? 0) } : {}),
          ...(input.scope?.locationRegions.has(l.locationId) ? { inRegions: input.scope.locationRegions.get(l.locationId)! } : {}),
        },
      ];
    });
    const routingLines: RoutingLine[] = shipLines.map((l) => {
      const category = input.skus.get(l.sku)?.category;
      return { lineId: l.lineId, sku: l.sku, quantity: l.quantity, weightLb: input.skus.get(l.sku)?.weightLb ?? 1, ...(category ? { category } : {}) };
    });
    const request = {
      orderId: order.orderId,
      channel: order.channel,
      destination: {
        lat: input.destination.lat,
        lon: input.destination.lon,
        ...(order.shipTo.postalCode ? { postalCode: order.shipTo.postalCode } : {}),
        ...(input.scope ? { regions: input.scope.destinationRegions } : {}),
      },
      // Only the order's own preference and split policy are passed as such: the engine resolves the rest from the rule
      // set it selects and the tenant's defaults (passing the resolved preference would hide the rule set's default).
      customer: { vip, ...(order.preference ? { preference: order.preference } : {}) },
      ...(order.splitPolicy ? { splitPolicy: order.splitPolicy } : {}),
      ...(input.scope?.defaults ? { defaults: input.scope.defaults } : {}),
      lines: routingLines,
      locations: candidates,
      rules: input.rules,
      budget: { timeBudgetMs: 50, now: input.clockMs },
      // Only the candidates' rates: the request is recorded with the decision (what-if replays it with them).
      ...(input.expectedDemand ? { expectedDemand: Object.fromEntries(candidates.flatMap((c) => (input.expectedDemand![c.id] ? [[c.id, input.expectedDemand![c.id]!]] : []))) } : {}),
      ...(input.shadowPrices ? { shadowPrices: input.shadowPrices } : {}),
    };
    const decision = routeOrder(request);
    // What-if (issue 15): the engine's whole input and what it decided, written with the allocation.
    record = recordDecision({ order, attempt, round, now: input.now, costInput, preference, request, decision, rulesVersion: input.rules.version });
    explanation.push(...decision.explanation.text);
    for (const planned of decision.parcels) {
      const location = byId.get(planned.locationId)!;
      if (location.dailyCapacity !== undefined) plannedAt.push(location.locationId);
      parcels.push(parcel(location, 'ship', [...planned.lines]));
    }
  }
  return { parcels, explanation: boundedExplanation(explanation), plannedAt, ...(record ? { record } : {}) };
}

export type AllocationDecision =
  /** A later attempt owns the order, or it was cancelled meanwhile: give back what this attempt reserved. */
  | { kind: 'superseded'; status: Order['status']; release: string[]; kept: string[] }
  | { kind: 'allocate'; change: OrderChange; created: Shipment[]; waitingSkus: string[]; noLongerWaitingSkus: string[] };

/**
 * The confirm step's decision: the parcels become shipments (REQUESTED, with their acceptance deadline), the order
 * ALLOCATED, PARTIALLY_ALLOCATED or BACKORDERED with what still waits. If this attempt no longer owns a ROUTING order,
 * its reservations go back, except those a shipment already holds (a retry of this step after its own write).
 */
/**
 * A planned parcel as the REQUESTED shipment it becomes (its reservation id is its shipment id); `reason` for its first
 * history entry (a pickup moved from a full store gives its own).
 */
export function requestedShipment(order: Order, parcel: PlannedParcel, now: Date, reason?: string): Shipment {
  const at = now.toISOString();
  const why = reason ?? (parcel.fallbackFrom ? `moved from ${parcel.fallbackFrom.locationId}: ${parcel.fallbackFrom.reason}` : undefined);
  return {
    tenantId: order.tenantId,
    orderId: order.orderId,
    shipmentId: parcel.reservationId,
    locationId: parcel.locationId,
    fulfillment: parcel.fulfillment,
    lines: parcel.lines,
    reservationId: parcel.reservationId,
    customer: order.customer,
    ...(order.externalId ? { externalId: order.externalId } : {}),
    ...(parcel.quote ? { quote: parcel.quote } : {}),
    ...(parcel.pickupSlot ? { pickupSlot: { day: parcel.pickupSlot.day } } : {}),
    acceptBy: acceptByFor(parcel.locationType, now, parcel.acceptanceHours),
    ...(parcel.pickupHoldDays !== undefined ? { pickupHoldDays: parcel.pickupHoldDays } : {}),
    ...(parcel.store ? { store: parcel.store } : {}),
    status: 'REQUESTED',
    history: [{ status: 'REQUESTED', at, ...(why ? { reason: why } : {}) }],
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
}

export function decideAllocation(
  order: Order,
  shipments: readonly Shipment[],
  attempt: number,
  parcels: readonly PlannedParcel[],
  explanation: readonly string[] | undefined,
  now: Date,
  run?: string,
): AllocationDecision {
  if (order.status !== 'ROUTING' || order.attempt !== attempt || !ownsOrder(order, attempt, run)) {
    const held = new Set(shipments.map((s) => s.reservationId));
    return {
      kind: 'superseded',
      status: order.status,
      release: parcels.filter((p) => !held.has(p.reservationId)).map((p) => p.reservationId),
      kept: parcels.filter((p) => held.has(p.reservationId)).map((p) => p.reservationId),
    };
  }
  const at = now.toISOString();
  const created: Shipment[] = parcels.map((parcel) => requestedShipment(order, parcel, now));
  const allocations = allocationsOf([...shipments, ...created]);
  // A pickup its store refused and no store near it could take is cancelled and refunded, never left waiting (pickup.ts).
  const unplaced = cancelUnplaceablePickups(order, unallocatedLines(order, allocations), attempt, now);
  const waiting = unallocatedLines(unplaced.order, allocations);
  const status = unplaced.nothingLeft ? 'CANCELLED' : statusAfterAllocation(unplaced.order, allocations);
  const reason = unplaced.nothingLeft ? unplaced.reason : waiting.length ? `waiting for ${waiting.map((w) => `${w.sku} x${w.quantity}`).join(', ')}` : undefined;
  const next: Order = {
    ...transition(unplaced.order, status, now, reason),
    allocations,
    backorderedLines: waiting,
    ...(explanation ? { routing: { attempt, decidedAt: at, explanation: [...explanation] } } : {}),
  };
  const waitingSkus = [...new Set(waiting.map((w) => w.sku))];
  const before = new Set(order.backorderedLines.map((l) => l.sku));
  return {
    kind: 'allocate',
    change: { order: next, expectedVersion: order.version, shipments: created, reservations: [] },
    created,
    waitingSkus,
    noLongerWaitingSkus: [...before].filter((sku) => !waitingSkus.includes(sku)),
  };
}
