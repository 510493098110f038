/**
 * What an order's shipments say about it: which shipments still hold or shipped units, the allocations they make, and
 * the status the order reaches as its parcels leave and arrive. This file is the one answer to "where does an order
 * become SHIPPED (or DELIVERED)?".
 */
import type { Allocation, Order, OrderStatus } from './order.ts';
import { unallocatedLines } from './order.ts';
import type { Shipment } from './shipment.ts';

/** Shipments that still hold or shipped units (not rejected, cancelled or expired). */
export function activeShipments(shipments: readonly Shipment[]): Shipment[] {
  return shipments.filter((s) => s.status !== 'REJECTED' && s.status !== 'CANCELLED' && s.status !== 'EXPIRED');
}

/** Shipments whose units are still reserved at their location (not shipped, handed over, rejected, cancelled or expired). */
export function openShipments(shipments: readonly Shipment[]): Shipment[] {
  return shipments.filter((s) => s.status === 'REQUESTED' || s.status === 'ACCEPTED' || s.status === 'READY_FOR_PICKUP' || s.status === 'CUSTOMER_ARRIVED');
}

export function allocationsOf(shipments: readonly Shipment[]): Allocation[] {
  return activeShipments(shipments).flatMap((s) => s.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, locationId: s.locationId, quantity: l.quantity })));
}

/** Statuses whose order follows its parcels; a FAILED order waits for ops and a CANCELLED one is done. */
const FOLLOWS_PARCELS: ReadonlySet<OrderStatus> = new Set(['ALLOCATED', 'PARTIALLY_ALLOCATED', 'SHIPPED', 'READY_FOR_PICKUP']);

/** Where each shipment stands for its order: in a carrier's hands or delivered, at the store for the customer, or handed over. */
const LEFT: ReadonlySet<Shipment['status']> = new Set(['SHIPPED', 'DELIVERED', 'READY_FOR_PICKUP', 'CUSTOMER_ARRIVED', 'PICKED_UP']);
const DONE: ReadonlySet<Shipment['status']> = new Set(['DELIVERED', 'PICKED_UP']);

/**
 * Once every unit of the order has left its location or waits for the customer at a store: SHIPPED when a parcel is
 * among them, else READY_FOR_PICKUP; once every one has arrived: PICKED_UP when all were pickups handed over, else
 * DELIVERED. Otherwise undefined (no change). Only an order that follows its parcels moves: a FAILED order keeps its
 * status (ops re-drive or cancel it) while its earlier parcels still ship and arrive.
 */
export function statusAfterShipments(order: Pick<Order, 'status' | 'lines' | 'cancelledLines'>, shipments: readonly Shipment[]): OrderStatus | undefined {
  if (!FOLLOWS_PARCELS.has(order.status)) return undefined;
  const active = activeShipments(shipments);
  if (active.length === 0 || unallocatedLines(order, allocationsOf(shipments)).length > 0) return undefined;
  if (!active.every((s) => LEFT.has(s.status))) return undefined;
  const parcels = active.some((s) => s.status === 'SHIPPED' || s.status === 'DELIVERED');
  let target: OrderStatus;
  if (active.every((s) => DONE.has(s.status))) {
    // A parcel order passes SHIPPED on its way to DELIVERED.
    target = parcels ? (order.status === 'SHIPPED' ? 'DELIVERED' : 'SHIPPED') : 'PICKED_UP';
  } else {
    target = parcels ? 'SHIPPED' : 'READY_FOR_PICKUP';
  }
  return target === order.status ? undefined : target;
}
