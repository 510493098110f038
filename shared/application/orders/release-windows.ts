import { boundedExplanation, planParcels, type PlannedParcel } from '#domain/orders/planning';
import type { Order } from '#domain/orders/order';
import type { OrderChange } from '#domain/orders/change';
import {
  allocateWindow,
  consolidationKey,
  decideConsolidation,
  dueWindow,
  MAX_WINDOW_ORDERS,
  RELEASE_LEASE_MS,
  releaseExplanation,
  releaseStart,
  windowBatch,
  windowShadowCost,
  type OrderShare,
  type ParcelToShare,
  type WindowEntry,
} from '#domain/orders/release-window';
import type { ExpectedDemand } from '#domain/routing/look-ahead';
import type { RoutingRules } from '#domain/routing/rules';
import { getSkuNetwork } from '../inventory/stock-queries.ts';
import { routingScopeOf } from '../routing/routing-scope.ts';
import { rateParcel, reserveAndAllocate, type FulfillmentDeps, type FulfillmentState } from './fulfillment.ts';
import type { StuckOrderFinder } from './fulfillment-ports.ts';
import { loadOrder, startFulfillment, type LifecycleDeps } from './lifecycle.ts';
import { applyMove, reoptimisedWindowLine, reoptimiseWindow, type PlannedMove, type ReoptimisationStore, type ReoptimiseOutcome } from './reoptimise.ts';
import { destinationOf } from './release-hold.ts';

/** A window is claimed once: the first release to put its claim (or to find the last claim's lease run out) takes it. */
export interface ReleaseClaims {
  claim(tenantId: string, windowId: string, now: Date, until: Date): Promise<boolean>;
}

/** Writes the consolidation of a group's shipments: every order (guarded by its version) and its shipments, all or nothing. */
export interface ConsolidationWriter {
  commitAll(changes: readonly OrderChange[]): Promise<boolean>;
}

export type ReleaseDeps = FulfillmentDeps &
  LifecycleDeps & {
    stuck: Pick<StuckOrderFinder, 'tenantIds' | 'stuck'>;
    claims: ReleaseClaims;
    consolidations: ConsolidationWriter;
    /** Issue 17 step 3: without it (or without a rule set enabling `reoptimise`), allocated orders are never moved. */
    reoptimisations?: ReoptimisationStore;
  };

/** One release run keeps taking further due windows (MAX_WINDOW_ORDERS orders each) for at most this long. */
const RELEASE_BUDGET_MS = 30_000;
/** Orders of a window written at once. */
const WRITE_CONCURRENCY = 8;

export interface WindowRelease {
  outcome: 'none-due' | 'claimed-elsewhere' | 'released';
  windowId?: string;
  /** Orders allocated by the window's joint plan. */
  allocated: number;
  /** Orders the joint write could not take (stock taken meanwhile, the order moved, too large): routed alone by the workflow. */
  handedOff: number;
  /** Shipments that now travel in a parcel shared with another order of the same customer and address. */
  consolidated: number;
  /** Allocated orders whose unaccepted shipments were moved by re-optimisation with this window. */
  reoptimised?: number;
  /** What re-optimisation considered and why it applied or not (absent when no rule set enables it). */
  reoptimisation?: Omit<ReoptimiseOutcome, 'applied'>;
}

export interface ReleaseResult {
  tenants: number;
  windows: number;
  allocated: number;
  handedOff: number;
  consolidated: number;
  reoptimised: number;
  /** Per window that considered re-optimisation: what it found (for the release's log). */
  reoptimisations: Array<{ tenantId: string; windowId: string } & Omit<ReoptimiseOutcome, 'applied'>>;
  failed: Array<{ tenantId: string; error: unknown }>;
}

