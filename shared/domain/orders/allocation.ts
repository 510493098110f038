/**
 * What an order's shipments say about it: which shipments still hold or shipped units, the allocations they make, and
 * the status the order reaches as its parcels leave and arrive. This file is the one answer to "where does an order
 * become SHIPPED (or DELIVERED)?".
 */
import type { Allocation, Order, OrderStatus } from './order.ts';
import { unallocatedLines } from './order.ts';
import type { Shipment } from './shipment.ts';

/** Shipments that still hold or shipped units (not rejected or cancelled). */
export function activeShipments(shipments: readonly Shipment[]): Shipment[] {
  return shipments.filter((s) => s.status !== 'REJECTED' && s.status !== 'CANCELLED');
}

/** Shipments whose units are still reserved at their location (not shipped, rejected or cancelled). */
export function openShipments(shipments: readonly Shipment[]): Shipment[] {
  return shipments.filter((s) => s.status === 'REQUESTED' || s.status === 'ACCEPTED');
}

export function allocationsOf(shipments: readonly Shipment[]): Allocation[] {
  return activeShipments(shipments).flatMap((s) => s.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, locationId: s.locationId, quantity: l.quantity })));
}

/** Statuses whose order follows its parcels; a FAILED order waits for ops and a CANCELLED one is done. */
const FOLLOWS_PARCELS: ReadonlySet<OrderStatus> = new Set(['ALLOCATED', 'PARTIALLY_ALLOCATED', 'SHIPPED']);

/**
 * SHIPPED once every unit of the order has left, DELIVERED once every parcel has arrived; otherwise undefined (no
 * change). Only an order that follows its parcels moves: a FAILED order keeps its status (ops re-drive or cancel it)
 * while its earlier parcels still ship and arrive.
 */
export function statusAfterShipments(order: Pick<Order, 'status' | 'lines'>, shipments: readonly Shipment[]): OrderStatus | undefined {
  if (!FOLLOWS_PARCELS.has(order.status)) return undefined;
  const active = activeShipments(shipments);
  if (active.length === 0 || unallocatedLines(order, allocationsOf(shipments)).length > 0) return undefined;
  if (active.every((s) => s.status === 'DELIVERED')) return order.status === 'SHIPPED' ? 'DELIVERED' : 'SHIPPED';
  if (active.every((s) => s.status === 'SHIPPED' || s.status === 'DELIVERED')) return order.status === 'SHIPPED' ? undefined : 'SHIPPED';
  return undefined;
}
