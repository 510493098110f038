import { chooseService } from '#domain/carriers/choose-service';
import { costModelFor } from '#domain/carriers/cost-model';
import { rateAllServices } from '#domain/carriers/rating';
import type { Location } from '#domain/inventory/location';
import { isFinal, statusAfterAllocation, transition, unallocatedLines, type Allocation, type Order } from '#domain/orders/order';
import { acceptByFor, shipmentId, type Shipment, type ShipmentQuote } from '#domain/orders/shipment';
import { routeOrder, type RoutingDecision } from '#domain/routing/route-order';
import type { CandidateLocation, OrderLine as RoutingLine } from '#domain/routing/apply-rules';
import { releaseReservation, reserveStock, type ReservationDeps } from '../inventory/reservations.ts';
import { getSkuNetwork } from '../inventory/stock-queries.ts';
import type { ChannelStore, Clock, Geocoder, SkuNetworkStore } from '../ports.ts';
import type { AllocationWriter, FulfillmentSettings, NetworkReader } from './fulfillment-ports.ts';
import type { OrderStore, OrderWithShipments } from './ports.ts';

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
  preference: 'fastest' | 'cheapest' | 'greenest' | 'balanced';
  vip: boolean;
  quote?: ShipmentQuote;
}

/** The workflow's state between steps (kept small: Step Functions passes at most 256 KB). */
export interface FulfillmentState {
  tenantId: string;
  orderId: string;
  /** The order's sales channel (its hold-backs apply to the reservations); set by the plan step. */
  channel?: string;
  attempt: number;
  correlationId: string;
  /** Location+sku pairs a lost reservation race showed to be empty; the next routing round skips them. */
  excluded: Array<{ locationId: string; sku: string }>;
  /** Routing rounds in this attempt. */
  rounds: number;
  outcome: 'PLANNED' | 'NOTHING_TO_ROUTE' | 'STOPPED' | 'RESERVED' | 'RETRY' | 'GIVE_UP';
  parcels: PlannedParcel[];
  explanation?: string[];
  /**
   * The order and its shipments as the plan step left them (omitted for large orders, to keep the state small). The
   * confirm step writes against this version instead of reading the order again; if it moved, it reads and decides.
   */
  snapshot?: OrderWithShipments;
}

/** Orders whose JSON is larger than this are read again by the confirm step rather than carried in the state. */
const SNAPSHOT_MAX_CHARS = 32_000;

function withSnapshot(state: FulfillmentState, current: OrderWithShipments): FulfillmentState {
  const { snapshot: _previous, ...rest } = state;
  return JSON.stringify(current).length <= SNAPSHOT_MAX_CHARS ? { ...rest, snapshot: current } : rest;
}

export interface FulfillmentDeps {
  orders: OrderStore;
  network: NetworkReader;
  networks: SkuNetworkStore;
  channels: ChannelStore;
  settings: FulfillmentSettings;
  geocoder: Geocoder;
  reservations: ReservationDeps['reservations'];
  allocations: AllocationWriter;
  clock: Clock;
}

/** Rounds of route -> reserve within one attempt before the order waits for stock instead. */
export const MAX_ROUTING_ROUNDS = 3;
/** A pending reservation expires after this unless the allocation is confirmed: a crashed workflow cannot hold stock. */
export const RESERVATION_TTL_SECONDS = 15 * 60;

export class OrderNotFoundError extends Error {
  override readonly name = 'OrderNotFoundError';
  constructor(readonly orderId: string) {
    super(`Order ${orderId} does not exist`);
  }
}

export class UnroutableDestinationError extends Error {
  override readonly name = 'UnroutableDestinationError';
  constructor(detail: string) {
    super(detail);
  }
}

/** Shipments that still hold or shipped units (not rejected or cancelled). */
export function activeShipments(shipments: Shipment[]): Shipment[] {
  return shipments.filter((s) => s.status !== 'REJECTED' && s.status !== 'CANCELLED');
}

