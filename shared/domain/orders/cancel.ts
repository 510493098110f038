/**
 * Cancelling an order (pure). Every unshipped shipment is cancelled and its reservation released, in the same change
 * as the order; shipped lines cannot be cancelled (they come back through returns).
 */
import { activeShipments, openShipments } from './allocation.ts';
import { reservationMove, type OrderChange } from './change.ts';
import { canTransition, transition, type Order, type OrderStatus } from './order.ts';
import { applyShipmentAction, type Shipment } from './shipment.ts';

export class OrderNotCancellableError extends Error {
  override readonly name = 'OrderNotCancellableError';
  constructor(
    readonly orderId: string,
    readonly status: OrderStatus,
    detail: string,
    readonly lines: Array<{ lineId: string; sku: string; shipmentId: string }> = [],
  ) {
    super(detail);
  }
}

/** The change that cancels the order, or `undefined` when it is cancelled already (a repeated request). */
export function decideCancel(order: Order, shipments: readonly Shipment[], now: Date, reason = 'cancelled by the merchant'): OrderChange | undefined {
  if (order.status === 'CANCELLED') return undefined;
  const shipped = activeShipments(shipments).filter((s) => s.status === 'SHIPPED' || s.status === 'DELIVERED' || s.status === 'PICKED_UP');
  if (shipped.length) {
    const lines = shipped.flatMap((s) => s.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, shipmentId: s.shipmentId })));
    throw new OrderNotCancellableError(
      order.orderId,
      order.status,
      `Order ${order.orderId} is ${order.status} with shipped parcels; shipped lines cannot be cancelled: ${lines.map((l) => `${l.lineId} (${l.sku})`).join(', ')}`,
      lines,
    );
  }
  if (!canTransition(order.status, 'CANCELLED')) throw new OrderNotCancellableError(order.orderId, order.status, `Order ${order.orderId} is ${order.status}`);
  const open = openShipments(shipments);
  return {
    order: { ...transition(order, 'CANCELLED', now, reason), allocations: [], backorderedLines: [] },
    expectedVersion: order.version,
    shipments: open.map((s) => applyShipmentAction(s, 'cancel', now, { reason: 'order cancelled' })),
    reservations: open.map((s) => reservationMove(s, 'RELEASED')),
  };
}
