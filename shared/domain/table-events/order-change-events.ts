import { createEvent, type DomainEvent, type EventDefinition } from '#events/envelope';
import { FulfillmentRequested } from '#events/fulfillment-requested';
import { OrderAccepted } from '#events/order-accepted';
import { OrderAllocated } from '#events/order-allocated';
import { OrderBackordered } from '#events/order-backordered';
import { OrderCancelled } from '#events/order-cancelled';
import { OrderDelayed } from '#events/order-delayed';
import { OrderDelivered } from '#events/order-delivered';
import { OrderFailed } from '#events/order-failed';
import { OrderPartiallyAllocated } from '#events/order-partially-allocated';
import { OrderReturned } from '#events/order-returned';
import { OrderShipped } from '#events/order-shipped';
import { ReturnReceived } from '#events/return-received';
import { RefundDue } from '#events/refund-due';
import { CustomerArrived } from '#events/customer-arrived';
import { PickedUp } from '#events/picked-up';
import { PickupExpired } from '#events/pickup-expired';
import { PickupReady } from '#events/pickup-ready';
import { PickupReminder } from '#events/pickup-reminder';
import { PickupRerouted } from '#events/pickup-rerouted';
import { ShipmentAccepted } from '#events/shipment-accepted';
import { ShipmentCancelled } from '#events/shipment-cancelled';
import { ShipmentDelivered } from '#events/shipment-delivered';
import { ShipmentRejected } from '#events/shipment-rejected';
import { ShipmentShipped } from '#events/shipment-shipped';
import { ShipmentsReoptimised } from '#events/shipments-reoptimised';
import { formatMinor } from '../orders/money.ts';
import { orderTotals, type CancelledLine, type Order, type OrderReturn, type OrderStatus, type PickupReroute, type Reoptimisation } from '../orders/order.ts';
import { pendingAcceptBy, type Shipment, type ShipmentStatus } from '../orders/shipment.ts';
import type { ItemChange } from './change-events.ts';

// ROUTING is internal to the workflow: no event, so webhooks are not flooded by every routing round.
const ORDER_EVENTS: Partial<Record<OrderStatus, EventDefinition<typeof OrderAllocated.dataSchema>>> = {
  ALLOCATED: OrderAllocated,
  PARTIALLY_ALLOCATED: OrderPartiallyAllocated,
  BACKORDERED: OrderBackordered,
  SHIPPED: OrderShipped,
  DELIVERED: OrderDelivered,
  RETURNED: OrderReturned,
  CANCELLED: OrderCancelled,
  FAILED: OrderFailed,
};

const SHIPMENT_EVENTS: Partial<Record<ShipmentStatus, EventDefinition<typeof ShipmentAccepted.dataSchema>>> = {
  ACCEPTED: ShipmentAccepted,
  REJECTED: ShipmentRejected,
  SHIPPED: ShipmentShipped,
  DELIVERED: ShipmentDelivered,
  CANCELLED: ShipmentCancelled,
};

/** Order and shipment items: a new order is OrderAccepted, a status change its Order<Status> event, and so on. */
export function orderEventsForChange(change: ItemChange): DomainEvent[] | undefined {
  const item = change.newItem ?? change.oldItem;
  if (item?.entity === 'Order' && change.newItem) {
    const after = change.newItem as unknown as Order;
    const before = change.oldItem as unknown as Order | undefined;
    if (change.kind === 'INSERT') return [orderEvent(OrderAccepted, change, after)];
    const definition = before?.status !== after.status ? ORDER_EVENTS[after.status] : undefined;
    // A return is received once (in store: when it is recorded; by mail: when it moves from AUTHORISED to RECEIVED).
    const wasReceived = new Set((before?.returns ?? []).filter((r) => (r.status ?? 'RECEIVED') === 'RECEIVED').map((r) => r.returnId));
    const received = (after.returns ?? []).filter((r) => (r.status ?? 'RECEIVED') === 'RECEIVED' && !wasReceived.has(r.returnId));
    const refunds = received.filter((r) => r.refund && r.refund.total.replace(/[0.]/g, '') !== '').map((r) => refundEvent(change, after, r));
    // Re-optimisation (issue 17): each move once, keyed by its window.
    const wasMoved = new Set((before?.reoptimised ?? []).map((r) => r.id));
    const moved = (after.reoptimised ?? []).filter((r) => !wasMoved.has(r.id)).map((r) => reoptimisedEvent(change, after, r));
    // Units cancelled line by line (pickups) are refunded once per cancellation; pickups moved by the fallback told once.
    const wasCancelled = new Set((before?.cancelledLines ?? []).map((c) => c.cancellationId));
    const cancelRefunds = (after.cancelledLines ?? []).filter((c) => !wasCancelled.has(c.cancellationId) && c.refund && c.refund.total.replace(/[0.]/g, '') !== '').map((c) => cancellationRefundEvent(change, after, c));
    const rerouted = (after.pickupReroutes ?? []).slice((before?.pickupReroutes ?? []).length).map((r) => rerouteEvent(change, after, r));
    return [
      ...received.map((r) => returnEvent(change, after, r)),
      ...refunds,
      ...moved,
      ...rerouted,
      ...cancelRefunds,
      ...(definition ? [orderEvent(definition, change, after, before?.status)] : []),
    ];
  }
  if (item?.entity === 'Shipment' && change.newItem) {
    const after = change.newItem as unknown as Shipment & { customer?: Order['customer'] };
    const before = change.oldItem as unknown as Shipment | undefined;
    if (change.kind === 'INSERT') return [shipmentEvent(FulfillmentRequested, change, after)];
    const definition = before?.status !== after.status ? SHIPMENT_EVENTS[after.status] : undefined;
    const delayed = after.delayed && !before?.delayed ? [delayEvent(change, after)] : [];
    return [...(definition ? [shipmentEvent(definition, change, after)] : []), ...pickupEvents(change, before, after), ...delayed];
  }
  return undefined;
}

