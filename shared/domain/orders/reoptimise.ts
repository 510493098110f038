/**
 * Re-optimisation (issue 17, step 3): shipments that are allocated but not yet accepted by their location are planned
 * again together with a newly released window, and moved when the whole saves at least the rule set's `minSaving`. A
 * shipment a location has accepted (or shipped) is never touched: an order takes part only while every one of its
 * shipments is still REQUESTED. Pure: the release loads what these need, calls them and writes what they return.
 *
 * Costs are the batch allocator's (the carrier cost model after the rule set: parcels, per-lb costs, preference
 * weights), so the saving compared with the threshold is the same number the joint plan minimised.
 */
import { resolveDefaults, type RuleSet } from '../routing/rules.ts';
import { unitShadowPrice } from '../routing/batch/model.ts';
import type { Batch, BatchAllocation } from '../routing/batch/types.ts';
import { activeShipments, allocationsOf } from './allocation.ts';
import { reservationMove, type OrderChange } from './change.ts';
import type { Order, Reoptimisation } from './order.ts';
import { applyShipmentAction, type Shipment } from './shipment.ts';

/** Orders allocated this long ago at most are looked at (a location accepts within hours; older ones are its work). */
export const REOPTIMISE_LOOKBACK_MS = 24 * 3600_000;
/** Allocated orders read per window at most (newest first), and of those, taken into the joint plan at most. */
export const REOPTIMISE_CANDIDATES = 25;
export const REOPTIMISE_MAX_ORDERS = 10;
/** Records kept on an order (the explanation keeps the latest line). */
const MAX_RECORDS = 20;

export interface ReoptimiseSettings {
  enabled: boolean;
  /** The least the joint plan must save over keeping every allocation as it is, in the cost model's dollars. */
  minSaving: number;
}

/** A rule set's re-optimisation setting; off unless the rule set enables it. */
export function reoptimiseOf(ruleSet: Pick<RuleSet, 'reoptimise'>): ReoptimiseSettings {
  return ruleSet.reoptimise?.enabled ? { enabled: true, minSaving: ruleSet.reoptimise.minSaving } : { enabled: false, minSaving: Number.POSITIVE_INFINITY };
}

export type Reopenable = { ok: true; held: HeldUnits[] } | { ok: false; reason: string };

export interface HeldUnits {
  locationId: string;
  sku: string;
  quantity: number;
}

/**
 * Whether an allocated order may be planned again: fully ALLOCATED, every active shipment still REQUESTED (no
 * location has accepted, shipped or rejected any), shipped (not a pickup), in no shared parcel, reserved from
 * unsharded stock; not a VIP; not under a split policy that limits parcels (the batch allocator does not enforce
 * those). Answers the units its shipments hold, which the joint plan may give to others.
 */
export function reopenable(order: Order, shipments: readonly Shipment[], ruleSet: RuleSet, defaults?: Parameters<typeof resolveDefaults>[2]): Reopenable {
  if (order.status !== 'ALLOCATED') return { ok: false, reason: `the order is ${order.status}` };
  if (order.customer.tier === 'vip') return { ok: false, reason: 'VIP orders are not moved' };
  if (order.lines.some((l) => l.fulfillment.type !== 'ship')) return { ok: false, reason: 'pickups are not moved' };
  const split = resolveDefaults(ruleSet, { splitPolicy: order.splitPolicy }, defaults).split;
  if (split.policy === 'single' || split.maxParcels !== undefined) return { ok: false, reason: `split policy ${split.policy} is routed per order` };
  const active = activeShipments(shipments);
  if (!active.length) return { ok: false, reason: 'no shipment' };
  for (const s of active) {
    if (s.status !== 'REQUESTED') return { ok: false, reason: `${s.shipmentId} is ${s.status}` };
    if (s.fulfillment !== 'ship') return { ok: false, reason: `${s.shipmentId} is a ${s.fulfillment}` };
    if (s.parcel) return { ok: false, reason: `${s.shipmentId} shares a parcel` };
    if (s.stockShards) return { ok: false, reason: `${s.shipmentId} holds sharded stock` };
  }
  const held = new Map<string, HeldUnits>();
  for (const s of active) {
    for (const l of s.lines) {
      const key = `${s.locationId}|${l.sku}`;
      const at = held.get(key) ?? held.set(key, { locationId: s.locationId, sku: l.sku, quantity: 0 }).get(key)!;
      at.quantity += l.quantity;
    }
  }
  return { ok: true, held: [...held.values()] };
}

