import { OrderAccepted } from './order-accepted.ts';
import { OrderAllocated } from './order-allocated.ts';
import { OrderPartiallyAllocated } from './order-partially-allocated.ts';
import { OrderBackordered } from './order-backordered.ts';
import { OrderShipped } from './order-shipped.ts';
import { OrderDelivered } from './order-delivered.ts';
import { OrderCancelled } from './order-cancelled.ts';
import { OrderFailed } from './order-failed.ts';
import { OrderReturned } from './order-returned.ts';
import { OrderDelayed } from './order-delayed.ts';
import { ReturnReceived } from './return-received.ts';
import { RefundDue } from './refund-due.ts';
import { PickupReady } from './pickup-ready.ts';
import { CustomerArrived } from './customer-arrived.ts';
import { PickedUp } from './picked-up.ts';
import { PickupReminder } from './pickup-reminder.ts';
import { PickupExpired } from './pickup-expired.ts';
import { PickupRerouted } from './pickup-rerouted.ts';
import { FulfillmentRequested } from './fulfillment-requested.ts';
import { ShipmentAccepted } from './shipment-accepted.ts';
import { ShipmentRejected } from './shipment-rejected.ts';
import { ShipmentShipped } from './shipment-shipped.ts';
import { ShipmentDelivered } from './shipment-delivered.ts';
import { ShipmentCancelled } from './shipment-cancelled.ts';
import { ShipmentsReoptimised } from './shipments-reoptimised.ts';
import { StockChanged } from './stock-changed.ts';
import { StockLow } from './stock-low.ts';
import { ReorderSuggested } from './reorder-suggested.ts';
import { InboundCreated } from './inbound-created.ts';
import { InboundReceived } from './inbound-received.ts';
import { TenantCreated } from './tenant-created.ts';
import { WebhookTest } from './webhook-test.ts';
import { TransferRequested } from './transfer-requested.ts';
import { TransferShipped } from './transfer-shipped.ts';
import { TransferReceived } from './transfer-received.ts';
import { TransferCancelled } from './transfer-cancelled.ts';

/** Every event the DOM publishes, for schema generation and contract tests. */
export const allEvents = [
  TenantCreated,
  StockChanged,
  StockLow,
  ReorderSuggested,
  InboundCreated,
  InboundReceived,
  WebhookTest,
  OrderAccepted,
  OrderAllocated,
  OrderPartiallyAllocated,
  OrderBackordered,
  OrderShipped,
  OrderDelivered,
  OrderCancelled,
  OrderFailed,
  OrderReturned,
  ReturnReceived,
  RefundDue,
  OrderDelayed,
  PickupReady,
  CustomerArrived,
  PickedUp,
  PickupReminder,
  PickupExpired,
  PickupRerouted,
  FulfillmentRequested,
  ShipmentAccepted,
  ShipmentRejected,
  ShipmentShipped,
  ShipmentDelivered,
  ShipmentCancelled,
  TransferRequested,
  TransferShipped,
  TransferReceived,
  TransferCancelled,
  ShipmentsReoptimised,
];