/** The scheduled release, every minute: each tenant's due window, claimed, allocated together. One tenant's failure stops no other. */
export async function releaseWindows(deps: ReleaseDeps): Promise<ReleaseResult> {
  const tenants = await deps.stuck.tenantIds();
  const result: ReleaseResult = { tenants: tenants.length, windows: 0, allocated: 0, handedOff: 0, consolidated: 0, reoptimised: 0, reoptimisations: [], failed: [] };
  // A backlog larger than one window (a burst, a restart) is taken window after window while the run's budget lasts;
  // every tenant's first due window is taken in any case (the function's timeout is twice the budget).
  const started = deps.clock.now().getTime();
  for (const tenantId of tenants) {
    try {
      for (;;) {
        const released = await releaseTenantWindow(deps, tenantId);
        if (released.outcome !== 'released') break;
        result.windows++;
        result.allocated += released.allocated;
        result.handedOff += released.handedOff;
        result.consolidated += released.consolidated;
        result.reoptimised += released.reoptimised ?? 0;
        if (released.reoptimisation) result.reoptimisations.push({ tenantId, windowId: released.windowId!, ...released.reoptimisation });
        if (deps.clock.now().getTime() - started > RELEASE_BUDGET_MS) break;
      }
    } catch (error) {
      result.failed.push({ tenantId, error });
    }
  }
  return result;
}

/**
 * One tenant's due window: read its waiting orders (one query of the status index), claim the window (one conditional
 * put), plan every order's candidates over the shared stock, allocate them together (batch allocator), and write each
 * order's allocation in its own transaction with the same guarded stock conditions as the fulfil step (never
 * oversell; a window too large for one transaction is split by group, and a group is one order here). What a write
 * cannot take goes to the workflow as a claimed attempt of its own, after its window: it is never held again.
 * A crash after the claim leaves the orders WAITING_RELEASE: the next release takes them once the claim's lease has
 * run out, or the sweeper re-drives each alone once the window is overdue.
 */
export async function releaseTenantWindow(deps: ReleaseDeps, tenantId: string): Promise<WindowRelease> {
  const now = deps.clock.now();
  // Waiting orders, oldest first; the window's orders are among the first MAX_WINDOW_ORDERS (waits are at most an hour).
  const waiting = await deps.stuck.stuck(tenantId, ['WAITING_RELEASE'], new Date(now.getTime() + 24 * 3600_000), MAX_WINDOW_ORDERS);
  const window = dueWindow(waiting, now);
  if (!window) return { outcome: 'none-due', allocated: 0, handedOff: 0, consolidated: 0 };
  if (!(await deps.claims.claim(tenantId, window.windowId, now, new Date(now.getTime() + RELEASE_LEASE_MS)))) {
    return { outcome: 'claimed-elsewhere', windowId: window.windowId, allocated: 0, handedOff: 0, consolidated: 0 };
  }
  const planned = await planWindow(deps, tenantId, window.windowId, window.orders, now);
  // Moves first, one order per transaction: the window's orders are written over the stock they free. A move that
  // lost a race (a location accepted meanwhile) writes nothing; a window order whose share needed its units then finds
  // them taken and is routed alone, like any order whose stock went.
  // A move whose new stock another move frees is tried again after the others (a refused move wrote nothing).
  const movedIds: string[] = [];
  const store = deps.reoptimisations;
  let pending = store ? planned.moves : [];
  for (let pass = 0; pass < 3 && pending.length; pass++) {
    const short: PlannedMove[] = [];
    for (const move of pending) {
      const outcome = await applyMove({ ...deps, reoptimisations: store! }, move, now).catch(() => 'CONFLICT' as const);
      if (outcome === 'MOVED') movedIds.push(move.order.orderId);
      else if (outcome === 'SHORT') short.push(move);
    }
    if (short.length === pending.length) break;
    pending = short;
  }
  const reoptimised = movedIds.length;
  // The window's orders say so only when a move was written (the plan's saving, the orders actually moved).
  const reoptimisedLine = reoptimised ? reoptimisedWindowLine(movedIds, planned.reoptimisation?.saving ?? 0) : undefined;
  const toWrite = reoptimisedLine ? planned.orders.map((entry) => ({ ...entry, explanation: boundedExplanation([reoptimisedLine, ...entry.explanation]) })) : planned.orders;
  const handOff: string[] = [...planned.handOff];
  const allocated: PlannedOrder[] = [];
  await inPool(toWrite, WRITE_CONCURRENCY, async (entry) => {
    const written = await writeOrder(deps, entry, now).catch(() => 'HAND_OFF' as const);
    if (written === 'ALLOCATED') allocated.push(entry);
    else if (written === 'HAND_OFF') handOff.push(entry.order.orderId);
  });
  let consolidated = 0;
  for (const group of groupsOf(allocated)) {
    // Best effort after the allocations: a group that cannot be joined (a shipment accepted meanwhile, a lost race,
    // a crash) ships as separate parcels, each already correct on its own.
    consolidated += await consolidate(deps, tenantId, group, now).catch(() => 0);
  }
  let handedOff = 0;
  for (const orderId of handOff) {
    const outcome = await startFulfillment(deps, { tenantId, orderId, correlationId: `release-${window.windowId}-${orderId}`, reason: 'released with its window, routed alone', force: true });
    if (outcome === 'started') handedOff++;
  }
  return { outcome: 'released', windowId: window.windowId, allocated: allocated.length, handedOff, consolidated, reoptimised, ...(planned.reoptimisation ? { reoptimisation: planned.reoptimisation } : {}) };
}

