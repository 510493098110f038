/**
 * Routing attempts (pure). Each workflow execution routes one attempt of an order, numbered; the order records the
 * attempt that owns it, and a step of an older attempt may no longer write it. Attempt 1 is started by OrderAccepted
 * without a read (the happy path); every later attempt is *claimed* on the order first (the order moves to ROUTING with
 * the new number and its execution name, under a version condition), then started. So two triggers (a stock change
 * and a rejection, or a sweeper and an ops retry) claim one attempt, and no name is ever used twice: names kept by
 * Step Functions (90 days on AWS) cannot collide with a new attempt.
 */
import { allocationsOf } from './allocation.ts';
import type { OrderChange } from './change.ts';
import { IN_FLIGHT_STATUSES, transition, unallocatedLines, type Order, type OrderStatus } from './order.ts';
import type { Shipment } from './shipment.ts';

/** The execution that routes attempt `attempt` of an order. */
export function executionName(orderId: string, attempt: number): string {
  return `${orderId}-${attempt}`;
}

/**
 * A step of attempt `attempt` (run `run`) may write the order only while no later attempt has been claimed or started,
 * and no other run of the same attempt has taken it. Steps that do not know their run (tests, older executions) are
 * judged by the attempt alone.
 */
export function ownsOrder(order: Pick<Order, 'attempt' | 'execution'>, attempt: number, run?: string): boolean {
  if (order.attempt > attempt) return false;
  return !(order.attempt === attempt && run !== undefined && order.execution !== undefined && order.execution !== run);
}

/** Statuses from which a new attempt may start on its own (new stock, a rejected pick). */
const RESTARTABLE: ReadonlySet<OrderStatus> = new Set(['ACCEPTED', 'BACKORDERED', 'PARTIALLY_ALLOCATED', 'ALLOCATED']);
/** Runs an order remembers (the ops console shows their histories); older ones are dropped first. */
export const MAX_RECORDED_RUNS = 20;

/** The order with `run` in its recorded runs (once; the oldest dropped past MAX_RECORDED_RUNS). */
export function recordRun<T extends Pick<Order, 'runs'>>(order: T, attempt: number, run: string | undefined, at: Date): T {
  if (run === undefined || (order.runs ?? []).some((r) => r.execution === run)) return order;
  return { ...order, runs: [...(order.runs ?? []), { attempt, execution: run, at: at.toISOString() }].slice(-MAX_RECORDED_RUNS) };
}

/**
 * What ops or the sweeper may re-drive, and what an attempt may route: the above, one in flight, a FAILED one, and one
 * waiting for its release window (the sweeper only once the window is overdue; the release itself claims it too).
 */
export const REDRIVABLE: ReadonlySet<OrderStatus> = new Set([...RESTARTABLE, 'ROUTING', 'FAILED', 'WAITING_RELEASE']);

export type RestartDecision =
  | { kind: 'not-needed'; reason: string }
  /**
   * An attempt is claimed and not finished: start its execution again (mends a crash between a claim and its start;
   * a second run of a live attempt finds the attempt taken by its first run and stops).
   */
  | { kind: 'in-flight'; attempt: number; executionName: string }
  | { kind: 'claim'; attempt: number; executionName: string; change: OrderChange };

/**
 * Whether a trigger should start a new attempt. `force` (sweeper, ops) re-drives an attempt that is in flight or
 * FAILED; without it an order being routed is left to its running attempt.
 */
export function decideRestart(order: Order, shipments: readonly Shipment[], now: Date, reason: string, options: { force?: boolean } = {}): RestartDecision {
  const allowed = options.force ? REDRIVABLE : RESTARTABLE;
  if (!allowed.has(order.status)) {
    if (order.status === 'ROUTING' && order.attempt > 0) return { kind: 'in-flight', attempt: order.attempt, executionName: executionName(order.orderId, order.attempt) };
    return { kind: 'not-needed', reason: `the order is ${order.status}` };
  }
  const waiting = unallocatedLines(order, allocationsOf(shipments));
  if (!IN_FLIGHT_STATUSES.has(order.status) && order.status !== 'FAILED' && waiting.length === 0) return { kind: 'not-needed', reason: 'every unit is allocated' };
  // Attempt 1 may exist without the order knowing (OrderAccepted starts it before any write): never claim it again.
  const attempt = Math.max(order.attempt, 1) + 1;
  const name = executionName(order.orderId, attempt);
  const { execution: _previousRun, ...routed } = transition(order, 'ROUTING', now, `attempt ${attempt}: ${reason}`);
  return { kind: 'claim', attempt, executionName: name, change: { order: { ...routed, attempt }, expectedVersion: order.version, shipments: [], reservations: [] } };
}

export type FailureDecision = { kind: 'stale' } | { kind: 'final' } | { kind: 'decided'; status: OrderStatus } | { kind: 'fail'; change: OrderChange };

/** The statuses an attempt can fail in: it has not decided yet (its decision and the order's status are one write). */
const UNDECIDED: ReadonlySet<OrderStatus> = new Set<OrderStatus>(['ACCEPTED', 'ROUTING']);

/**
 * A workflow attempt ended in its Catch: the order becomes FAILED with a reason fit for merchants (never internal
 * error text), unless a later attempt owns it, it is already final or FAILED, or this attempt already decided
 * (ALLOCATED, BACKORDERED...: the step wrote its decision and then failed, e.g. timed out before it could answer;
 * failing the order then would strand the stock its shipments hold on a FAILED order).
 */
export function decideFailure(order: Order, attempt: number, reason: string, now: Date, run?: string): FailureDecision {
  if (!ownsOrder(order, attempt, run)) return { kind: 'stale' };
  if (order.status === 'FAILED' || order.status === 'CANCELLED' || order.status === 'DELIVERED' || order.status === 'RETURNED' || order.status === 'SHIPPED') return { kind: 'final' };
  if (!UNDECIDED.has(order.status)) return { kind: 'decided', status: order.status };
  const failed = recordRun({ ...transition(order, 'FAILED', now, reason), attempt: Math.max(order.attempt, attempt) }, attempt, run, now);
  return { kind: 'fail', change: { order: failed, expectedVersion: order.version, shipments: [], reservations: [] } };
}

/**
 * Whether stock has arrived for a waiting order (its wake-up event may have been lost): some location it may use
 * holds a unit of a SKU it waits for. `networks` are the SKUs' sellable units per location for the order's channel.
 */
export function stockArrivedFor(order: Order, networks: ReadonlyArray<{ sku: string; locations: ReadonlyArray<{ locationId: string; available: number }> }>): boolean {
  const waiting = new Set(order.backorderedLines.map((l) => l.sku));
  const excluded = new Set((order.routingExclusions ?? []).map((e) => `${e.locationId}|${e.sku}`));
  return networks.some((n) => waiting.has(n.sku) && n.locations.some((at) => at.available > 0 && !excluded.has(`${at.locationId}|${n.sku}`)));
}
