import { createHash } from 'node:crypto';
import { pricedOrder, requestFingerprint, type PlaceOrderRequest } from '#domain/orders/intake';
import type { Order } from '#domain/orders/order';
import type { Clock, Geocoder, IdGenerator } from '../ports.ts';
import type { NetworkReader } from './fulfillment-ports.ts';
import type { OrderStore } from './ports.ts';

/** The order names things the tenant does not have (SKUs, pickup stores) or a place we cannot find: each field is listed. */
export class OrderReferenceError extends Error {
  override readonly name = 'OrderReferenceError';
  constructor(readonly fields: Array<{ field: string; message: string }>) {
    super(fields.map((f) => `${f.field}: ${f.message}`).join('; '));
  }
}

export class IdempotencyConflictError extends Error {
  override readonly name = 'IdempotencyConflictError';
  constructor(
    readonly guard: 'idempotencyKey' | 'externalId',
    readonly existingOrderId: string,
  ) {
    super(
      guard === 'idempotencyKey'
        ? `This Idempotency-Key was used for order ${existingOrderId} with a different body`
        : `Order ${existingOrderId} already has this channel and externalId, with a different body`,
    );
  }
}

export interface PlaceOrderDeps {
  orders: OrderStore;
  network: NetworkReader;
  geocoder: Geocoder;
  ids: IdGenerator;
  clock: Clock;
}

export interface PlacedOrder {
  orderId: string;
  status: Order['status'];
  /** False when this request repeated an earlier one (same Idempotency-Key, or same channel + externalId). */
  created: boolean;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Accepts an order: stores it as ACCEPTED and nothing else. Its workflow starts from the table's stream (OrderAccepted),
 * so an accepted order always starts exactly one workflow and a failed request never leaves a workflow behind.
 * A repeat of the same request (same Idempotency-Key, or a marketplace resending the same channel + externalId)
 * answers the first order; the same key with another body is refused.
 *
 * `options` serve the exchange of a return (returns.ts): the order id chosen with the return, and the link back to it.
 */
export async function placeOrder(
  deps: PlaceOrderDeps,
  tenantId: string,
  request: PlaceOrderRequest,
  idempotencyKey?: string,
  options: { orderId?: string; exchangeFor?: Order['exchangeFor'] } = {},
): Promise<PlacedOrder> {
  await checkReferences(deps, tenantId, request);
  const now = deps.clock.now().toISOString();
  const { lines, currency, shippingChargedMinor } = pricedOrder(request);
  const order: Order = {
    tenantId,
    orderId: options.orderId ?? deps.ids.next('o_'),
    channel: request.channel,
    ...(request.externalId ? { externalId: request.externalId } : {}),
    customer: request.customer,
    shipTo: request.shipTo,
    lines,
    ...(currency !== undefined ? { currency, shippingChargedMinor } : {}),
    ...(request.preference ? { preference: request.preference } : {}),
    ...(request.splitPolicy ? { splitPolicy: request.splitPolicy } : {}),
    ...(request.pickupFallback ? { pickupFallback: request.pickupFallback } : {}),
    ...(options.exchangeFor ? { exchangeFor: options.exchangeFor } : {}),
    status: 'ACCEPTED',
    allocations: [],
    backorderedLines: [],
    history: [{ status: 'ACCEPTED', at: now }],
    attempt: 0,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  const outcome = await deps.orders.create(order, {
    ...(idempotencyKey ? { idempotencyKeyDigest: sha256(idempotencyKey) } : {}),
    requestHash: sha256(requestFingerprint(request)),
  });
  if (outcome.created) return { orderId: order.orderId, status: order.status, created: true };
  if (!outcome.sameRequest) throw new IdempotencyConflictError(outcome.guard, outcome.existingOrderId);
  const existing = await deps.orders.get(tenantId, outcome.existingOrderId);
  return { orderId: outcome.existingOrderId, status: existing?.order.status ?? 'ACCEPTED', created: false };
}

/** Every SKU must be in the catalogue, every pickup store must exist and offer it, and the address must be placeable. */
async function checkReferences(deps: PlaceOrderDeps, tenantId: string, request: PlaceOrderRequest): Promise<void> {
  const needsStores = request.lines.some((l) => l.fulfillment.type !== 'ship');
  const [skus, locations, located] = await Promise.all([
    deps.network.skus(tenantId, request.lines.map((l) => l.sku)),
    needsStores ? deps.network.locations(tenantId) : Promise.resolve([]),
    request.shipTo.geo || !request.shipTo.postalCode ? Promise.resolve(true) : deps.geocoder.locate(request.shipTo.postalCode, request.shipTo.country),
  ]);
  const fields: Array<{ field: string; message: string }> = [];
  request.lines.forEach((line, i) => {
    if (!skus.has(line.sku)) fields.push({ field: `lines[${i}].sku`, message: `unknown SKU ${line.sku}: create it with PUT /skus/{sku}` });
    const { type, locationId } = line.fulfillment;
    if (type === 'ship' || !locationId) return;
    const location = locations.find((l) => l.locationId === locationId);
    if (!location) fields.push({ field: `lines[${i}].fulfillment.locationId`, message: `unknown location ${locationId}` });
    else if (!location.active || !location.capabilities[type]) fields.push({ field: `lines[${i}].fulfillment.locationId`, message: `${locationId} does not offer ${type}` });
  });
  if (!located) fields.push({ field: 'shipTo.postalCode', message: `cannot place ${request.shipTo.postalCode} (${request.shipTo.country}) on the map: send shipTo.geo` });
  if (fields.length) throw new OrderReferenceError(fields);
}
