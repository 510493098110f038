import { chooseService } from '#domain/carriers/choose-service';
import { localDateOf } from '#domain/inventory/opening-hours';
import { rateAllServices } from '#domain/carriers/rating';
import { decideFailure } from '#domain/orders/attempts';
import { boundedExplanation, decideAllocation, decidePlanStart, planParcels, UnroutableDestinationError, type PlannedParcel } from '#domain/orders/planning';
import { unallocatedLines, type Order } from '#domain/orders/order';
import { allocationsOf } from '#domain/orders/allocation';
import { reservationLinesOf } from '#domain/orders/change';
import { pendingReservation } from '#domain/inventory/reservation';
import type { SkuNetwork } from '#domain/inventory/projection';
import type { DecisionRecord } from '#domain/orders/decision-record';
import { withShadowDecision } from '#domain/orders/what-if';
import { slotCountersToRead, slotTakesOf } from '#domain/orders/pickup-capacity';
import type { TransferDeps } from '../inventory/transfers.ts';
import { startPickupTransfers } from './pickup-transfers.ts';
import type { ExpectedDemand } from '#domain/routing/look-ahead';
import type { RoutingRules } from '#domain/routing/rules';
import { ConflictError } from '../errors.ts';
import { ReservationNotFoundError } from '../inventory/errors.ts';
import { releaseReservation, reserveStock, type ReservationDeps } from '../inventory/reservations.ts';
import { getSkuNetwork, skuNetworkViews } from '../inventory/stock-queries.ts';
import type { ChannelStore, Clock, Geocoder, SkuNetworkStore } from '../ports.ts';
import { routingScopeOf } from '../routing/routing-scope.ts';
import type { AllocationWriter, FulfillmentSettings, NetworkReader, PlanReader } from './fulfillment-ports.ts';
import { loadOrder } from './lifecycle.ts';
import { holdForRelease } from './release-hold.ts';
import type { OrderStore, OrderWithShipments } from './ports.ts';

export type { PlannedParcel } from '#domain/orders/planning';
export { UnroutableDestinationError } from '#domain/orders/planning';

