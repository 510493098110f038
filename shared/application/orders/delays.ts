import { calendarDate, isLate, markDelayed } from '#domain/orders/shipment';
import type { Clock } from '../ports.ts';
import type { LateShipmentFinder } from './fulfillment-ports.ts';
import type { OrderStore } from './ports.ts';

export interface DelayDeps {
  orders: OrderStore;
  late: LateShipmentFinder;
  clock: Clock;
}

/**
 * The scheduled check for broken promises: every open shipment whose promised delivery date has passed is marked
 * late, once, with its order (a version step, no status change). The stream turns the mark into OrderDelayed, which
 * reaches the merchant's webhooks and the customer. Reads only what is due: shipments are listed by promised date
 * while their promise is watched.
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
      return true;
    } catch (error) {
      if ((error as Error).name !== 'ConcurrentUpdateError') throw error;
    }
  }
  // The order kept changing: the next run finds the shipment again if it is still late.
  return false;
}