export function allocationsOf(shipments: Shipment[]): Allocation[] {
  return activeShipments(shipments).flatMap((s) => s.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, locationId: s.locationId, quantity: l.quantity })));
}

async function load(deps: { orders: OrderStore }, tenantId: string, orderId: string): Promise<OrderWithShipments> {
  const found = await deps.orders.get(tenantId, orderId);
  if (!found) throw new OrderNotFoundError(orderId);
  return found;
}

/**
 * Step 1: decide which locations ship which of the order's still-unallocated units. Moves the order to ROUTING
 * (recording the attempt), reads the stock projection and the network, prices each candidate with the carrier cost
 * model and runs the routing engine under the tenant's rules. Pickup and curbside lines go to their named store.
 */
export async function planFulfillment(deps: FulfillmentDeps, input: Pick<FulfillmentState, 'tenantId' | 'orderId' | 'attempt' | 'correlationId'> & Partial<FulfillmentState>): Promise<FulfillmentState> {
  const state: FulfillmentState = { excluded: [], rounds: 0, ...input, outcome: 'PLANNED', parcels: [] };
  let { order, shipments } = await load(deps, input.tenantId, input.orderId);
  // A cancelled order, a later attempt already under way or a finished order: nothing for this execution to do.
  if (isFinal(order.status) || order.status === 'CANCELLED' || order.attempt > input.attempt) return { ...state, outcome: 'STOPPED' };
  if (order.status !== 'ROUTING' || order.attempt !== input.attempt) {
    const expected = order.version;
    order = { ...transition(order, 'ROUTING', deps.clock.now(), `attempt ${input.attempt}`), attempt: input.attempt };
    await deps.orders.save(order, expected);
  }
  const pending = unallocatedLines(order, allocationsOf(shipments));
  if (pending.length === 0) return withSnapshot({ ...state, outcome: 'NOTHING_TO_ROUTE', rounds: state.rounds + 1 }, { order, shipments });

  const skuIds = [...new Set(pending.map((l) => l.sku))];
  const day = deps.clock.now().toISOString().slice(0, 10);
  const [skus, locations, networks, rules, table, destination, shippedToday] = await Promise.all([
    deps.network.skus(order.tenantId, skuIds),
    deps.network.locations(order.tenantId),
    getSkuNetwork({ networks: deps.networks, channels: deps.channels }, order.tenantId, skuIds, order.channel),
    deps.settings.routingRules(order.tenantId),
    deps.settings.rateTable(order.tenantId),
    destinationOf(deps, order),
    deps.network.shipmentsToday(order.tenantId, day),
  ]);
  const excluded = new Set([...(order.routingExclusions ?? []), ...state.excluded].map((e) => `${e.locationId}|${e.sku}`));
  const stock = new Map<string, Record<string, number>>();
  for (const network of networks) {
    for (const at of network.locations) {
      if (at.available <= 0 || excluded.has(`${at.locationId}|${network.sku}`)) continue;
      (stock.get(at.locationId) ?? stock.set(at.locationId, {}).get(at.locationId)!)[network.sku] = at.available;
    }
  }
  const byId = new Map(locations.map((l) => [l.locationId, l]));
  const preference = order.preference ?? (await defaultPreference(rules));
  const vip = order.customer.tier === 'vip';
  const lineOf = new Map(order.lines.map((l) => [l.lineId, l]));
  const parcels: PlannedParcel[] = [];
  const explanation: string[] = [];

  // Pickup and curbside: the customer named the store; take what it has.
  const shipLines: typeof pending = [];
  const storeLines = new Map<string, Array<{ lineId: string; sku: string; quantity: number }>>();
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
    if (take > 0) {
      stock.get(locationId)![line.sku] = have - take;
      (storeLines.get(`${fulfillment.type}|${locationId}`) ?? storeLines.set(`${fulfillment.type}|${locationId}`, []).get(`${fulfillment.type}|${locationId}`)!).push({ ...line, quantity: take });
    }
    explanation.push(`${fulfillment.type} ${line.sku} x${line.quantity} at ${locationId}: ${take} available${location ? '' : ' (unknown location)'}`);
  }
  for (const [key, lines] of storeLines) {
    const [type, locationId] = key.split('|') as ['pickup' | 'curbside', string];
    const location = byId.get(locationId)!;
    parcels.push(parcelOf(order, input.attempt, state.rounds + 1, parcels.length, location, type, lines, skus, destination, preference, vip));
  }

  if (shipLines.length) {
    const shipDate = deps.clock.now();
    const shippable = locations.filter((l) => l.capabilities.ship && stock.has(l.locationId));
    const typicalWeightLb = Math.max(0.1, shipLines.reduce((sum, l) => sum + (skus.get(l.sku)?.weightLb ?? 1) * l.quantity, 0));
    const costs = costModelFor({
      table,
      preference,
      destination,
      shipDate,
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
          ...(l.dailyCapacity !== undefined ? { capacityLeft: l.dailyCapacity - (shippedToday.get(l.locationId) ?? 0) } : {}),
        },
      ];
    });
    const routingLines: RoutingLine[] = shipLines.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity, weightLb: skus.get(l.sku)?.weightLb ?? 1 }));
    const decision: RoutingDecision = routeOrder({
      orderId: order.orderId,
      channel: order.channel,
      destination: { lat: destination.lat, lon: destination.lon, ...(order.shipTo.postalCode ? { postalCode: order.shipTo.postalCode } : {}) },
      customer: { vip, preference },
      lines: routingLines,
      locations: candidates,
      rules: splitOverride(rules, order.splitPolicy),
      budget: { timeBudgetMs: 50, now: () => performance.now() },
    });
    explanation.push(...decision.explanation.text);
    for (const parcel of decision.parcels) {
      const location = byId.get(parcel.locationId)!;
      if (location.dailyCapacity !== undefined) deps.network.notePlanned(order.tenantId, day, location.locationId);
      parcels.push(parcelOf(order, input.attempt, state.rounds + 1, parcels.length, location, 'ship', [...parcel.lines], skus, destination, preference, vip));
    }
  }
  return withSnapshot({ ...state, channel: order.channel, outcome: 'PLANNED', rounds: state.rounds + 1, parcels, explanation }, { order, shipments });
}

