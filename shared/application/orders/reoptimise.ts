import type { Reservation } from '#domain/inventory/reservation';
import { pendingReservation } from '#domain/inventory/reservation';
import type { BatchAllocation, BatchPlan } from '#domain/routing/batch/types';
import { reservationLinesOf, type OrderChange } from '#domain/orders/change';
import type { Order } from '#domain/orders/order';
import { planParcels, requestedShipment, scopeContextOf, type PlannedParcel, type PlanInput } from '#domain/orders/planning';
import { allocateWindow, windowBatch, type OrderShare, type WindowBatch, type WindowEntry } from '#domain/orders/release-window';
import type { ExpectedDemand } from '#domain/routing/look-ahead';
import {
  allocationOf,
  decideMove,
  decideReoptimisation,
  listOrders,
  nextRound,
  reopenable,
  reoptimiseOf,
  REOPTIMISE_CANDIDATES,
  REOPTIMISE_LOOKBACK_MS,
  REOPTIMISE_MAX_ORDERS,
  withHeldUnits,
  type HeldUnits,
} from '#domain/orders/reoptimise';
import type { Shipment } from '#domain/orders/shipment';
import { selectRuleSet, type RoutingRules } from '#domain/routing/rules';
import type { ChannelStore } from '../ports.ts';
import { rateParcel, type FulfillmentDeps } from './fulfillment.ts';
import type { OrderStore } from './ports.ts';

/** Reads the candidates of a re-optimisation and writes a move, all or nothing. */
export interface ReoptimisationStore {
  /** The tenant's ALLOCATED orders created at or after `since`, newest first, at most `limit` (the status index). */
  recentAllocated(tenantId: string, since: Date, limit: number): Promise<Order[]>;
  /**
   * One order's move in one transaction: the order (guarded by its version), each cancelled shipment (guarded by its
   * status REQUESTED and version) with its reservation RELEASED, each new shipment with its reservation made under the
   * stock condition (`available >= n`). CONFLICT: something moved (a location accepted, a cancellation); SHORT: the
   * stock of a new shipment is gone. Either way nothing was written.
   */
  move(input: { change: OrderChange; reservations: Array<{ reservation: Reservation; minAvailable: number[] }> }): Promise<'MOVED' | 'CONFLICT' | 'SHORT'>;
}

export type ReoptimiseDeps = Pick<FulfillmentDeps, 'settings' | 'clock'> & { orders: OrderStore; channels: ChannelStore; reoptimisations: ReoptimisationStore };

type Networks = PlanInput['networks'];

/** What the release knows of its window when it asks whether to re-optimise: its plan, and how to plan any order. */
export interface WindowPlanning {
  tenantId: string;
  windowId: string;
  now: Date;
  rules: RoutingRules;
  /** The window's orders (ROUTING under the release, in memory) with their routing input over today's stock. */
  entries: ReadonlyArray<WindowEntry & { planInput: PlanInput }>;
  plan: BatchPlan;
  /** The window's SKUs: an allocated order that orders none of them cannot compete with it. */
  skuIds: ReadonlySet<string>;
  /** The channel's view of the SKU networks read so far (hold-backs applied). */
  networksOf(channel: string): Networks | undefined;
  /** Reads the weights and networks of more SKUs and channels (an allocated order's other SKUs, its channel). */
  extend(skus: readonly string[], channels: readonly string[]): Promise<void>;
  /** An order's routing input (destination, scope and rules resolved) over the given networks. */
  inputFor(order: Order, attempt: number, round: number, networks: Networks): Promise<PlanInput>;
  /** Look-ahead: the expected demand the window was priced with (after `extend`, its new SKUs too); none when off. */
  expectedDemand?(): ExpectedDemand | undefined;
}

/** An allocated order to move to its share of the joint plan. */
export interface PlannedMove {
  order: Order;
  shipments: Shipment[];
  parcels: PlannedParcel[];
  id: string;
  withOrders: string[];
  saving: number;
}

/** Why a window was or was not re-optimised (logged by the release, for ops). */
export interface ReoptimiseOutcome {
  /** Allocated orders planned jointly with the window (after the eligibility checks). */
  reopened: number;
  /** The joint plan's saving over keeping every allocation, when one was computed. */
  saving?: number;
  reason: string;
  applied?: Reoptimised;
}

export interface Reoptimised {
  /** The joint batch the plan solves (with look-ahead's prices when the window has them). */
  batch: WindowBatch;
  plan: BatchPlan;
  shares: Map<string, OrderShare>;
  moves: PlannedMove[];
  saving: number;
}