type Network = { sku: string; locations: ReadonlyArray<{ locationId: string; available: number }> };

/** The SKU networks as if the reopened orders' held units were free again (the joint plan's stock). */
export function withHeldUnits<N extends Network>(networks: readonly N[], held: readonly HeldUnits[]): N[] {
  return networks.map((network) => {
    const mine = held.filter((h) => h.sku === network.sku);
    if (!mine.length) return network;
    const locations = network.locations.map((l) => ({ ...l }));
    for (const h of mine) {
      const at = locations.find((l) => l.locationId === h.locationId);
      if (at) at.available = Math.max(0, at.available) + h.quantity;
      else locations.push({ locationId: h.locationId, available: h.quantity });
    }
    return { ...network, locations };
  });
}

/** An order's allocation as the batch format states it (line, location, units). */
export function allocationOf(orderId: string, shipments: readonly Shipment[]): BatchAllocation[] {
  return allocationsOf(shipments).map((a) => ({ orderId, lineId: a.lineId, locationId: a.locationId, quantity: a.quantity }));
}

export interface PlanCost {
  /** Parcels + unit costs + look-ahead's shadow cost + the penalty of unfilled units: the batch allocator's objective. */
  cost: number;
  /** Parcels + unit costs. */
  shipping: number;
  unfilledUnits: number;
  /** Look-ahead: the shadow prices of the units taken (the batch's, or an order's own), when any. */
  shadow?: number;
}

/**
 * The batch allocator's objective for any allocation of the batch's orders: one parcel per (group, location) shipping
 * anything, per-lb unit costs, look-ahead's shadow prices (when the batch carries any), and the penalty of unfilled units. An allocation from a location without a cost entry
 * for its order costs infinitely much (the plan is not one the rules allow).
 */
export function planCost(batch: Batch, allocations: readonly BatchAllocation[]): PlanCost {
  const orders = new Map(batch.orders.map((o) => [o.orderId, o]));
  const parcels = new Set<string>();
  let shipping = 0;
  let shadow = 0;
  const filled = new Map<string, number>();
  for (const a of allocations) {
    const order = orders.get(a.orderId);
    const line = order?.lines.find((l) => l.lineId === a.lineId);
    const cost = order?.costs[a.locationId];
    if (!order || !line || !cost || a.quantity <= 0) return { cost: Number.POSITIVE_INFINITY, shipping: Number.POSITIVE_INFINITY, unfilledUnits: 0 };
    const parcel = `${order.groupKey}\u0000${a.locationId}`;
    if (!parcels.has(parcel)) {
      parcels.add(parcel);
      shipping += cost.shipmentCost;
    }
    shipping += cost.unitCost * line.weightLb * a.quantity;
    shadow += unitShadowPrice(batch, order, a.locationId, line.sku) * a.quantity;
    const key = `${a.orderId}\u0000${a.lineId}`;
    filled.set(key, (filled.get(key) ?? 0) + a.quantity);
  }
  let unfilledUnits = 0;
  for (const order of batch.orders) for (const line of order.lines) unfilledUnits += Math.max(0, line.quantity - (filled.get(`${order.orderId}\u0000${line.lineId}`) ?? 0));
  return { cost: shipping + shadow + batch.unfilledPenalty * unfilledUnits, shipping, unfilledUnits, ...(shadow > 0 ? { shadow } : {}) };
}

export type ReoptimiseDecision = { apply: true; saving: number; moved: string[] } | { apply: false; saving: number; reason: string };

const cents = (n: number) => Math.round(n * 100) / 100;

/**
 * Whether the joint plan is applied: only when it moves some reopened order, leaves no more units unfilled than
 * keeping every allocation, and saves at least `minSaving` (both costed on the same batch, so the comparison is the
 * allocator's own objective). A saving below the threshold changes nothing.
 */