/**
 * Step 2: reserve every planned parcel (one reservation per parcel, idempotent by the parcel's reservation id). If
 * any parcel lost a race for stock, the others are released and the empty pairs excluded: the workflow routes again
 * (bounded), then gives up on what is left, which waits as a backorder.
 */
export async function reserveParcels(deps: FulfillmentDeps, state: FulfillmentState): Promise<FulfillmentState> {
  // No read of the order here: if it was cancelled meanwhile, the confirm step sees it and releases what this reserved.
  const results = await Promise.all(
    state.parcels.map((parcel) =>
      reserveStock(deps, {
        tenantId: state.tenantId,
        reservationId: parcel.reservationId,
        orderId: state.orderId,
        ...(state.channel ? { channel: state.channel } : {}),
        items: parcel.lines.map((l) => ({ locationId: parcel.locationId, sku: l.sku, quantity: l.quantity })),
        ttlSeconds: RESERVATION_TTL_SECONDS,
      }),
    ),
  );
  const shortages = results.flatMap((r) => (r.status === 'INSUFFICIENT' ? r.shortages.map((s) => ({ locationId: s.locationId, sku: s.sku })) : []));
  if (shortages.length === 0) return { ...state, outcome: 'RESERVED' };
  await Promise.all(
    results.map((r) => (r.status === 'RESERVED' ? releaseReservation(deps, { tenantId: state.tenantId, reservationId: r.reservationId }) : undefined)),
  );
  const excluded = [...state.excluded, ...shortages];
  if (state.rounds >= MAX_ROUTING_ROUNDS) return { ...state, excluded, outcome: 'GIVE_UP', parcels: [] };
  return { ...state, excluded, outcome: 'RETRY', parcels: [] };
}