interface Reopened {
  order: Order;
  shipments: Shipment[];
  held: HeldUnits[];
  minSaving: number;
  planInput: PlanInput;
}

/**
 * Issue 17 step 3: the window planned jointly with the tenant's recent allocated orders that no location has accepted
 * yet (only those whose rule set enables `reoptimise`), their held units counted as free. Applied only when the joint
 * plan saves at least the largest `minSaving` of the reopened orders' rule sets over keeping every allocation (the
 * window planned alone plus every reopened order as it is); otherwise undefined and nothing changes. A reopened order
 * whose share would give back and take units of one location+SKU (one transaction cannot touch that stock item twice)
 * is kept as it is and the plan made again without it. Undefined when no rule set enables it (nothing is read).
 */
export async function reoptimiseWindow(deps: ReoptimiseDeps, window: WindowPlanning): Promise<ReoptimiseOutcome | undefined> {
  const { tenantId, now, rules } = window;
  // Off (no rule set enables it): nothing is read.
  if (!rules.ruleSets.some((rs) => rs.reoptimise?.enabled)) return undefined;
  const inWindow = new Set(window.entries.map((e) => e.order.orderId));
  const recent = (await deps.reoptimisations.recentAllocated(tenantId, new Date(now.getTime() - REOPTIMISE_LOOKBACK_MS), REOPTIMISE_CANDIDATES))
    .filter((o) => !inWindow.has(o.orderId) && o.lines.some((l) => window.skuIds.has(l.sku)))
    .slice(0, REOPTIMISE_MAX_ORDERS);
  if (!recent.length) return { reopened: 0, reason: 'no recent allocated order orders a SKU of the window' };
  await window.extend(recent.flatMap((o) => o.lines.map((l) => l.sku)), recent.map((o) => o.channel));
  const loaded = (await Promise.all(recent.map((o) => deps.orders.get(tenantId, o.orderId)))).filter((x) => x !== undefined);
  let reopened: Reopened[] = [];
  for (const { order, shipments } of loaded) {
    // An order the engine cannot plan today (an address off the map) keeps its allocation.
    const input = await window.inputFor(order, order.attempt, nextRound(order, shipments), window.networksOf(order.channel)!).catch(() => undefined);
    if (!input) continue;
    const categories = [...new Set(order.lines.flatMap((l) => (input.skus.get(l.sku)?.category ? [input.skus.get(l.sku)!.category!] : [])))];
    const ruleSet = selectRuleSet(rules, scopeContextOf(order, categories, input.scope));
    const setting = reoptimiseOf(ruleSet);
    if (!setting.enabled) continue;
    const open = reopenable(order, shipments, ruleSet, input.scope?.defaults);
    if (open.ok) reopened.push({ order, shipments, held: open.held, minSaving: setting.minSaving, planInput: input });
  }
  // Pinned orders keep their allocation; a conflict pins one more and plans again (at most once per reopened order).
  let reason = `none of ${loaded.length} recent allocated order(s) can be moved (accepted, or not eligible)`;
  for (let round = 0; reopened.length && round <= REOPTIMISE_MAX_ORDERS; round++) {
    const outcome = await jointPlan(window, reopened);
    if (outcome.kind === 'keep') return { reopened: reopened.length, ...(outcome.saving !== undefined ? { saving: outcome.saving } : {}), reason: outcome.reason };
    if (outcome.kind === 'pin') {
      reopened = reopened.filter((r) => r.order.orderId !== outcome.orderId);
      reason = `every reopened order was pinned (last: ${outcome.orderId}, ${outcome.why})`;
      continue;
    }
    return { reopened: reopened.length, saving: outcome.result.saving, reason: 'applied', applied: outcome.result };
  }
  return { reopened: 0, reason };
}

type JointOutcome = { kind: 'keep'; reason: string; saving?: number } | { kind: 'pin'; orderId: string; why: string } | { kind: 'apply'; result: Reoptimised };