export function decideReoptimisation(input: {
  batch: Batch;
  /** Today's allocation: the window planned alone, plus every reopened order as it is allocated now. */
  keep: readonly BatchAllocation[];
  joint: readonly BatchAllocation[];
  reopened: readonly string[];
  minSaving: number;
}): ReoptimiseDecision {
  const keep = planCost(input.batch, input.keep);
  const joint = planCost(input.batch, input.joint);
  const moved = input.reopened.filter((orderId) => !sameAllocation(input.keep.filter((a) => a.orderId === orderId), input.joint.filter((a) => a.orderId === orderId)));
  if (!Number.isFinite(joint.cost)) return { apply: false, saving: 0, reason: 'the joint plan is not one the rules allow' };
  if (!Number.isFinite(keep.cost)) return { apply: false, saving: 0, reason: 'a reopened order\'s allocation is not priced by its rules today' };
  const saving = cents(keep.cost - joint.cost);
  if (!moved.length) return { apply: false, saving, reason: 'the joint plan moves no allocated order' };
  if (joint.unfilledUnits > keep.unfilledUnits) return { apply: false, saving, reason: 'the joint plan leaves more units unfilled' };
  if (!(saving >= input.minSaving) || saving <= 0) return { apply: false, saving, reason: `saves $${saving.toFixed(2)}, below the threshold of $${input.minSaving.toFixed(2)}` };
  return { apply: true, saving, moved };
}

/** Two allocations of one order give the same units of each line from the same locations. */
export function sameAllocation(a: readonly BatchAllocation[], b: readonly BatchAllocation[]): boolean {
  const sum = (list: readonly BatchAllocation[]) => {
    const m = new Map<string, number>();
    for (const x of list) m.set(`${x.lineId}\u0000${x.locationId}`, (m.get(`${x.lineId}\u0000${x.locationId}`) ?? 0) + x.quantity);
    return m;
  };
  const [ma, mb] = [sum(a), sum(b)];
  return ma.size === mb.size && [...ma].every(([k, v]) => mb.get(k) === v);
}

/** The units of each SKU that leave one location for another, from two allocations of one order (in words for people). */
export function unitMoves(before: readonly Shipment[], after: ReadonlyArray<Pick<Shipment, 'locationId' | 'lines'>>): Reoptimisation['moves'] {
  const net = new Map<string, Map<string, number>>();
  const add = (list: ReadonlyArray<Pick<Shipment, 'locationId' | 'lines'>>, sign: number) => {
    for (const s of list) for (const l of s.lines) {
      const bySku = net.get(l.sku) ?? net.set(l.sku, new Map()).get(l.sku)!;
      bySku.set(s.locationId, (bySku.get(s.locationId) ?? 0) + sign * l.quantity);
    }
  };
  add(before, -1);
  add(after, 1);
  const moves: Reoptimisation['moves'] = [];
  for (const [sku, bySku] of [...net].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const from = [...bySku].filter(([, q]) => q < 0).map(([locationId, q]) => ({ locationId, left: -q })).sort((a, b) => (a.locationId < b.locationId ? -1 : 1));
    const to = [...bySku].filter(([, q]) => q > 0).map(([locationId, q]) => ({ locationId, left: q })).sort((a, b) => (a.locationId < b.locationId ? -1 : 1));
    for (const f of from) {
      for (const t of to) {
        const quantity = Math.min(f.left, t.left);
        if (quantity <= 0) continue;
        moves.push({ sku, quantity, fromLocationId: f.locationId, toLocationId: t.locationId });
        f.left -= quantity;
        t.left -= quantity;
      }
    }
  }
  return moves;
}

/** "moved 2 x TEE from olean-wh to reno-wh", every move of the order. */
export function describeMoves(moves: Reoptimisation['moves']): string {
  return moves.length ? moves.map((m) => `moved ${m.quantity} x ${m.sku} from ${m.fromLocationId} to ${m.toLocationId}`).join(', ') : 'its shipments were re-planned';
}

/** Lists up to five order ids, then how many more. */
export function listOrders(ids: readonly string[]): string {
  return ids.slice(0, 5).join(', ') + (ids.length > 5 ? ` and ${ids.length - 5} more` : '');
}

export type MoveDecision =
  | { kind: 'move'; change: OrderChange; created: Shipment[]; record: Reoptimisation }
  | { kind: 'unchanged' }
  /** A shipment the move would change is no longer REQUESTED (a location accepted it): never touched. */
  | { kind: 'accepted'; shipmentId: string }
  /** The new plan takes and gives back units of one location+SKU: one transaction cannot touch that stock item twice. */
  | { kind: 'same-stock'; locationId: string; sku: string };

