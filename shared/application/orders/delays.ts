import { isAcceptanceOverdue, isLate, markDelayed } from '#domain/orders/shipment';
import type { ReservationDeps } from '../inventory/reservations.ts';
import type { LateShipmentFinder } from './fulfillment-ports.ts';
import { updateShipment, type LifecycleDeps } from './lifecycle.ts';

export type DelayDeps = LifecycleDeps & { reservations: ReservationDeps; late: LateShipmentFinder };

/** Why a late shipment that its location never accepted is taken away from it. */
const NOT_ACCEPTED_IN_TIME = 'not accepted by the location before its promised delivery date';

export interface ShipmentCheckResult {
  tenants: number;
  /** Shipments marked late (OrderDelayed). */
  flagged: number;
  /** Requested shipments taken away from a location that did not accept them in time, and routed again. */
  reassigned: number;
}

/**
 * The scheduled check of what locations and carriers owe. Reads only what is due: shipments are listed by the next
 * instant they must be looked at.
 * - A requested shipment its location has not accepted by its `acceptBy` (a few hours for a store, a day for a
 *   warehouse) is rejected on the location's behalf, as a store's own rejection is: its units go back and its lines
 *   are routed again, never to that location. The customer's promise may still be kept that way.
 * - Every open shipment whose promised delivery date has passed is marked late, once, with its order (a version step,
 *   no status change). The stream turns the mark into OrderDelayed, which reaches the merchant's webhooks and the
 *   customer. A late shipment still not accepted is then taken away as above.
 */
export async function flagLateShipments(deps: DelayDeps, perTenant = 100): Promise<ShipmentCheckResult> {
  const now = deps.clock.now();
  const tenants = await deps.late.tenantIds();
  const result: ShipmentCheckResult = { tenants: tenants.length, flagged: 0, reassigned: 0 };
  for (const tenantId of tenants) {
    for (const due of await deps.late.due(tenantId, now.toISOString(), perTenant)) {
      const outcome = await checkOne(deps, tenantId, due.orderId, due.shipmentId, now);
      if (outcome) result[outcome]++;
    }
  }
  return result;
}

async function checkOne(deps: DelayDeps, tenantId: string, orderId: string, shipmentId: string, now: Date): Promise<'flagged' | 'reassigned' | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const found = await deps.orders.get(tenantId, orderId);
    const shipment = found?.shipments.find((s) => s.shipmentId === shipmentId);
    // Delivered, cancelled, accepted or already marked since it was listed: nothing to do.
    if (!found || !shipment) return undefined;
    if (!isLate(shipment, now)) {
      if (!isAcceptanceOverdue(shipment, now)) return undefined;
      return (await takeAway(deps, tenantId, shipmentId, `not accepted by the location by ${shipment.acceptBy}`)) ? 'reassigned' : undefined;
    }
    const { order } = found;
    try {
      await deps.orders.save({ ...order, updatedAt: now.toISOString(), version: order.version + 1 }, order.version, [markDelayed(shipment, now)]);
    } catch (error) {
      if ((error as Error).name !== 'ConcurrentUpdateError') throw error;
      continue;
    }
    if (shipment.status === 'REQUESTED') await takeAway(deps, tenantId, shipmentId, NOT_ACCEPTED_IN_TIME);
    return 'flagged';
  }
  // The order kept changing: the next run finds the shipment again if it is still due.
  return undefined;
}

/** Rejects the shipment for its location; one accepted or shipped meanwhile is refused by its lifecycle and stays. */
async function takeAway(deps: DelayDeps, tenantId: string, shipmentId: string, reason: string): Promise<boolean> {
  try {
    await updateShipment(deps, { tenantId, shipmentId, action: 'reject', reason });
    return true;
  } catch (error) {
    if ((error as Error).name !== 'InvalidShipmentActionError') throw error;
    return false;
  }
}