async function jointPlan(window: WindowPlanning, reopened: readonly Reopened[]): Promise<JointOutcome> {
  const held = reopened.flatMap((r) => r.held);
  const freed = (channel: string) => withHeldUnits(window.networksOf(channel)!, held);
  // Every order planned over the stock with the reopened orders' units free again: the window's and the reopened ones.
  const windowEntries = window.entries.map((entry) => {
    const planInput = { ...entry.planInput, networks: freed(entry.order.channel) };
    const { record } = planParcels(planInput);
    return record ? { ...entry, record, planInput } : undefined;
  });
  if (windowEntries.some((e) => !e)) return { kind: 'keep', reason: 'a window order cannot be planned on the joint stock' };
  const reopenedEntries: Array<WindowEntry & { planInput: PlanInput; reopened: Reopened }> = [];
  for (const r of reopened) {
    const planInput = { ...r.planInput, networks: freed(r.order.channel) };
    const { record } = planParcels(planInput);
    if (!record) return { kind: 'pin', orderId: r.order.orderId, why: 'nothing to plan' };
    // A reopened order is a group of its own: its shipments are not joined with the window's parcels, so the plan must
    // not count a shared parcel it will not get.
    reopenedEntries.push({ order: { ...r.order, customer: { tier: r.order.customer.tier } }, record, planInput, reopened: r });
  }
  const entries = [...(windowEntries as Array<WindowEntry & { planInput: PlanInput }>), ...reopenedEntries];
  // Look-ahead prices the joint plan as the window's (on the joint stock: the reopened orders' units free again), and
  // both plans are costed with them, so the saving is the allocator's own objective.
  const batch = windowBatch(window.windowId, entries, window.rules, window.expectedDemand?.());
  const { plan, shares } = allocateWindow(batch, () => performance.now());
  const keep: BatchAllocation[] = [...window.plan.allocations, ...reopened.flatMap((r) => allocationOf(r.order.orderId, r.shipments))];
  const minSaving = Math.max(...reopened.map((r) => r.minSaving));
  const decision = decideReoptimisation({ batch, keep, joint: plan.allocations, reopened: reopened.map((r) => r.order.orderId), minSaving });
  if (!decision.apply) return { kind: 'keep', reason: decision.reason, saving: decision.saving };
  const windowIds = window.entries.map((e) => e.order.orderId);
  const moves: PlannedMove[] = [];
  for (const entry of reopenedEntries) {
    const { order, shipments } = entry.reopened;
    if (!decision.moved.includes(order.orderId)) continue;
    const own = planParcels({ ...entry.planInput, networks: shares.get(order.orderId) ?? [] });
    const planned = own.parcels.map((p) => requested(order, p, window.now));
    const move = decideMove({ order, shipments, planned, id: window.windowId, withOrders: windowIds, saving: decision.saving, now: window.now });
    if (move.kind === 'same-stock' || move.kind === 'accepted') return { kind: 'pin', orderId: order.orderId, why: move.kind };
    if (move.kind === 'move') moves.push({ order, shipments, parcels: own.parcels, id: window.windowId, withOrders: windowIds, saving: decision.saving });
  }
  if (!moves.length) return { kind: 'keep', reason: 'the engine routes every moved order as it is', saving: decision.saving };
  return { kind: 'apply', result: { batch, plan, shares, moves, saving: decision.saving } };
}

/** The first line of a window order's explanation when allocated orders were moved for the window. */
export function reoptimisedWindowLine(movedIds: readonly string[], saving: number): string {
  return `re-optimised together with ${listOrders(movedIds)} (allocated, not yet accepted): the joint plan saved $${saving.toFixed(2)}`;
}

/** A planned parcel as the REQUESTED shipment a move creates, as the fulfil step makes them. */
const requested = (order: Order, parcel: PlannedParcel, now: Date): Shipment => requestedShipment(order, parcel, now, 're-optimised with a released window');

/**
 * Writes one planned move: its new parcels rated by the carrier, the change decided again from the order as loaded,
 * and written in one transaction. Answers whether it was written; a move that lost a race (a location accepted, the
 * order changed, the stock went) writes nothing, and the order keeps its shipments.
 */
export async function applyMove(deps: ReoptimiseDeps, move: PlannedMove, now: Date): Promise<'MOVED' | 'CONFLICT' | 'SHORT' | 'UNCHANGED'> {
  const rated = await Promise.all(move.parcels.map((parcel) => rateParcel(deps, parcel)));
  const decision = decideMove({ order: move.order, shipments: move.shipments, planned: rated.map((p) => requested(move.order, p, now)), id: move.id, withOrders: move.withOrders, saving: move.saving, now });
  if (decision.kind !== 'move') return decision.kind === 'unchanged' ? 'UNCHANGED' : 'CONFLICT';
  const rule = await deps.channels.get(move.order.tenantId, move.order.channel);
  const reservations = decision.created.map((shipment) =>
    pendingReservation({ tenantId: move.order.tenantId, reservationId: shipment.reservationId, orderId: move.order.orderId, channel: move.order.channel, lines: reservationLinesOf(shipment) }, rule, now),
  );
  if (reservations.some((r) => r.impossible.length)) return 'SHORT';
  return deps.reoptimisations.move({ change: decision.change, reservations: reservations.map(({ reservation, minAvailable }) => ({ reservation, minAvailable })) });
}