/**
 * The move of one reopened order to its share of the joint plan: each REQUESTED shipment whose location and lines are
 * not exactly planned again is cancelled (its reservation RELEASED), each planned parcel not already a shipment is
 * requested (its reservation is made in the same transaction by the writer), the order's allocations follow, and the
 * order says what moved and why ("re-optimised with o_..., moved 2 x TEE from L1 to L2, saved $3.10"). Written in one
 * transaction guarded by the order's version and every cancelled shipment's status and version: a location that
 * accepted meanwhile makes the whole move fail, never half of it.
 */
export function decideMove(input: {
  order: Order;
  shipments: readonly Shipment[];
  /** The order's new shipments, as the per-order engine planned them over its share and the carrier rated them. */
  planned: readonly Shipment[];
  id: string;
  withOrders: readonly string[];
  saving: number;
  now: Date;
}): MoveDecision {
  const { order, now } = input;
  const at = now.toISOString();
  const active = activeShipments(input.shipments);
  const key = (s: Pick<Shipment, 'locationId' | 'lines'>) =>
    `${s.locationId}|${[...s.lines].map((l) => `${l.lineId}:${l.sku}:${l.quantity}`).sort().join(',')}`;
  const plannedKeys = new Map<string, Shipment[]>();
  for (const p of input.planned) (plannedKeys.get(key(p)) ?? plannedKeys.set(key(p), []).get(key(p))!).push(p);
  const kept: Shipment[] = [];
  const dropped: Shipment[] = [];
  for (const s of active) {
    const same = plannedKeys.get(key(s));
    if (same?.length) {
      same.pop();
      kept.push(s);
    } else dropped.push(s);
  }
  const created = [...plannedKeys.values()].flat();
  if (!dropped.length && !created.length) return { kind: 'unchanged' };
  const taken = active.find((s) => s.status !== 'REQUESTED');
  if (taken) return { kind: 'accepted', shipmentId: taken.shipmentId };
  const released = new Set(dropped.flatMap((s) => s.lines.map((l) => `${s.locationId}|${l.sku}`)));
  for (const s of created) {
    for (const l of s.lines) if (released.has(`${s.locationId}|${l.sku}`)) return { kind: 'same-stock', locationId: s.locationId, sku: l.sku };
  }
  const moves = unitMoves(dropped, created);
  const saved = cents(input.saving);
  const line = `re-optimised with ${listOrders(input.withOrders)}: ${describeMoves(moves)}, saved $${saved.toFixed(2)}`;
  const cancelled = dropped.map((s) => applyShipmentAction(s, 'cancel', now, { reason: `re-optimised with ${listOrders(input.withOrders)}: its units are now planned ${describeMoves(unitMoves([s], created))}` }));
  const record: Reoptimisation = {
    id: input.id,
    at,
    withOrders: [...input.withOrders],
    moves,
    saved,
    cancelledShipmentIds: dropped.map((s) => s.shipmentId),
    requestedShipmentIds: created.map((s) => s.shipmentId),
  };
  const allocations = allocationsOf([...kept, ...created]);
  const explanation = [line, ...(order.routing?.explanation ?? [])].slice(0, 60);
  const next: Order = {
    ...order,
    allocations,
    routing: { attempt: order.routing?.attempt ?? order.attempt, decidedAt: order.routing?.decidedAt ?? at, explanation },
    reoptimised: [...(order.reoptimised ?? []), record].slice(-MAX_RECORDS),
    updatedAt: at,
    version: order.version + 1,
  };
  return {
    kind: 'move',
    change: { order: next, expectedVersion: order.version, shipments: [...cancelled, ...created], reservations: dropped.map((s) => reservationMove(s, 'RELEASED')) },
    created,
    record,
  };
}

/** The next routing round of the order's current attempt: new shipment ids never collide with earlier ones. */
export function nextRound(order: Pick<Order, 'attempt'>, shipments: readonly Pick<Shipment, 'shipmentId'>[]): number {
  let round = 0;
  for (const s of shipments) {
    const m = /-S(\d+)-(\d+)-\d+$/.exec(s.shipmentId);
    if (m && Number(m[1]) === order.attempt) round = Math.max(round, Number(m[2]));
  }
  return round + 1;
}
