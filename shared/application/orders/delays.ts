import { calendarDate, isLate, markDelayed } from '#domain/orders/shipment';
import type { ReservationDeps } from '../inventory/reservations.ts';
import type { LateShipmentFinder } from './fulfillment-ports.ts';
import { updateShipment, type LifecycleDeps } from './lifecycle.ts';

export type DelayDeps = LifecycleDeps & { reservations: ReservationDeps; late: LateShipmentFinder };

/** Why a late shipment that its location never accepted is taken away from it. */
const NOT_ACCEPTED_IN_TIME = 'not accepted by the location before its promised delivery date';

/**
 * The scheduled check for broken promises: every open shipment whose promised delivery date has passed is marked
 * late, once, with its order (a version step, no status change). The stream turns the mark into OrderDelayed, which
 * reaches the merchant's webhooks and the customer. A late shipment its location never even accepted is then
 * rejected on the location's behalf, as a store's own rejection is: its units go back and its lines are routed again,
 * never to that location. Reads only what is due: shipments are listed by promised date while their promise is watched.
 */
export async function flagLateShipments(deps: DelayDeps, perTenant = 100): Promise<{ tenants: number; flagged: number }> {
  const now = deps.clock.now();
  const tenants = await deps.late.tenantIds();
  let flagged = 0;
  for (const tenantId of tenants) {
    for (const due of await deps.late.due(tenantId, calendarDate(now), perTenant)) {
      if (await flagOne(deps, tenantId, due.orderId, due.shipmentId, now)) flagged++;
    }
  }
  return { tenants: tenants.length, flagged };
}

async function flagOne(deps: DelayDeps, tenantId: string, orderId: string, shipmentId: string, now: Date): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const found = await deps.orders.get(tenantId, orderId);
    const shipment = found?.shipments.find((s) => s.shipmentId === shipmentId);
    // Delivered, cancelled or already marked since it was listed: nothing to tell.
    if (!found || !shipment || !isLate(shipment, now)) return false;
    const { order } = found;
    try {
      await deps.orders.save({ ...order, updatedAt: now.toISOString(), version: order.version + 1 }, order.version, [markDelayed(shipment, now)]);
    } catch (error) {
      if ((error as Error).name !== 'ConcurrentUpdateError') throw error;
      continue;
    }
    // Rejecting a shipment accepted or shipped meanwhile is refused by its lifecycle: then it stays, marked late.
    if (shipment.status === 'REQUESTED') {
      await updateShipment(deps, { tenantId, shipmentId, action: 'reject', reason: NOT_ACCEPTED_IN_TIME }).catch((error: unknown) => {
        if ((error as Error).name !== 'InvalidShipmentActionError') throw error;
      });
    }
    return true;
  }
  // The order kept changing: the next run finds the shipment again if it is still late.
  return false;
}
