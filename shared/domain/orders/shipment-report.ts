/**
 * A location or carrier reports on a shipment (pure): accept, reject, ship or deliver. The shipment, its reservation
 * and its order move in one change:
 * - reject: the units go back (reservation RELEASED), the lines wait to be routed again, never to this location;
 * - ship: the units leave on-hand (reservation COMMITTED);
 * - the order's status follows its parcels (see allocation.ts).
 */
import { allocationsOf, statusAfterShipments } from './allocation.ts';
import { reservationMove, type OrderChange } from './change.ts';
import { statusAfterAllocation, transition, unallocatedLines, type Order, type OrderStatus } from './order.ts';
import type { Actor } from '../tenants/api-keys.ts';
import { decidePickupRejection } from './pickup.ts';
import { applyShipmentAction, isRepeat, type Shipment, type ShipmentAction } from './shipment.ts';

/** What a location or carrier reports through this decision; the pickup hand-over has its own (pickup.ts). */
export type ShipmentReport = Exclude<ShipmentAction, 'cancel' | 'ready' | 'arrive' | 'pick-up' | 'expire'>;

export type ShipmentReportDecision = { kind: 'repeat'; shipment: Shipment } | { kind: 'change'; shipment: Shipment; change: OrderChange };

/** Statuses in which a rejected parcel's lines go back to waiting (and the order to be routed again). */
const REROUTES: ReadonlySet<OrderStatus> = new Set(['ROUTING', 'ALLOCATED', 'PARTIALLY_ALLOCATED', 'BACKORDERED']);

export function decideShipmentReport(
  order: Order,
  shipments: readonly Shipment[],
  shipment: Shipment,
  action: ShipmentReport,
  now: Date,
  extra: { reason?: string; tracking?: Shipment['tracking']; by?: Actor } = {},
): ShipmentReportDecision {
  if (isRepeat(shipment, action)) return { kind: 'repeat', shipment };
  // A pickup its store cannot take goes to the order's pickup fallback (nearest store, a parcel, or cancelled).
  if (action === 'reject' && shipment.fulfillment !== 'ship') return { kind: 'change', ...decidePickupRejection(order, shipments, shipment, now, extra) };
  const updated = applyShipmentAction(shipment, action, now, extra);
  const all = shipments.map((s) => (s.shipmentId === updated.shipmentId ? updated : s));
  const allocations = allocationsOf(all);
  let next: Order = { ...order, allocations };
  if (action === 'reject') {
    const why = `${shipment.locationId} rejected ${shipment.shipmentId}${extra.reason ? `: ${extra.reason}` : ''}`;
    const waiting = { backorderedLines: unallocatedLines(order, allocations), routingExclusions: [...(order.routingExclusions ?? []), ...shipment.lines.map((l) => ({ locationId: shipment.locationId, sku: l.sku }))] };
    next = REROUTES.has(order.status)
      ? { ...transition(next, order.status === 'ROUTING' ? 'ROUTING' : statusAfterAllocation(order, allocations), now, why), ...waiting }
      : { ...next, ...waiting, version: order.version + 1, updatedAt: now.toISOString() };
  } else {
    const target = statusAfterShipments(next, all);
    next = target && target !== order.status ? transition(next, target, now) : { ...next, version: order.version + 1, updatedAt: now.toISOString() };
  }
  const moves = action === 'ship' ? [reservationMove(shipment, 'COMMITTED')] : action === 'reject' ? [reservationMove(shipment, 'RELEASED')] : [];
  return { kind: 'change', shipment: updated, change: { order: next, expectedVersion: order.version, shipments: [updated], reservations: moves } };
}