function meta(change: ItemChange, type: string, tenantId: string, correlationId: string) {
  return { eventId: `${change.changeId}:${type}`, occurredAt: change.occurredAt, tenantId, correlationId };
}

function orderEvent(definition: EventDefinition<typeof OrderAllocated.dataSchema>, change: ItemChange, order: Order, previousStatus?: OrderStatus): DomainEvent {
  const { currency } = order;
  const totals = orderTotals(order);
  return createEvent(definition, meta(change, definition.detailType, order.tenantId, order.orderId), {
    orderId: order.orderId,
    status: order.status,
    ...(previousStatus ? { previousStatus } : {}),
    ...(order.statusReason ? { reason: order.statusReason } : {}),
    channel: order.channel,
    ...(order.externalId ? { externalId: order.externalId } : {}),
    customer: order.customer,
    attempt: order.attempt,
    lines: order.lines.map(({ lineId, sku, quantity, unitPriceMinor }) => ({
      lineId,
      sku,
      quantity,
      ...(currency !== undefined && unitPriceMinor !== undefined ? { unitPrice: formatMinor(unitPriceMinor, currency) } : {}),
    })),
    ...(totals ? { currency: totals.currency, shippingCharged: totals.shipping, totals } : {}),
    allocations: order.allocations ?? [],
    backorderedLines: order.backorderedLines ?? [],
  });
}

function returnEvent(change: ItemChange, order: Order, received: OrderReturn): DomainEvent {
  return createEvent(ReturnReceived, { ...meta(change, ReturnReceived.detailType, order.tenantId, order.orderId), eventId: `${change.changeId}:ReturnReceived:${received.returnId}` }, {
    orderId: order.orderId,
    returnId: received.returnId,
    locationId: received.locationId,
    lines: received.lines,
    ...(received.reason ? { reason: received.reason } : {}),
    receivedAt: received.receivedAt!,
    orderStatus: order.status,
    channel: order.channel,
    ...(order.externalId ? { externalId: order.externalId } : {}),
    customer: order.customer,
    ...(received.method ? { method: received.method } : {}),
    ...(received.refund ? { refund: received.refund } : {}),
    ...(received.exchange ? { exchangeOrderId: received.exchange.orderId } : {}),
  });
}

/** The refund a received return is owed (only when something is to be paid back), once per return id. */
function refundEvent(change: ItemChange, order: Order, received: OrderReturn): DomainEvent {
  const refund = received.refund!;
  return createEvent(RefundDue, { ...meta(change, RefundDue.detailType, order.tenantId, order.orderId), eventId: `${change.changeId}:RefundDue:${received.returnId}` }, {
    orderId: order.orderId,
    returnId: received.returnId,
    ...refund,
    receivedAt: received.receivedAt!,
    ...(received.exchange ? { exchangeOrderId: received.exchange.orderId } : {}),
    channel: order.channel,
    ...(order.externalId ? { externalId: order.externalId } : {}),
    customer: order.customer,
  });
}

function reoptimisedEvent(change: ItemChange, order: Order, moved: Reoptimisation): DomainEvent {
  return createEvent(ShipmentsReoptimised, { ...meta(change, ShipmentsReoptimised.detailType, order.tenantId, order.orderId), eventId: `${change.changeId}:ShipmentsReoptimised:${moved.id}` }, {
    orderId: order.orderId,
    reoptimisationId: moved.id,
    at: moved.at,
    withOrders: moved.withOrders,
    moves: moved.moves,
    saved: moved.saved,
    cancelledShipmentIds: moved.cancelledShipmentIds,
    requestedShipmentIds: moved.requestedShipmentIds,
    allocations: order.allocations,
    channel: order.channel,
    ...(order.externalId ? { externalId: order.externalId } : {}),
    customer: order.customer,
  });
}

const PICKUP_EVENTS: Partial<Record<ShipmentStatus, typeof CustomerArrived>> = { CUSTOMER_ARRIVED: CustomerArrived, PICKED_UP: PickedUp, EXPIRED: PickupExpired };

