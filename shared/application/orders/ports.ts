import type { OrderChange } from '#domain/orders/change';
import type { Order, OrderStatus } from '#domain/orders/order';
import type { Shipment, ShipmentStatus } from '#domain/orders/shipment';
import type { StockLevel } from '#domain/inventory/stock';

export interface OrderDedupe {
  /** SHA-256 of the Idempotency-Key header (kept 24 h). */
  idempotencyKeyDigest?: string;
  /** SHA-256 of the canonical request body: the same key with another body is a conflict. */
  requestHash: string;
}

export type CreateOrderOutcome =
  | { created: true }
  | { created: false; existingOrderId: string; sameRequest: boolean; guard: 'idempotencyKey' | 'externalId' };

export interface OrderWithShipments {
  order: Order;
  shipments: Shipment[];
}

export interface OrderPage {
  orders: Order[];
  nextCursor?: string;
}

export interface ShipmentPage {
  shipments: Shipment[];
  nextCursor?: string;
}

export interface OrderStore {
  /** Stores a new order with its dedupe guards (idempotency key, channel + external id) in one transaction. */
  create(order: Order, dedupe: OrderDedupe): Promise<CreateOrderOutcome>;
  get(tenantId: string, orderId: string): Promise<OrderWithShipments | undefined>;
  list(tenantId: string, query: { status?: OrderStatus; limit: number; cursor?: string }): Promise<OrderPage>;
  /** A location's shipments (its work queue): by status, oldest first within a status. */
  listByLocation(tenantId: string, locationId: string, query: { status?: ShipmentStatus; limit: number; cursor?: string }): Promise<ShipmentPage>;
  /**
   * Writes a decided change in one transaction: the order if its stored version is still the change's
   * `expectedVersion`, its shipments, and each reservation it finishes if that is still PENDING (with the stock the
   * reservation holds). ConflictError when any guard failed: nothing was written.
   */
  commit(change: OrderChange): Promise<void>;
}

/** A change took a return id another order of the tenant already has (return ids are the tenant's RMA numbers). */
export class ReturnIdTakenError extends Error {
  override readonly name = 'ReturnIdTakenError';
  constructor(readonly returnId: string) {
    super(`Return id ${returnId} is already used by another order`);
  }
}