/** The workflow's state between steps (kept small: Step Functions passes at most 256 KB). */
export interface FulfillmentState {
  tenantId: string;
  orderId: string;
  /** The order's sales channel (its hold-backs apply to the reservations); set by the plan step. */
  channel?: string;
  attempt: number;
  correlationId: string;
  /** The run (execution id) of this attempt; the plan step records it on the order, other runs of the attempt stop. */
  run?: string;
  /** Location+sku pairs a lost reservation race showed to be empty; the next routing round skips them. */
  excluded: Array<{ locationId: string; sku: string }>;
  /** Routing rounds in this attempt. */
  rounds: number;
  outcome: 'PLANNED' | 'NOTHING_TO_ROUTE' | 'STOPPED' | 'RESERVED' | 'RETRY' | 'GIVE_UP' | 'CONFIRMED' | 'WAITING';
  /** Set by the reserve-and-confirm step: the status the order reached. */
  status?: Order['status'];
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
/**
 * Step Functions passes at most 256 KB between states and a DataLimitExceeded cannot be caught: the snapshot rides only
 * while the whole state stays under this, which leaves room for a Catch's $.error (a Cause is at most 32 KB).
 */
const STATE_BUDGET_CHARS = 190_000;
/** Pairs a lost race showed empty, kept for the next rounds (the most recent; the list must stay bounded). */
export const MAX_EXCLUDED_PAIRS = 100;

/** The state with the order as the plan step left it, when it fits (the confirm step writes against it). */
export function planStateWithSnapshot(state: FulfillmentState, current: OrderWithShipments): FulfillmentState {
  const { snapshot: _previous, ...rest } = state;
  const snapshotChars = JSON.stringify(current).length;
  return snapshotChars <= SNAPSHOT_MAX_CHARS && JSON.stringify(rest).length + snapshotChars <= STATE_BUDGET_CHARS ? { ...rest, snapshot: current } : rest;
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
  plans: PlanReader;
  clock: Clock;
  /** Transfers (issue 18): a pickup at a store without the units gets them by one; without: the line just waits. */
  transfers?: TransferDeps;
}

/** Rounds of route -> reserve within one attempt before the order waits for stock instead. */
export const MAX_ROUTING_ROUNDS = 3;
/** A pending reservation expires after this unless the allocation is confirmed: a crashed workflow cannot hold stock. */
export const RESERVATION_TTL_SECONDS = 15 * 60;

/** The workflow's input to the fulfil step: OrderAccepted adds the order's SKUs, so the first read fetches their stock with the order. */
export type FulfilInput = Pick<FulfillmentState, 'tenantId' | 'orderId' | 'attempt' | 'correlationId'> & Partial<FulfillmentState> & { skus?: string[] };

/** Reads (a round) before the step gives up on an order that keeps changing under it. */
const MAX_READS = 5;

/**
 * The fulfil step (the routing function): one attempt of an order, planned, rated, reserved and confirmed in one
 * invocation and ONE transaction (see AllocationWriter.reserveAndAllocate): reservations with their stock guards, the
 * shipments, the order (moved through ROUTING under this attempt and run) and the waitlist, all or nothing.
 * - A new order's first read fetches the order with its SKUs' stock (one request); later rounds read the stock again.
 * - A lost race for stock excludes the empty pairs and routes again, at most MAX_ROUTING_ROUNDS rounds; then what is
 *   left waits as a backorder and the order is confirmed with what it has.
 * - An order that moved (cancelled, another run or attempt took it) is read again and decided again: nothing was
 *   written, nothing to give back. A run of an attempt that already decided (a retried step) stops.
 * - An allocation too large for one transaction is claimed (ROUTING) and handed back PLANNED: the workflow rates its
 *   parcels (carrier-rate function) and reserves and confirms them in two phases (reservation function).
 */
export async function fulfilOrder(deps: FulfillmentDeps, input: FulfilInput): Promise<FulfillmentState> {
  const { skus, ...rest } = input;
  let state: FulfillmentState = { excluded: [], rounds: 0, ...rest, outcome: 'PLANNED', parcels: [] };
  const first = skus?.length ? await deps.plans.orderAndNetworks(state.tenantId, state.orderId, skus) : undefined;
  // The header is the whole order until it is first routed: no shipment exists before the first allocation.
  let loaded: OrderWithShipments | undefined = first?.order && first.order.attempt === 0 && first.order.allocations.length === 0 ? { order: first.order, shipments: [] } : undefined;
  let prefetched = loaded ? first!.networks : undefined;
  for (let read = 0; read < MAX_READS; ) {
    if (!loaded) {
      loaded = await loadOrder(deps, state.tenantId, state.orderId);
      read++;
    }
    const now = deps.clock.now();
    const start = decidePlanStart(loaded.order, state.attempt, now, state.run);
    if (start.kind === 'stop') return { ...state, snapshot: undefined, outcome: 'STOPPED', status: loaded.order.status, parcels: [] };
    // Issue 17: a new order of a rule set with a release window waits for it (the scheduled release allocates it).
    const held = await holdForRelease(deps, state, loaded.order, now);
    if (held) return { ...state, snapshot: undefined, outcome: held.outcome, status: held.status, parcels: [] };
    const { order } = start;
    const { shipments } = loaded;
    // Out of rounds: nothing more is planned; the order is confirmed with what it has and the rest waits.
    const plan: Awaited<ReturnType<typeof planRound>> = state.rounds < MAX_ROUTING_ROUNDS ? await planRound(deps, state, order, shipments, prefetched, now) : { parcels: [], explanation: state.explanation ?? [] };
    prefetched = undefined;
    state = { ...state, channel: order.channel, rounds: state.rounds + 1, explanation: plan.explanation };
    const rated = await Promise.all(plan.parcels.map((parcel) => rateParcel(deps, parcel)));
    const written = await reserveAndAllocate(deps, state, { order, shipments }, rated, start.change ? start.change.expectedVersion : loaded.order.version, now, plan.record);
    switch (written.outcome) {
      case 'ALLOCATED':
        return { ...state, snapshot: undefined, outcome: 'CONFIRMED', status: written.status, parcels: [] };
      case 'TOO_LARGE':
        if (start.change) await deps.orders.commit(start.change);
        return planStateWithSnapshot({ ...state, outcome: 'PLANNED', parcels: plan.parcels }, { order, shipments });
      case 'SHORT':
        state = { ...state, excluded: [...state.excluded, ...written.pairs].slice(-MAX_EXCLUDED_PAIRS) };
        continue;
      case 'SLOTS_FULL':
        // A store filled up since the plan read its slots: the next round reads them again and goes elsewhere.
        continue;
      case 'CONFLICT':
      case 'SUPERSEDED':
        loaded = undefined;
    }
  }
  throw new ConflictError(`Order ${state.orderId} kept changing while it was routed`);
}

/**
 * One routing round (no write): which locations ship which of the order's still-unallocated units. Reads the stock
 * projection (unless given) and the network, prices each candidate with the carrier cost model and runs the routing
 * engine under the tenant's rules. Pickup and curbside lines go to their named store.
 */
async function planRound(
  deps: FulfillmentDeps,
  state: FulfillmentState,
  order: Order,
  shipments: OrderWithShipments['shipments'],
  prefetched: ReadonlyMap<string, SkuNetwork> | undefined,
  now: Date,
): Promise<{ parcels: PlannedParcel[]; explanation: string[]; record?: DecisionRecord }> {
  const pending = unallocatedLines(order, allocationsOf(shipments));
  if (pending.length === 0) return { parcels: [], explanation: state.explanation ?? [] };
  const skuIds = [...new Set(pending.map((l) => l.sku))];
  const day = now.toISOString().slice(0, 10);
  const networksOf = async () => {
    if (!prefetched || skuIds.some((sku) => !prefetched.has(sku))) return getSkuNetwork({ networks: deps.networks, channels: deps.channels }, order.tenantId, skuIds, order.channel);
    const rule = await deps.channels.get(order.tenantId, order.channel);
    return skuNetworkViews(order.tenantId, prefetched, skuIds, order.channel, rule);
  };
  const [skus, locations, networks, rules, rateTable, destination, shippedToday, routingSettings, pickupSlotsUsed] = await Promise.all([
    deps.network.skus(order.tenantId, skuIds),
    deps.network.locations(order.tenantId),
    networksOf(),
    deps.settings.routingRules(order.tenantId),
    deps.settings.rateTable(order.tenantId),
    destinationOf(deps, order),
    deps.network.shipmentsToday(order.tenantId, day),
    // Rule selection (issue 15): the tenant's defaults and custom regions (cached with the other settings).
    deps.settings.routingSettings?.(order.tenantId) ?? { customRegions: [] },
    slotsUsedFor(deps, order, pending, now),
  ]);
  const scope = await routingScopeOf(deps, order, destination, locations, routingSettings);
  const expectedDemand = await expectedDemandFor(deps, order.tenantId, rules, skuIds, day);
  const plan = planParcels({
    order,
    shipments,
    attempt: state.attempt,
    round: state.rounds + 1,
    excluded: state.excluded,
    skus,
    locations,
    networks,
    rules,
    scope,
    rateTable,
    destination,
    shippedToday,
    pickupSlotsUsed,
    now,
    clockMs: () => performance.now(),
    ...(expectedDemand ? { expectedDemand } : {}),
  });
  for (const locationId of plan.plannedAt) deps.network.notePlanned(order.tenantId, day, locationId);
  // A pickup the chosen store cannot fill: its units come by a transfer, requested before the allocation is written.
  const transfers = await startPickupTransfers(deps, { order, pending, parcels: plan.parcels, networks, excluded: state.excluded, locations, skus, rateTable, now });
  const explanation = transfers.length ? boundedExplanation([...plan.explanation, ...transfers]) : plan.explanation;
  return { parcels: plan.parcels, explanation, ...(await whatIfRecord(deps, order.tenantId, plan.record)) };
}

/**
 * Pickup slots used at the stores the order's pickup lines may go to (those with a limit, near the chosen store), each
 * on its own local day: one consistent BatchGetItem, and none for an order without pickups at such stores.
 */
async function slotsUsedFor(deps: FulfillmentDeps, order: Order, pending: ReadonlyArray<{ lineId: string }>, now: Date): Promise<Map<string, number>> {
  const lineOf = new Map(order.lines.map((l) => [l.lineId, l]));
  const chosen = pending.flatMap((p) => {
    const f = lineOf.get(p.lineId)?.fulfillment;
    return f && f.type !== 'ship' && f.locationId ? [{ locationId: f.locationId, kind: f.type }] : [];
  });
  if (!chosen.length || !deps.network.pickupSlotsUsed) return new Map();
  const counters = slotCountersToRead(chosen, await deps.network.locations(order.tenantId), now);
  return counters.length ? deps.network.pickupSlotsUsed(order.tenantId, counters) : new Map();
}

/**
 * Look-ahead (issue 17 step 4): expected demand, read only when one of the tenant's rule sets enables look-ahead (from an
 * hour's cache: no call per order once warm). It only refines the cost model: if it cannot be read, the order is
 * routed without it.
 */
async function expectedDemandFor(deps: FulfillmentDeps, tenantId: string, rules: RoutingRules, skus: readonly string[], day: string): Promise<ExpectedDemand | undefined> {
  if (!deps.settings.expectedDemand || !rules.ruleSets.some((rs) => rs.lookAhead?.enabled)) return undefined;
  try {
    return await deps.settings.expectedDemand(tenantId, skus, day);
  } catch {
    return undefined;
  }
}

/** What-if (issue 15): the decision's record, routed a second time under the tenant's shadow rule set if one takes it. */
async function whatIfRecord(deps: FulfillmentDeps, tenantId: string, record: DecisionRecord | undefined): Promise<{ record?: DecisionRecord }> {
  if (!record) return {};
  // The shadow is an observer: if it cannot be read or routed, the order is routed and recorded without it.
  try {
    const shadow = deps.settings.shadowRules ? await deps.settings.shadowRules(tenantId) : undefined;
    return { record: withShadowDecision(record, shadow, () => performance.now()) };
  } catch {
    return { record };
  }
}

/**
 * The allocation's one transaction: the shipments of the rated parcels, their reservations (held from the start, no
 * expiry) with the stock they take, the order's new status and the waitlist. A channel's hold-back that leaves a line
 * impossible is a shortage without a write.
 */
export async function reserveAndAllocate(
  deps: FulfillmentDeps,
  state: FulfillmentState,
  { order, shipments }: OrderWithShipments,
  parcels: PlannedParcel[],
  expectedVersion: number,
  now: Date,
  decisionRecord?: DecisionRecord,
): Promise<
  | { outcome: 'ALLOCATED'; status: Order['status'] }
  | { outcome: 'SHORT'; pairs: Array<{ locationId: string; sku: string }> }
  | { outcome: 'SUPERSEDED'; status: Order['status']; kept: string[] }
  | { outcome: 'CONFLICT' | 'TOO_LARGE' }
  | { outcome: 'SLOTS_FULL'; locationIds: string[] }
> {
  const decision = decideAllocation(order, shipments, state.attempt, parcels, state.explanation, now, state.run);
  if (decision.kind === 'superseded') return { outcome: 'SUPERSEDED', status: decision.status, kept: decision.kept };
  const rule = await deps.channels.get(order.tenantId, order.channel);
  const reservations = decision.created.map((shipment) =>
    pendingReservation({ tenantId: order.tenantId, reservationId: shipment.reservationId, orderId: order.orderId, channel: order.channel, lines: reservationLinesOf(shipment) }, rule, now),
  );
  const impossible = reservations.flatMap(({ reservation, impossible: lines }) => lines.map((i) => reservation.lines[i]!));
  if (impossible.length) return { outcome: 'SHORT', pairs: impossible.map((l) => ({ locationId: l.locationId, sku: l.sku })) };
  const written = await deps.allocations.reserveAndAllocate({
    order: decision.change.order,
    expectedVersion,
    shipments: decision.created,
    waitingSkus: decision.waitingSkus,
    noLongerWaitingSkus: decision.noLongerWaitingSkus,
    day: now.toISOString().slice(0, 10),
    reservations: reservations.map(({ reservation, minAvailable }) => ({ reservation, minAvailable })),
    ...(decisionRecord ? { decisionRecord } : {}),
    pickupSlots: slotTakesOf(parcels),
  });
  if (written.outcome === 'ALLOCATED') return { outcome: 'ALLOCATED', status: decision.change.order.status };
  // A shortage the write could not pin to a pair is an order that moved: read it again.
  if (written.outcome === 'SHORT' && written.pairs.length === 0) return { outcome: 'CONFLICT' };
  return written;
}

/**
 * The workflow's reserve step (the reservation function), for an attempt the fulfil step handed back PLANNED: the
 * rated parcels reserved and confirmed in one transaction when they fit, else in two phases (reserveParcels, then
 * confirmAllocation). A lost race for stock excludes the empty pairs and sends the attempt back to the fulfil step
 * (bounded), then confirms what it has and backorders the rest; an order that moved is read again and decided again.
 */
export async function reserveAndConfirm(deps: FulfillmentDeps, state: FulfillmentState): Promise<FulfillmentState> {
  let current = state.snapshot;
  for (let read = 0; read < MAX_READS; read++) {
    const { order, shipments } = current ?? (await loadOrder(deps, state.tenantId, state.orderId));
    const written = await reserveAndAllocate(deps, state, { order, shipments }, state.parcels, order.version, deps.clock.now());
    switch (written.outcome) {
      case 'SUPERSEDED':
        // A retry of this step after its own write finds its shipments in place; anyone else's order is not ours.
        return { ...state, snapshot: undefined, outcome: written.kept.length ? 'CONFIRMED' : 'STOPPED', status: written.status, parcels: [] };
      case 'ALLOCATED':
        return { ...state, snapshot: undefined, outcome: 'CONFIRMED', status: written.status, parcels: [] };
      case 'TOO_LARGE': {
        const reserved = await reserveParcels(deps, state);
        // Out of rounds in two phases too: confirm what the order already has, the rest waits as a backorder.
        if (reserved.outcome === 'GIVE_UP') return reserveAndConfirm(deps, { ...reserved, parcels: [], snapshot: { order, shipments } });
        if (reserved.outcome !== 'RESERVED') return reserved;
        const confirmed = await confirmAllocation(deps, reserved);
        return { ...state, snapshot: undefined, outcome: 'CONFIRMED', status: confirmed.status, parcels: [] };
      }
      case 'SLOTS_FULL':
        // Planned again by the fulfil step, which reads the stores' slots again (bounded by the rounds, as a shortage).
        if (state.rounds < MAX_ROUTING_ROUNDS) return { ...state, snapshot: undefined, outcome: 'RETRY', parcels: [] };
        return reserveAndConfirm(deps, { ...state, parcels: [], snapshot: { order, shipments } });
      case 'SHORT': {
        const excluded = [...state.excluded, ...written.pairs].slice(-MAX_EXCLUDED_PAIRS);
        if (state.rounds < MAX_ROUTING_ROUNDS) return { ...state, snapshot: undefined, excluded, outcome: 'RETRY', parcels: [] };
        // Out of rounds: what is left waits as a backorder; the order is confirmed with the shipments it already has.
        return reserveAndConfirm(deps, { ...state, excluded, parcels: [], snapshot: { order, shipments } });
      }
      case 'CONFLICT':
        current = undefined;
    }
  }
  throw new ConflictError(`Order ${state.orderId} kept changing while its allocation was confirmed`);
}

/**
 * Step 2 in two phases (an allocation too large for one transaction, and the tests of each phase): reserve every planned parcel (one reservation per parcel, idempotent by the parcel's reservation id). If
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
  const excluded = [...state.excluded, ...shortages].slice(-MAX_EXCLUDED_PAIRS);
  if (state.rounds >= MAX_ROUTING_ROUNDS) return { ...state, excluded, outcome: 'GIVE_UP', parcels: [] };
  return { ...state, excluded, outcome: 'RETRY', parcels: [] };
}

/** Step 3 (per parcel, in a Map): the carrier service the customer's preference picks, its cost, promise and CO2. */
export async function rateParcel(deps: Pick<FulfillmentDeps, 'settings' | 'clock'>, parcel: PlannedParcel): Promise<PlannedParcel> {
  const now = deps.clock.now();
  // The location's opening hours and handling decide when the parcel is ready (planned with the parcel); without: now.
  const ready = parcel.readyAt ? new Date(parcel.readyAt) : now;
  if (parcel.fulfillment !== 'ship') {
    // Picked up at the store: no carrier; ready for collection on the store's local day it is ready, by `readyBy`.
    const promisedDeliveryDate = parcel.originTimeZone ? localDateOf(ready, parcel.originTimeZone) : ready.toISOString().slice(0, 10);
    return { ...parcel, quote: { carrier: 'none', service: parcel.fulfillment, cost: 0, promisedDeliveryDate, ...(parcel.readyAt ? { readyBy: parcel.readyAt } : {}), co2Grams: 0 } };
  }
  const [table, maxExtra] = await Promise.all([deps.settings.rateTable(parcel.tenantId), deps.settings.vipFreeUpgradeMaxExtraCost(parcel.tenantId)]);
  const quotes = rateAllServices(table, { originLatLon: parcel.origin, destLatLon: parcel.destination, weightLb: Math.max(parcel.weightLb, 0.1), shipDate: ready, ...(parcel.originTimeZone ? { originTimeZone: parcel.originTimeZone } : {}) });
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
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  return confirmAgainst(deps, state, await loadOrder(deps, state.tenantId, state.orderId));
}

async function confirmAgainst(deps: FulfillmentDeps, state: FulfillmentState, { order, shipments }: OrderWithShipments): Promise<{ status: Order['status']; shipments: string[] }> {
  const decision = decideAllocation(order, shipments, state.attempt, state.parcels, state.explanation, deps.clock.now(), state.run);
  if (decision.kind === 'superseded') {
    await Promise.all(decision.release.map((reservationId) => releaseReservation(deps, { tenantId: state.tenantId, reservationId })));
    return { status: decision.status, shipments: decision.kept };
  }
  const { change } = decision;
  await deps.allocations.saveAllocation({
    order: change.order,
    expectedVersion: change.expectedVersion,
    shipments: decision.created,
    holdReservationIds: decision.created.map((s) => s.reservationId),
    waitingSkus: decision.waitingSkus,
    noLongerWaitingSkus: decision.noLongerWaitingSkus,
    day: change.order.updatedAt.slice(0, 10),
    pickupSlots: slotTakesOf(state.parcels),
  });
  return { status: change.order.status, shipments: decision.created.map((s) => s.shipmentId) };
}

/**
 * Errors whose message was written for merchants; any other error's text stays in the logs. Matched by the error type
 * Step Functions recorded (the class's own `name`, a string across the workflow boundary).
 */
const MERCHANT_SAFE_ERRORS: ReadonlySet<string> = new Set(['UnroutableDestinationError']);

/**
 * The order's reason for a failed attempt: a routing refusal the merchant can act on, in its own words; anything else
 * a plain sentence (the error itself is logged with the execution, for ops), never internal error text.
 */
export function failureReason(attempt: number, error: { Error?: string; Cause?: string } | undefined): string {
  if (error?.Error && MERCHANT_SAFE_ERRORS.has(error.Error)) return summariseCause(error.Cause).slice(0, 300);
  return `Routing attempt ${attempt} failed unexpectedly; ops were alerted and can re-drive the order`;
}

/**
 * The Catch path of an attempt: what it reserved and no shipment holds goes back, and the order becomes FAILED with a
 * merchant-safe reason (ops re-drive or cancel it), unless a later attempt owns it. Idempotent: a retry releases
 * nothing twice and finds the order FAILED.
 */
export async function markOrderFailed(
  deps: Pick<FulfillmentDeps, 'orders' | 'clock' | 'reservations' | 'channels'>,
  input: { tenantId: string; orderId: string; attempt: number; run?: string; parcels?: PlannedParcel[]; error?: { Error?: string; Cause?: string } },
): Promise<{ status: Order['status']; released: number }> {
  const { order, shipments } = await loadOrder(deps, input.tenantId, input.orderId);
  const held = new Set(shipments.map((s) => s.reservationId));
  const mine = (input.parcels ?? []).filter((p) => !held.has(p.reservationId));
  const released = await Promise.all(
    mine.map((p) => releaseReservation(deps, { tenantId: input.tenantId, reservationId: p.reservationId }).catch((error: unknown) => (error instanceof ReservationNotFoundError ? undefined : Promise.reject(error)))),
  );
  const decision = decideFailure(order, input.attempt, failureReason(input.attempt, input.error), deps.clock.now(), input.run);
  if (decision.kind !== 'fail') return { status: order.status, released: released.filter(Boolean).length };
  await deps.orders.commit(decision.change);
  return { status: 'FAILED', released: released.filter(Boolean).length };
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

