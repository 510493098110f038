import { isFinal, statusAfterAllocation, transition, unallocatedLines, type Order, type OrderStatus } from '#domain/orders/order';
import { applyShipmentAction, isRepeat, orderIdOfShipment, type Shipment, type ShipmentAction } from '#domain/orders/shipment';
import { commitReservation, releaseReservation, type ReservationDeps } from '../inventory/reservations.ts';
import type { Clock } from '../ports.ts';
import { activeShipments, allocationsOf, OrderNotFoundError } from './fulfillment.ts';
import type { BackorderIndex, StuckOrderFinder, WorkflowStarter } from './fulfillment-ports.ts';
import type { OrderStore } from './ports.ts';

/** Statuses from which a new routing attempt may start on its own (new stock, a rejected pick). */
const RESTARTABLE: ReadonlySet<OrderStatus> = new Set(['ACCEPTED', 'BACKORDERED', 'PARTIALLY_ALLOCATED', 'ALLOCATED']);

export interface LifecycleDeps {
  orders: OrderStore;
  workflows: WorkflowStarter;
  clock: Clock;
}

/**
 * Starts the next routing attempt of an order, once: the execution is named `${orderId}-${attempt}`, so two triggers
 * for the same attempt (a redelivered event, two stock changes at once) start one execution. An order that is
 * finished, cancelled, failed or being routed right now is left alone, unless `force` (the sweeper re-driving an
 * order stuck past its deadline).
 */
export async function startFulfillment(
  deps: LifecycleDeps,
  input: { tenantId: string; orderId: string; correlationId: string; reason: string; force?: boolean },
): Promise<'started' | 'already-started' | 'not-needed'> {
  const found = await deps.orders.get(input.tenantId, input.orderId);
  if (!found) throw new OrderNotFoundError(input.orderId);
  const { order, shipments } = found;
  const restartable = RESTARTABLE.has(order.status) || (input.force === true && (order.status === 'ROUTING' || order.status === 'ACCEPTED'));
  if (!restartable) return 'not-needed';
  if (order.status !== 'ACCEPTED' && order.status !== 'ROUTING' && unallocatedLines(order, allocationsOf(shipments)).length === 0) return 'not-needed';
  return deps.workflows.start({ tenantId: order.tenantId, orderId: order.orderId, attempt: order.attempt + 1, correlationId: input.correlationId, reason: input.reason });
}

/**
 * A new order's first attempt (OrderAccepted of an order stored as ACCEPTED): no read is needed. The execution name makes a repeated event a no-op,
 * and the plan step stops if the order was cancelled before it ran.
 */
export function startFirstAttempt(deps: Pick<LifecycleDeps, 'workflows'>, input: { tenantId: string; orderId: string; correlationId: string }): Promise<'started' | 'already-started'> {
  return deps.workflows.start({ ...input, attempt: 1, reason: 'OrderAccepted' });
}

/** New stock for a SKU: the oldest orders waiting for it get a routing attempt, first come first served. */
export async function retryBackorders(
  deps: LifecycleDeps & { backorders: BackorderIndex },
  input: { tenantId: string; sku: string; available: number; correlationId: string },
): Promise<number> {
  // Waking more orders than there are units only makes them race for the same stock.
  const limit = Math.max(1, Math.min(25, input.available));
  const waiting = await deps.backorders.waiting(input.tenantId, input.sku, limit);
  let started = 0;
  for (const { orderId, entry } of waiting) {
    const outcome = await startFulfillment(deps, { tenantId: input.tenantId, orderId, correlationId: input.correlationId, reason: `stock of ${input.sku} arrived` }).catch(
      (error: unknown) => (error instanceof OrderNotFoundError ? ('not-needed' as const) : Promise.reject(error)),
    );
    if (outcome === 'started') started++;
    // A stale entry would take a place in line from an order that still waits.
    if (outcome === 'not-needed') await deps.backorders.remove(input.tenantId, input.sku, entry);
  }
  return started;
}

/** Orders accepted or routing for longer than this are re-driven by the sweeper. */
export const STUCK_AFTER_MS = 10 * 60_000;

/** The scheduled sweeper: every order stuck in ACCEPTED or ROUTING past the deadline gets a new attempt. */
export async function sweepStuckOrders(deps: LifecycleDeps & { stuck: StuckOrderFinder }): Promise<{ tenants: number; redriven: number }> {
  const before = new Date(deps.clock.now().getTime() - STUCK_AFTER_MS);
  const tenants = await deps.stuck.tenantIds();
  let redriven = 0;
  for (const tenantId of tenants) {
    for (const order of await deps.stuck.stuck(tenantId, before, 100)) {
      const outcome = await startFulfillment(deps, { tenantId, orderId: order.orderId, correlationId: `sweep-${order.orderId}-${order.attempt + 1}`, reason: 'stuck past its deadline', force: true });
      if (outcome === 'started') redriven++;
    }
  }
  return { tenants: tenants.length, redriven };
}

export class OrderNotCancellableError extends Error {
  override readonly name = 'OrderNotCancellableError';
  constructor(
    readonly orderId: string,
    detail: string,
    readonly lines: Array<{ lineId: string; sku: string; shipmentId: string }> = [],
  ) {
    super(detail);
  }
}

/**
 * Cancels an order: every unshipped shipment is cancelled and its reservation released, the order leaves the backorder
 * waitlist and becomes CANCELLED. A workflow still running sees the status and releases what it reserved. An order
 * with shipped parcels cannot be cancelled (those lines go through returns instead): the error names them.
 */