/** Step 3 (per parcel, in a Map): the carrier service the customer's preference picks, its cost, promise and CO2. */
export async function rateParcel(deps: Pick<FulfillmentDeps, 'settings' | 'clock'>, parcel: PlannedParcel): Promise<PlannedParcel> {
  const now = deps.clock.now();
  if (parcel.fulfillment !== 'ship') {
    // Picked up at the store: no carrier; ready for collection the same day.
    return { ...parcel, quote: { carrier: 'none', service: parcel.fulfillment, cost: 0, promisedDeliveryDate: now.toISOString().slice(0, 10), co2Grams: 0 } };
  }
  const [table, maxExtra] = await Promise.all([deps.settings.rateTable(parcel.tenantId), deps.settings.vipFreeUpgradeMaxExtraCost(parcel.tenantId)]);
  const quotes = rateAllServices(table, { originLatLon: parcel.origin, destLatLon: parcel.destination, weightLb: Math.max(parcel.weightLb, 0.1), shipDate: now });
  const choice = chooseService(quotes, { preference: parcel.preference, vip: parcel.vip, vipRule: { vipFreeUpgradeMaxExtraCost: maxExtra } });
  if (!choice.ok) throw new UnroutableDestinationError(`No carrier service can take parcel ${parcel.reservationId}: ${choice.reason}`);
  return {
    ...parcel,
    quote: {
      carrier: choice.quote.carrier,
      service: choice.quote.serviceCode,
      cost: choice.carrierCost,
      chargedToCustomer: choice.chargedToCustomer,
      promisedDeliveryDate: choice.quote.promisedDeliveryDate,
      co2Grams: Math.round(choice.quote.co2Grams),
      ...(choice.upgraded ? { upgraded: true } : {}),
    },
  };
}

/**
 * Step 4: writes the outcome in one transaction: the shipments, the order's new status (ALLOCATED,
 * PARTIALLY_ALLOCATED or BACKORDERED), its allocations and waiting lines, the reservations made non-expiring, and the
 * backorder waitlist. If the order was cancelled meanwhile, the reservations just made are released instead.
 */
export async function confirmAllocation(deps: FulfillmentDeps, state: FulfillmentState): Promise<{ status: Order['status']; shipments: string[] }> {
  if (state.snapshot) {
    try {
      return await confirmAgainst(deps, state, state.snapshot);
    } catch (error) {
      // The order moved since the plan (cancelled, another attempt, a retry of this step): read it and decide again.
      if ((error as Error).name !== 'ConcurrentUpdateError') throw error;
    }
  }
  return confirmAgainst(deps, state, await load(deps, state.tenantId, state.orderId));
}