async function inPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

/** The allocated orders of one customer to one address (two or more), in release order. */
function groupsOf(allocated: readonly PlannedOrder[]): PlannedOrder[][] {
  const groups = new Map<string, PlannedOrder[]>();
  for (const entry of allocated) {
    const key = consolidationKey(entry.order);
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(entry);
  }
  return [...groups.values()].filter((g) => g.length > 1).map((g) => g.sort((a, b) => (a.order.releaseAt ?? '') < (b.order.releaseAt ?? '') ? -1 : 1));
}

/**
 * A group's shipments from one location become one parcel when that is cheaper: the parcel is rated as one (the units
 * of all, their weight summed), compared with the quotes they were allocated with, and written in one transaction with
 * every order of the group guarded by its version. Answers the shipments joined.
 */
async function consolidate(deps: ReleaseDeps, tenantId: string, group: readonly PlannedOrder[], now: Date): Promise<number> {
  const loaded = await Promise.all(group.map((entry) => loadOrder(deps, tenantId, entry.order.orderId)));
  const mine = new Set(group.flatMap((entry) => entry.parcels.map((p) => p.reservationId)));
  const byLocation = new Map<string, PlannedParcel[]>();
  for (const entry of group) for (const parcel of entry.parcels) if (parcel.fulfillment === 'ship') (byLocation.get(parcel.locationId) ?? byLocation.set(parcel.locationId, []).get(parcel.locationId)!).push(parcel);
  const parcels: ParcelToShare[] = [];
  for (const [locationId, shared] of byLocation) {
    if (new Set(shared.map((p) => p.orderId)).size < 2) continue;
    const combined = await rateParcel(deps, {
      ...shared[0]!,
      lines: shared.flatMap((p) => p.lines),
      weightLb: Math.round(shared.reduce((sum, p) => sum + p.weightLb, 0) * 100) / 100,
    });
    parcels.push({ locationId, shipmentIds: shared.map((p) => p.reservationId), combined: combined.quote! });
  }
  if (!parcels.length) return 0;
  const decision = decideConsolidation(
    loaded.map(({ order, shipments }) => ({ order, shipments: shipments.filter((s) => mine.has(s.shipmentId)) })),
    parcels,
    now,
  );
  if (!decision) return 0;
  return (await deps.consolidations.commitAll(decision.changes)) ? decision.changes.reduce((sum, c) => sum + c.shipments.length, 0) : 0;
}

interface PlannedOrder {
  order: Order;
  attempt: number;
  run: string;
  expectedVersion: number;
  parcels: PlannedParcel[];
  explanation: string[];
}