export async function cancelOrder(deps: LifecycleDeps & { reservations: ReservationDeps }, input: { tenantId: string; orderId: string; reason?: string }): Promise<Order> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const found = await deps.orders.get(input.tenantId, input.orderId);
    if (!found) throw new OrderNotFoundError(input.orderId);
    const { order, shipments } = found;
    if (order.status === 'CANCELLED') return order;
    const shipped = shipments.filter((s) => s.status === 'SHIPPED' || s.status === 'DELIVERED');
    if (shipped.length) {
      throw new OrderNotCancellableError(
        order.orderId,
        `Order ${order.orderId} has shipped parcels; shipped lines cannot be cancelled: ${shipped.flatMap((s) => s.lines.map((l) => `${l.lineId} (${l.sku})`)).join(', ')}`,
        shipped.flatMap((s) => s.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, shipmentId: s.shipmentId }))),
      );
    }
    if (isFinal(order.status)) throw new OrderNotCancellableError(order.orderId, `Order ${order.orderId} is ${order.status.toLowerCase()}`);
    const now = deps.clock.now();
    const open = activeShipments(shipments);
    await Promise.all(open.map((s) => releaseReservation(deps.reservations, { tenantId: order.tenantId, reservationId: s.reservationId })));
    const cancelled = open.map((s) => applyShipmentAction(s, 'cancel', now, { reason: 'order cancelled' }));
    const next = { ...transition(order, 'CANCELLED', now, input.reason ?? 'cancelled by the merchant'), allocations: [], backorderedLines: [] };
    try {
      await deps.orders.save(next, order.version, cancelled);
      return next;
    } catch (error) {
      if ((error as Error).name !== 'ConcurrentUpdateError') throw error;
    }
  }
  throw new Error(`Order ${input.orderId} kept changing while being cancelled`);
}

export class ShipmentNotFoundError extends Error {
  override readonly name = 'ShipmentNotFoundError';
  constructor(readonly shipmentId: string) {
    super(`Shipment ${shipmentId} does not exist`);
  }
}

/**
 * A location or carrier reports on a shipment: accept, reject (the store cannot pick: its units go back and the lines
 * are routed again elsewhere, never to this location), ship (the reservation is committed: on-hand goes down) or
 * deliver. Repeating a report that already applied answers the shipment as it is.
 */
export async function updateShipment(
  deps: LifecycleDeps & { reservations: ReservationDeps },
  input: { tenantId: string; shipmentId: string; action: Exclude<ShipmentAction, 'cancel'>; reason?: string; tracking?: Shipment['tracking'] },
): Promise<{ shipment: Shipment; orderStatus: OrderStatus }> {
  const orderId = orderIdOfShipment(input.shipmentId);
  if (!orderId) throw new ShipmentNotFoundError(input.shipmentId);
  for (let attempt = 0; attempt < 3; attempt++) {
    const found = await deps.orders.get(input.tenantId, orderId);
    const shipment = found?.shipments.find((s) => s.shipmentId === input.shipmentId);
    if (!found || !shipment) throw new ShipmentNotFoundError(input.shipmentId);
    const { order, shipments } = found;
    if (isRepeat(shipment, input.action)) return { shipment, orderStatus: order.status };
    const now = deps.clock.now();
    const updated = applyShipmentAction(shipment, input.action, now, { ...(input.reason ? { reason: input.reason } : {}), ...(input.tracking ? { tracking: input.tracking } : {}) });
    const ref = { tenantId: order.tenantId, reservationId: shipment.reservationId };
    if (input.action === 'ship') await commitReservation(deps.reservations, ref);
    if (input.action === 'reject') await releaseReservation(deps.reservations, ref);

    const all = shipments.map((s) => (s.shipmentId === updated.shipmentId ? updated : s));
    let next: Order = { ...order, allocations: allocationsOf(all) };
    if (input.action === 'reject') {
      next = {
        ...transition(next, statusAfterAllocation(order, next.allocations), now, `${shipment.locationId} rejected ${shipment.shipmentId}${input.reason ? `: ${input.reason}` : ''}`),
        backorderedLines: unallocatedLines(order, next.allocations),
        routingExclusions: [...(order.routingExclusions ?? []), ...shipment.lines.map((l) => ({ locationId: shipment.locationId, sku: l.sku }))],
      };
    } else {
      const target = orderStatusAfterShipments(next, all);
      next = target && target !== order.status ? transition(next, target, now) : { ...next, version: order.version + 1, updatedAt: now.toISOString() };
    }
    try {
      await deps.orders.save(next, order.version, [updated]);
      return { shipment: updated, orderStatus: next.status };
    } catch (error) {
      if ((error as Error).name !== 'ConcurrentUpdateError') throw error;
    }
  }
  throw new Error(`Order ${orderId} kept changing while updating ${input.shipmentId}`);
}

/** SHIPPED once every unit has left, DELIVERED once every parcel has arrived; otherwise no change. */
function orderStatusAfterShipments(order: Order, shipments: Shipment[]): OrderStatus | undefined {
  const active = activeShipments(shipments);
  if (active.length === 0 || unallocatedLines(order, allocationsOf(shipments)).length > 0) return undefined;
  if (active.every((s) => s.status === 'DELIVERED')) return order.status === 'SHIPPED' ? 'DELIVERED' : 'SHIPPED';
  if (active.every((s) => s.status === 'SHIPPED' || s.status === 'DELIVERED')) return order.status === 'SHIPPED' ? undefined : 'SHIPPED';
  return undefined;
}