/**
 * A pickup's hand-over: PickupReady when it becomes ready or a new code is issued (the only event with the code),
 * CustomerArrived, PickedUp, PickupExpired on their statuses, PickupReminder when the reminder is recorded.
 */
function pickupEvents(change: ItemChange, before: Shipment | undefined, after: Shipment & { customer?: Order['customer'] }): DomainEvent[] {
  const pickup = after.pickup;
  if (!pickup) return [];
  const { code, failedAttempts: _tries, ...hold } = pickup;
  // The store as the shipment recorded it (planned, then refreshed when made ready): where and when, for the customer.
  const data = { ...shipmentData(after), ...(after.store ? { store: after.store } : {}) };
  const events: DomainEvent[] = [];
  if (after.status === 'READY_FOR_PICKUP' && (before?.status !== 'READY_FOR_PICKUP' || before.pickup?.code !== code)) {
    events.push(createEvent(PickupReady, meta(change, PickupReady.detailType, after.tenantId, after.orderId), { ...data, pickup: { ...hold, code } }));
  }
  const definition = before?.status !== after.status ? PICKUP_EVENTS[after.status] : undefined;
  if (definition) events.push(createEvent(definition, meta(change, definition.detailType, after.tenantId, after.orderId), { ...data, pickup: hold }));
  if (pickup.remindedAt && !before?.pickup?.remindedAt) {
    events.push(createEvent(PickupReminder, meta(change, PickupReminder.detailType, after.tenantId, after.orderId), { ...data, pickup: hold }));
  }
  return events;
}

function rerouteEvent(change: ItemChange, order: Order, reroute: PickupReroute): DomainEvent {
  return createEvent(PickupRerouted, { ...meta(change, PickupRerouted.detailType, order.tenantId, order.orderId), eventId: `${change.changeId}:PickupRerouted:${reroute.shipmentId}` }, {
    orderId: order.orderId,
    shipmentId: reroute.shipmentId,
    fromLocationId: reroute.fromLocationId,
    ...(reroute.fromStore ? { fromStore: reroute.fromStore } : {}),
    fallback: reroute.fallback,
    lineIds: reroute.lineIds,
    reason: reroute.reason,
    channel: order.channel,
    ...(order.externalId ? { externalId: order.externalId } : {}),
    customer: order.customer,
  });
}

/** The refund of units cancelled line by line, keyed by the cancellation (its id stands in RefundDue's returnId). */
function cancellationRefundEvent(change: ItemChange, order: Order, cancelled: CancelledLine): DomainEvent {
  return createEvent(RefundDue, { ...meta(change, RefundDue.detailType, order.tenantId, order.orderId), eventId: `${change.changeId}:RefundDue:${cancelled.cancellationId}` }, {
    orderId: order.orderId,
    returnId: cancelled.cancellationId,
    cause: cancelled.cause,
    ...(cancelled.shipmentId ? { shipmentId: cancelled.shipmentId } : {}),
    ...cancelled.refund!,
    receivedAt: cancelled.at,
    channel: order.channel,
    ...(order.externalId ? { externalId: order.externalId } : {}),
    customer: order.customer,
  });
}

function delayEvent(change: ItemChange, shipment: Shipment & { customer?: Order['customer'] }): DomainEvent {
  return createEvent(OrderDelayed, meta(change, OrderDelayed.detailType, shipment.tenantId, shipment.orderId), {
    orderId: shipment.orderId,
    shipmentId: shipment.shipmentId,
    locationId: shipment.locationId,
    shipmentStatus: shipment.status,
    previousPromisedDeliveryDate: shipment.delayed!.previousPromisedDeliveryDate,
    reason: shipment.delayed!.reason,
    ...(shipment.customer ? { customer: shipment.customer } : {}),
    ...(shipment.externalId ? { externalId: shipment.externalId } : {}),
  });
}

function shipmentEvent(definition: EventDefinition<typeof ShipmentAccepted.dataSchema>, change: ItemChange, shipment: Shipment & { customer?: Order['customer'] }): DomainEvent {
  return createEvent(definition, meta(change, definition.detailType, shipment.tenantId, shipment.orderId), shipmentData(shipment));
}

/** What every shipment event carries about its shipment. */
function shipmentData(shipment: Shipment & { customer?: Order['customer'] }) {
  const last = shipment.history.at(-1);
  const acceptBy = pendingAcceptBy(shipment);
  return {
    orderId: shipment.orderId,
    shipmentId: shipment.shipmentId,
    locationId: shipment.locationId,
    status: shipment.status,
    fulfillment: shipment.fulfillment,
    lines: shipment.lines,
    ...(shipment.quote ? { quote: shipment.quote } : {}),
    ...(acceptBy ? { acceptBy } : {}),
    ...(shipment.tracking ? { tracking: shipment.tracking } : {}),
    ...(last?.reason ? { reason: last.reason } : {}),
    ...(shipment.customer ? { customer: shipment.customer } : {}),
    ...(shipment.externalId ? { externalId: shipment.externalId } : {}),
    ...(last?.by ? { by: last.by } : {}),
  };
}