/** Every order's candidates over the shared stock, the joint plan, and each order's parcels from its share of it. */
async function planWindow(deps: ReleaseDeps, tenantId: string, windowId: string, waiting: readonly Order[], now: Date): Promise<{ orders: PlannedOrder[]; handOff: string[]; moves: PlannedMove[]; reoptimisation?: Omit<ReoptimiseOutcome, 'applied'> }> {
  const skuIds = [...new Set(waiting.flatMap((o) => o.lines.map((l) => l.sku)))];
  const channels = [...new Set(waiting.map((o) => o.channel))];
  const day = now.toISOString().slice(0, 10);
  const [skus, locations, rules, rateTable, shippedToday, settings, networks] = await Promise.all([
    deps.network.skus(tenantId, skuIds),
    deps.network.locations(tenantId),
    deps.settings.routingRules(tenantId),
    deps.settings.rateTable(tenantId),
    deps.network.shipmentsToday(tenantId, day),
    deps.settings.routingSettings?.(tenantId) ?? { customRegions: [] },
    Promise.all(channels.map(async (channel) => [channel, await getSkuNetwork({ networks: deps.networks, channels: deps.channels }, tenantId, skuIds, channel)] as const)),
  ]);
  const networkOf = new Map(networks);
  // Look-ahead (issue 17 step 4): the window's expected demand, read once for all its SKUs through the fulfil step's
  // cache (an hour per tenant and SKU), and only when a rule set enables look-ahead; it overlaps the planning below.
  const expectedFor = (more: readonly string[]) => (more.length ? lookAheadDemand(deps, tenantId, rules, more, day) : Promise.resolve(undefined));
  const expectedRead = expectedFor(skuIds);
  let expected: ExpectedDemand | undefined;
  // Re-optimisation may bring allocated orders with SKUs or channels the window has not: read those on demand.
  const known = new Set(skuIds);
  const extend = async (moreSkus: readonly string[], moreChannels: readonly string[]): Promise<void> => {
    const fresh = [...new Set(moreSkus)].filter((sku) => !known.has(sku));
    const store = { networks: deps.networks, channels: deps.channels };
    if (fresh.length) {
      for (const [id, sku] of await deps.network.skus(tenantId, fresh)) skus.set(id, sku);
      for (const [channel, views] of [...networkOf]) networkOf.set(channel, [...views, ...(await getSkuNetwork(store, tenantId, fresh, channel))]);
      for (const sku of fresh) known.add(sku);
    }
    for (const channel of new Set(moreChannels)) if (!networkOf.has(channel)) networkOf.set(channel, await getSkuNetwork(store, tenantId, [...known], channel));
    // Their expected demand too (one more read through the cache), when the window's was read.
    const more = expected ? await expectedFor(fresh) : undefined;
    if (expected && more) expected = mergeDemand(expected, more);
  };
  const handOff: string[] = [];
  const entries: Array<WindowEntry & { start: Extract<ReturnType<typeof releaseStart>, { kind: 'continue' }>; planInput: Parameters<typeof planParcels>[0] }> = [];
  const inputFor = async (order: Order, attempt: number, round: number, networks: Parameters<typeof planParcels>[0]['networks']): Promise<Parameters<typeof planParcels>[0]> => {
    const destination = await destinationOf(deps, order);
    const scope = await routingScopeOf(deps, order, destination, locations, settings);
    return { order, shipments: [], attempt, round, excluded: [], skus, locations, networks, rules, scope, rateTable, destination, shippedToday, now, clockMs: () => performance.now() };
  };
  for (const order of waiting) {
    const start = releaseStart(order, windowId, now);
    if (start.kind === 'stop') continue;
    try {
      const planInput = await inputFor(start.order, start.attempt, 1, networkOf.get(order.channel)!);
      const { record } = planParcels(planInput);
      if (!record) handOff.push(order.orderId);
      else entries.push({ order, record, start, planInput });
    } catch {
      // An order the engine cannot plan (an address off the map, no carrier): the workflow fails it with its reason.
      handOff.push(order.orderId);
    }
  }
  expected = await expectedRead;
  if (!entries.length) return { orders: [], handOff, moves: [] };
  let batch = windowBatch(windowId, entries, rules, expected);
  let { plan, shares } = allocateWindow(batch, () => performance.now());
  // Issue 17 step 3: planned again with the tenant's allocated, not yet accepted orders when that saves enough.
  const considered = deps.reoptimisations
    ? await reoptimiseWindow({ ...deps, reoptimisations: deps.reoptimisations }, {
        tenantId,
        windowId,
        now,
        rules,
        entries: entries.map(({ start, order: _order, ...rest }) => ({ ...rest, order: start.order })),
        plan,
        skuIds: new Set(skuIds),
        networksOf: (channel) => networkOf.get(channel),
        extend,
        inputFor,
        expectedDemand: () => expected,
      })
    : undefined;
  const reoptimised = considered?.applied;
  if (reoptimised) ({ plan, shares, batch } = reoptimised);
  const ids = entries.map((e) => e.order.orderId);
  // With look-ahead the window's line gives its money and its shadow cost apart; each order is routed over its share
  // with the prices it met in the window, so its explanation shows them as one order's does.
  const shadowCost = batch.lookAhead ? windowShadowCost(batch, plan.allocations) : undefined;
  const orders = entries.map(({ order, start, planInput }): PlannedOrder => {
    // The order routed by the per-order engine over exactly its share: the same parcels, explanation and rules.
    const share: OrderShare = shares.get(order.orderId) ?? [];
    const prices = batch.lookAhead?.get(order.orderId);
    const own = planParcels({ ...planInput, networks: share, ...(prices ? { shadowPrices: prices } : {}) });
    for (const locationId of own.plannedAt) deps.network.notePlanned(tenantId, day, locationId);
    return {
      order: start.order,
      attempt: start.attempt,
      run: start.run,
      expectedVersion: start.expectedVersion,
      parcels: own.parcels,
      explanation: boundedExplanation([...releaseExplanation(order, ids, plan, now, shadowCost, batch.orders.length), ...own.explanation]),
    };
  });
  if (!considered) return { orders, handOff, moves: [] };
  const { applied: _applied, ...reoptimisation } = considered;
  return { orders, handOff, moves: reoptimised?.moves ?? [], reoptimisation };
}

