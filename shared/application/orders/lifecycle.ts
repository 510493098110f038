import { decideRestart, type RestartDecision } from '#domain/orders/attempts';
import { decideCancel } from '#domain/orders/cancel';
import type { Order } from '#domain/orders/order';
import { orderIdOfShipment, type Shipment } from '#domain/orders/shipment';
import { decideShipmentReport, type ShipmentReport } from '#domain/orders/shipment-report';
import { mayUseLocation, type Actor } from '#domain/tenants/api-keys';
import { ConflictError, NotFoundError, retryOnConflict } from '../errors.ts';
import type { Clock } from '../ports.ts';
import type { BackorderIndex, WorkflowStarter } from './fulfillment-ports.ts';
import type { OrderStore, OrderWithShipments } from './ports.ts';

export interface LifecycleDeps {
  orders: OrderStore;
  workflows: WorkflowStarter;
  clock: Clock;
}

export class OrderNotFoundError extends NotFoundError {
  override readonly name = 'OrderNotFoundError';
  constructor(readonly orderId: string) {
    super(`Order ${orderId} does not exist`);
  }
}

export class ShipmentNotFoundError extends NotFoundError {
  override readonly name = 'ShipmentNotFoundError';
  constructor(readonly shipmentId: string) {
    super(`Shipment ${shipmentId} does not exist`);
  }
}

/** The order with its shipments, or OrderNotFoundError. */
export async function loadOrder(deps: { orders: OrderStore }, tenantId: string, orderId: string): Promise<OrderWithShipments> {
  const found = await deps.orders.get(tenantId, orderId);
  if (!found) throw new OrderNotFoundError(orderId);
  return found;
}

export type StartOutcome = 'started' | 'already-started' | 'not-needed';

/**
 * Starts the next routing attempt of an order (new stock, a rejected pick, the sweeper, ops). The attempt is claimed on
 * the order first (ROUTING, the attempt's number and execution name, under a version condition), then its execution
 * is started under that name: two triggers claim one attempt, and a name is never used twice. An order whose claimed
 * attempt is still ROUTING gets its execution started again: a crash between the claim and the start is mended by the
 * trigger's own retry (a second run of a live attempt stops at its plan step). `force` (sweeper, ops) re-drives an order stuck in flight or FAILED.
 */
export function startFulfillment(
  deps: LifecycleDeps,
  input: { tenantId: string; orderId: string; correlationId: string; reason: string; force?: boolean },
): Promise<StartOutcome> {
  return retryOnConflict(async () => {
    const { order, shipments } = await loadOrder(deps, input.tenantId, input.orderId);
    const decision = decideRestart(order, shipments, deps.clock.now(), input.reason, { force: input.force === true });
    if (decision.kind === 'not-needed') return 'not-needed';
    const outcome = await claimAndStart(deps, order, decision, input);
    return decision.kind === 'claim' ? 'started' : outcome;
  });
}

/** Writes a claim (when the decision is one), then starts the attempt's execution under its name. */
async function claimAndStart(
  deps: LifecycleDeps,
  order: Order,
  decision: Exclude<RestartDecision, { kind: 'not-needed' }>,
  input: { correlationId: string; reason: string },
): Promise<'started' | 'already-started'> {
  if (decision.kind === 'claim') await deps.orders.commit(decision.change);
  return deps.workflows.start({ tenantId: order.tenantId, orderId: order.orderId, attempt: decision.attempt, name: decision.executionName, correlationId: input.correlationId, reason: input.reason });
}

/** Ops asked to re-drive an order that has nothing to re-drive (allocated, shipped, cancelled, done). */
export class NothingToRetryError extends ConflictError {
  override readonly name = 'NothingToRetryError';
  constructor(orderId: string, reason: string) {
    super(`Order ${orderId} has nothing to re-drive: ${reason}`);
  }
}

