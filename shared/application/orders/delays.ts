import { decideDueCheck } from '#domain/orders/delays';
import { InvalidShipmentActionError, pickupHoldDue } from '#domain/orders/shipment';
import { retryOnConflict } from '../errors.ts';
import type { LateShipmentFinder } from './fulfillment-ports.ts';
import { updateShipment, type LifecycleDeps } from './lifecycle.ts';
import { checkPickupHold } from './pickups.ts';

export type DelayDeps = LifecycleDeps & { late: LateShipmentFinder };

export interface ShipmentCheckResult {
  tenants: number;
  /** Shipments marked late (OrderDelayed). */
  flagged: number;
  /** Requested shipments taken away from a location that did not accept them in time, and routed again. */
  reassigned: number;
  /** Ready pickups whose customer was reminded (halfway through the store's hold). */
  reminded: number;
  /** Ready pickups not collected by the end of the hold: expired, units back on hand, lines refunded. */
  expired: number;
  /** Shipments the run could not check; each is due again next run, none stops the others. */
  failed: Array<{ tenantId: string; shipmentId: string; error: unknown }>;
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
 * - A ready pickup is reminded once halfway through its store's hold and expires at its end (pickups.ts).
 * One shipment that cannot be checked never stops the run for the others or for other tenants.
 */
export async function flagLateShipments(deps: DelayDeps, perTenant = 100): Promise<ShipmentCheckResult> {
  const now = deps.clock.now();
  const tenants = await deps.late.tenantIds();
  const result: ShipmentCheckResult = { tenants: tenants.length, flagged: 0, reassigned: 0, reminded: 0, expired: 0, failed: [] };
  for (const tenantId of tenants) {
    let due: Awaited<ReturnType<LateShipmentFinder['due']>> = [];
    try {
      due = await deps.late.due(tenantId, now.toISOString(), perTenant);
    } catch (error) {
      result.failed.push({ tenantId, shipmentId: '*', error });
    }
    for (const shipment of due) {
      try {
        const outcome = await checkOne(deps, tenantId, shipment.orderId, shipment.shipmentId, now);
        if (outcome) result[outcome]++;
      } catch (error) {
        result.failed.push({ tenantId, shipmentId: shipment.shipmentId, error });
      }
    }
  }
  return result;
}

function checkOne(deps: DelayDeps, tenantId: string, orderId: string, shipmentId: string, now: Date): Promise<'flagged' | 'reassigned' | 'reminded' | 'expired' | undefined> {
  return retryOnConflict(async () => {
    const found = await deps.orders.get(tenantId, orderId);
    const shipment = found?.shipments.find((s) => s.shipmentId === shipmentId);
    // Delivered, cancelled, accepted or already marked since it was listed: nothing to do.
    if (!found || !shipment) return undefined;
    if (pickupHoldDue(shipment, now) !== 'nothing') return checkPickupHold(deps, tenantId, orderId, shipmentId, now);
    const check = decideDueCheck(found.order, shipment, now);
    if (check.kind === 'nothing') return undefined;
    if (check.kind === 'take-away') return (await takeAway(deps, tenantId, shipmentId, check.reason)) ? 'reassigned' : undefined;
    await deps.orders.commit(check.change);
    if (check.thenTakeAway) await takeAway(deps, tenantId, shipmentId, check.thenTakeAway);
    return 'flagged';
  }, 3);
}

/** Rejects the shipment for its location; one accepted or shipped meanwhile is refused by its lifecycle and stays. */
async function takeAway(deps: DelayDeps, tenantId: string, shipmentId: string, reason: string): Promise<boolean> {
  try {
    await updateShipment(deps, { tenantId, shipmentId, action: 'reject', reason });
    return true;
  } catch (error) {
    if (!(error instanceof InvalidShipmentActionError)) throw error;
    return false;
  }
}