/**
 * Look-ahead's expected demand for the window's SKUs, through the fulfil step's cached reader; none unless a rule set
 * enables look-ahead. It only refines the cost model: if it cannot be read, the window is allocated without it.
 */
async function lookAheadDemand(deps: ReleaseDeps, tenantId: string, rules: RoutingRules, skus: readonly string[], day: string): Promise<ExpectedDemand | undefined> {
  if (!deps.settings.expectedDemand || !rules.ruleSets.some((rs) => rs.lookAhead?.enabled)) return undefined;
  return deps.settings.expectedDemand(tenantId, skus, day).catch(() => undefined);
}

function mergeDemand(a: ExpectedDemand, b: ExpectedDemand): ExpectedDemand {
  const out: Record<string, Record<string, number>> = {};
  for (const d of [a, b]) for (const [locationId, rates] of Object.entries(d)) Object.assign((out[locationId] ??= {}), rates);
  return out;
}

/** One order's allocation, rated and written in one transaction (reservations with guarded stock, shipments, order). */
async function writeOrder(deps: ReleaseDeps, planned: PlannedOrder, now: Date): Promise<'ALLOCATED' | 'HAND_OFF' | 'MOVED'> {
  const rated = await Promise.all(planned.parcels.map((parcel) => rateParcel(deps, parcel)));
  const state: FulfillmentState = {
    tenantId: planned.order.tenantId,
    orderId: planned.order.orderId,
    channel: planned.order.channel,
    attempt: planned.attempt,
    correlationId: planned.run,
    run: planned.run,
    excluded: [],
    rounds: 1,
    outcome: 'PLANNED',
    parcels: [],
    explanation: planned.explanation,
  };
  const written = await reserveAndAllocate(deps, state, { order: planned.order, shipments: [] }, rated, planned.expectedVersion, now);
  if (written.outcome === 'ALLOCATED') return 'ALLOCATED';
  // SUPERSEDED cannot happen (the order is ROUTING under this release in memory); the others mean: route it alone.
  return written.outcome === 'CONFLICT' || written.outcome === 'SHORT' || written.outcome === 'TOO_LARGE' ? 'HAND_OFF' : 'MOVED';
}