/**
 * Ops re-drive an order (FAILED, or stuck in flight): a new attempt is claimed on the order under a fresh execution
 * name and started. Nothing to re-drive is a NothingToRetryError naming the order's status.
 */
export function retryOrder(deps: LifecycleDeps, input: { tenantId: string; orderId: string; correlationId: string }): Promise<{ orderId: string; status: 'ROUTING'; attempt: number; execution: string }> {
  return retryOnConflict(async () => {
    const { order, shipments } = await loadOrder(deps, input.tenantId, input.orderId);
    const decision = decideRestart(order, shipments, deps.clock.now(), 'retried by ops', { force: true });
    if (decision.kind !== 'claim') throw new NothingToRetryError(order.orderId, decision.kind === 'not-needed' ? decision.reason : 'it is being routed');
    await claimAndStart(deps, order, decision, { correlationId: input.correlationId, reason: 'retried by ops' });
    return { orderId: order.orderId, status: 'ROUTING', attempt: decision.attempt, execution: decision.executionName };
  });
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

/**
 * Cancels an order: every unshipped shipment is cancelled and its reservation released, with the order, in one
 * transaction. A workflow still running sees the status and releases what it reserved. An order with shipped parcels
 * cannot be cancelled (those lines go through returns instead): the error names them.
 */
export function cancelOrder(deps: LifecycleDeps, input: { tenantId: string; orderId: string; reason?: string }): Promise<Order> {
  return retryOnConflict(async () => {
    const { order, shipments } = await loadOrder(deps, input.tenantId, input.orderId);
    const change = decideCancel(order, shipments, deps.clock.now(), input.reason);
    if (!change) return order;
    await deps.orders.commit(change);
    return change.order;
  });
}

/**
 * A shipment with its order, as the caller may see it: a scoped API key (`locationIds`) finds only its own locations'
 * shipments; another location's is a ShipmentNotFoundError, exactly as a shipment that does not exist, so a partner
 * cannot even learn whether an id is real. Every shipment action loads its shipment through here.
 */
export async function loadShipment(
  deps: { orders: OrderStore },
  input: { tenantId: string; shipmentId: string; locationIds?: readonly string[] },
): Promise<OrderWithShipments & { shipment: Shipment }> {
  const orderId = orderIdOfShipment(input.shipmentId);
  const found = orderId ? await deps.orders.get(input.tenantId, orderId) : undefined;
  const shipment = found?.shipments.find((s) => s.shipmentId === input.shipmentId);
  if (!found || !shipment || !mayUseLocation(input, shipment.locationId)) throw new ShipmentNotFoundError(input.shipmentId);
  return { ...found, shipment };
}

/**
 * A location or carrier reports on a shipment: accept, reject (the store cannot pick: its units go back and the lines
 * are routed again elsewhere, never to this location), ship (the reservation is committed: on-hand goes down) or
 * deliver. The shipment, its reservation and the order change in one transaction. Repeating a report that already
 * applied answers the shipment as it is.
 */
export function updateShipment(
  deps: LifecycleDeps,
  input: { tenantId: string; shipmentId: string; action: ShipmentReport; reason?: string; tracking?: Shipment['tracking']; by?: Actor; locationIds?: readonly string[] },
): Promise<{ shipment: Shipment; orderStatus: Order['status'] }> {
  return retryOnConflict(async () => {
    const found = await loadShipment(deps, input);
    const decision = decideShipmentReport(found.order, found.shipments, found.shipment, input.action, deps.clock.now(), {
      ...(input.reason ? { reason: input.reason } : {}),
      ...(input.tracking ? { tracking: input.tracking } : {}),
      ...(input.by ? { by: input.by } : {}),
    });
    if (decision.kind === 'repeat') return { shipment: decision.shipment, orderStatus: found.order.status };
    await deps.orders.commit(decision.change);
    return { shipment: decision.shipment, orderStatus: decision.change.order.status };
  });
}
