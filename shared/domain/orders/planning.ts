/**
 * Planning an attempt (pure): which location sends which units, as parcels, and the allocation they become once
 * reserved and rated. The fulfilment workflow's steps load what these need, call them, and save what they return.
 */
import { costModelFor } from '../carriers/cost-model.ts';
import type { RateTable } from '../carriers/rate-table.ts';
import type { Location, Sku } from '../inventory/location.ts';
import type { CandidateLocation, OrderLine as RoutingLine } from '../routing/apply-rules.ts';
import { routeOrder } from '../routing/route-order.ts';
import type { RoutingRules } from '../routing/rules.ts';
import { allocationsOf } from './allocation.ts';
import { ownsOrder, REDRIVABLE } from './attempts.ts';
import type { OrderChange } from './change.ts';
import { statusAfterAllocation, transition, unallocatedLines, type Order, type Preference } from './order.ts';
import { acceptByFor, shipmentId, type Shipment, type ShipmentQuote } from './shipment.ts';

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
  quote?: ShipmentQuote;
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
    const next = { ...order, ...mine, version: order.version + 1, updatedAt: now.toISOString() };
    return { kind: 'continue', order: next, change: { order: next, expectedVersion: order.version, shipments: [], reservations: [] } };
  }
  const next = { ...transition(order, 'ROUTING', now, `attempt ${attempt}`), attempt, ...mine };
  return { kind: 'continue', order: next, change: { order: next, expectedVersion: order.version, shipments: [], reservations: [] } };
}

export interface PlanInput {
  order: Order;
  shipments: readonly Shipment[];
  attempt: number;
  round: number;
  /** Pairs a lost reservation race showed to be empty in this attempt. */
  excluded: ReadonlyArray<{ locationId: string; sku: string }>;
  skus: ReadonlyMap<string, Pick<Sku, 'weightLb'>>;
  locations: readonly Location[];
  /** Each SKU's sellable units per location, for this order's channel. */
  networks: ReadonlyArray<{ sku: string; locations: ReadonlyArray<{ locationId: string; available: number }> }>;
  rules: RoutingRules;
  rateTable: RateTable;
  destination: { lat: number; lon: number };
  /** Shipments requested today per location (daily capacity). */
  shippedToday: ReadonlyMap<string, number>;
  now: Date;
  /** Milliseconds, for the routing engine's time budget. */
  clockMs: () => number;
}

export interface Plan {
  parcels: PlannedParcel[];
  explanation: string[];
  /** Locations chosen for ship parcels that count their day's shipments (daily capacity). */
  plannedAt: string[];
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
function splitOverride(rules: RoutingRules, policy: Order['splitPolicy']): RoutingRules {
  if (!policy) return rules;
  return { ...rules, ruleSets: rules.ruleSets.map((rs) => ({ ...rs, split: { ...rs.split, policy } })) };
}

export function preferenceOf(order: Order, rules: RoutingRules): Preference {
  return order.preference ?? rules.ruleSets.at(-1)?.preferences.default ?? 'balanced';
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
  const preference = preferenceOf(order, input.rules);
  const vip = order.customer.tier === 'vip';
  const lineOf = new Map(order.lines.map((l) => [l.lineId, l]));
  const parcels: PlannedParcel[] = [];
  const explanation: string[] = [];
  const plannedAt: string[] = [];
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
  });

  // Pickup and curbside: the customer named the store; take what it has.
  const shipLines: typeof pending = [];
  const storeLines = new Map<string, { type: 'pickup' | 'curbside'; location: Location; lines: PlannedParcel['lines'] }>();
  for (const line of pending) {
    const fulfillment = lineOf.get(line.lineId)!.fulfillment;
    if (fulfillment.type === 'ship') {
      shipLines.push(line);
      continue;
    }
    const locationId = fulfillment.locationId!;
    const location = byId.get(locationId);
    const have = stock.get(locationId)?.[line.sku] ?? 0;
    const take = location?.active && location.capabilities[fulfillment.type] ? Math.min(have, line.quantity) : 0;
    if (take > 0 && location) {
      stock.get(locationId)![line.sku] = have - take;
      const key = `${fulfillment.type}|${locationId}`;
      (storeLines.get(key) ?? storeLines.set(key, { type: fulfillment.type, location, lines: [] }).get(key)!).lines.push({ ...line, quantity: take });
    }
    explanation.push(`${fulfillment.type} ${line.sku} x${line.quantity} at ${locationId}: ${take} available${location ? '' : ' (unknown location)'}`);
  }
  for (const { type, location, lines } of storeLines.values()) parcels.push(parcel(location, type, lines));

  if (shipLines.length) {
    const shippable = input.locations.filter((l) => l.capabilities.ship && stock.has(l.locationId));
    const typicalWeightLb = Math.max(0.1, shipLines.reduce((sum, l) => sum + (input.skus.get(l.sku)?.weightLb ?? 1) * l.quantity, 0));
    const costs = costModelFor({
      table: input.rateTable,
      preference,
      destination: input.destination,
      shipDate: input.now,
      typicalWeightLb,
      locations: shippable.map((l) => ({ id: l.locationId, type: l.type, lat: l.geo.lat, lon: l.geo.lon, handlingCost: l.handlingCost })),
    });
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
        },
      ];
    });
    const routingLines: RoutingLine[] = shipLines.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity, weightLb: input.skus.get(l.sku)?.weightLb ?? 1 }));
    const decision = routeOrder({
      orderId: order.orderId,
      channel: order.channel,
      destination: { lat: input.destination.lat, lon: input.destination.lon, ...(order.shipTo.postalCode ? { postalCode: order.shipTo.postalCode } : {}) },
      customer: { vip, preference },
      lines: routingLines,
      locations: candidates,
      rules: splitOverride(input.rules, order.splitPolicy),
      budget: { timeBudgetMs: 50, now: input.clockMs },
    });
    explanation.push(...decision.explanation.text);
    for (const planned of decision.parcels) {
      const location = byId.get(planned.locationId)!;
      if (location.dailyCapacity !== undefined) plannedAt.push(location.locationId);
      parcels.push(parcel(location, 'ship', [...planned.lines]));
    }
  }
  return { parcels, explanation: boundedExplanation(explanation), plannedAt };
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
  const created: Shipment[] = parcels.map((parcel) => ({
    tenantId: order.tenantId,
    orderId: order.orderId,
    shipmentId: parcel.reservationId,
    locationId: parcel.locationId,
    fulfillment: parcel.fulfillment,
    lines: parcel.lines,
    reservationId: parcel.reservationId,
    customer: order.customer,
    ...(parcel.quote ? { quote: parcel.quote } : {}),
    acceptBy: acceptByFor(parcel.locationType, now, parcel.acceptanceHours),
    status: 'REQUESTED',
    history: [{ status: 'REQUESTED', at }],
    createdAt: at,
    updatedAt: at,
    version: 1,
  }));
  const allocations = allocationsOf([...shipments, ...created]);
  const waiting = unallocatedLines(order, allocations);
  const status = statusAfterAllocation(order, allocations);
  const reason = waiting.length ? `waiting for ${waiting.map((w) => `${w.sku} x${w.quantity}`).join(', ')}` : undefined;
  const next: Order = {
    ...transition(order, status, now, reason),
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