async function confirmAgainst(deps: FulfillmentDeps, state: FulfillmentState, { order, shipments }: OrderWithShipments): Promise<{ status: Order['status']; shipments: string[] }> {
  if (order.status !== 'ROUTING' || order.attempt !== state.attempt) {
    // Cancelled or superseded meanwhile: give back what this attempt reserved, unless a shipment holds it (a retry of
    // this step after its own write succeeded finds its shipments in place).
    const held = new Set(shipments.map((s) => s.reservationId));
    await Promise.all(
      state.parcels.filter((p) => !held.has(p.reservationId)).map((p) => releaseReservation(deps, { tenantId: state.tenantId, reservationId: p.reservationId })),
    );
    return { status: order.status, shipments: state.parcels.filter((p) => held.has(p.reservationId)).map((p) => p.reservationId) };
  }
  const now = deps.clock.now();
  const created: Shipment[] = state.parcels.map((parcel) => ({
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
    history: [{ status: 'REQUESTED', at: now.toISOString() }],
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
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
    ...(state.explanation ? { routing: { attempt: state.attempt, decidedAt: now.toISOString(), explanation: state.explanation } } : {}),
  };
  const waitingSkus = [...new Set(waiting.map((w) => w.sku))];
  const before = new Set(order.backorderedLines.map((l) => l.sku));
  await deps.allocations.saveAllocation({
    order: next,
    expectedVersion: order.version,
    shipments: created,
    holdReservationIds: created.map((s) => s.reservationId),
    waitingSkus,
    noLongerWaitingSkus: [...before].filter((sku) => !waitingSkus.includes(sku)),
    day: now.toISOString().slice(0, 10),
  });
  return { status, shipments: created.map((s) => s.shipmentId) };
}

/** The Catch path: the order becomes FAILED with the reason (ops re-drive or cancel it). Idempotent. */
export async function markOrderFailed(deps: Pick<FulfillmentDeps, 'orders' | 'clock'>, input: { tenantId: string; orderId: string; error?: { Error?: string; Cause?: string } }): Promise<{ status: Order['status'] }> {
  const { order } = await load(deps, input.tenantId, input.orderId);
  if (order.status === 'FAILED' || isFinal(order.status)) return { status: order.status };
  const reason = `${input.error?.Error ?? 'Error'}: ${summariseCause(input.error?.Cause)}`.slice(0, 500);
  const expected = order.version;
  await deps.orders.save(transition(order, 'FAILED', deps.clock.now(), reason), expected);
  return { status: 'FAILED' };
}

function summariseCause(cause: string | undefined): string {
  if (!cause) return 'no cause given';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    return parsed.errorMessage ?? cause;
  } catch {
    return cause;
  }
}

async function destinationOf(deps: FulfillmentDeps, order: Order): Promise<{ lat: number; lon: number }> {
  if (order.shipTo.geo) return order.shipTo.geo;
  const located = order.shipTo.postalCode ? await deps.geocoder.locate(order.shipTo.postalCode, order.shipTo.country) : undefined;
  if (!located) throw new UnroutableDestinationError(`Cannot place ${order.shipTo.postalCode ?? 'the address'} (${order.shipTo.country}) on the map`);
  return located;
}

async function defaultPreference(rules: Awaited<ReturnType<FulfillmentSettings['routingRules']>>): Promise<PlannedParcel['preference']> {
  return rules.ruleSets.at(-1)?.preferences.default ?? 'balanced';
}

/** The order's own split policy, when it names one, overrides the rule sets' for this order. */
function splitOverride(rules: Awaited<ReturnType<FulfillmentSettings['routingRules']>>, policy: Order['splitPolicy']) {
  if (!policy) return rules;
  return { ...rules, ruleSets: rules.ruleSets.map((rs) => ({ ...rs, split: { ...rs.split, policy } })) };
}

/** The routing engine knows warehouses, stores and drop-shippers; a 3PL ships like a warehouse. */
function routingType(type: Location['type']): CandidateLocation['type'] {
  return type === '3pl' ? 'warehouse' : type;
}

function parcelOf(
  order: Order,
  attempt: number,
  round: number,
  index: number,
  location: Location,
  fulfillment: PlannedParcel['fulfillment'],
  lines: Array<{ lineId: string; sku: string; quantity: number }>,
  skus: Map<string, { weightLb: number }>,
  destination: { lat: number; lon: number },
  preference: PlannedParcel['preference'],
  vip: boolean,
): PlannedParcel {
  return {
    tenantId: order.tenantId,
    orderId: order.orderId,
    reservationId: shipmentId(order.orderId, attempt, round, index),
    locationId: location.locationId,
    locationType: location.type,
    ...(location.acceptanceHours !== undefined ? { acceptanceHours: location.acceptanceHours } : {}),
    fulfillment,
    lines,
    weightLb: Math.round(lines.reduce((sum, l) => sum + (skus.get(l.sku)?.weightLb ?? 1) * l.quantity, 0) * 100) / 100,
    origin: location.geo,
    destination,
    preference,
    vip,
  };
}
