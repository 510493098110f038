import { applyAdjustment, emptyLevel, type StockLevel } from '#domain/inventory/stock';
import type { Order, OrderReturn } from '#domain/orders/order';
import { recordedReturn, receiveReturn, restockedUnits, ReturnRefusedError, sameReturn, type ReturnRequest } from '#domain/orders/returns';
import type { Clock, LocationStore, StockStore } from '../ports.ts';
import { ConflictError } from '../errors.ts';
import { OrderNotFoundError } from './lifecycle.ts';
import type { OrderStore } from './ports.ts';

export interface ReturnDeps {
  orders: OrderStore;
  locations: LocationStore;
  stock: StockStore;
  clock: Clock;
}

/** The return id was used before, for another return of the order. */
export class ReturnConflictError extends Error {
  override readonly name = 'ReturnConflictError';
  constructor(readonly returnId: string) {
    super(`Return ${returnId} was already received with other lines or at another location`);
  }
}

const MAX_ATTEMPTS = 5;

/**
 * Receives a customer's return at any of the merchant's locations (return-anywhere): the order records it, and the
 * restocked units go on-hand at the receiving location, in one transaction with the order (so a retried request can
 * neither lose the stock nor add it twice). The stream then updates the SKU's projection, whose StockChanged event
 * wakes orders waiting for that SKU. Idempotent by return id: the same request again answers the recorded return.
 */
export async function receiveOrderReturn(
  deps: ReturnDeps,
  input: { tenantId: string; orderId: string; request: ReturnRequest },
): Promise<{ order: Order; received: OrderReturn; repeated: boolean }> {
  const { tenantId, request } = input;
  const location = await deps.locations.get(tenantId, request.locationId);
  if (!location) throw new ReturnRefusedError([{ field: 'locationId', message: `location ${request.locationId} does not exist` }]);
  if (location.type === 'dropship') throw new ReturnRefusedError([{ field: 'locationId', message: `${request.locationId} is a drop-shipper; returns go to the merchant's own locations` }]);
  if (!location.active) throw new ReturnRefusedError([{ field: 'locationId', message: `location ${request.locationId} is not active` }]);

  for (let attempt = 1; ; attempt++) {
    const found = await deps.orders.get(tenantId, input.orderId);
    if (!found) throw new OrderNotFoundError(input.orderId);
    const { order, shipments } = found;
    const recorded = recordedReturn(order, request.returnId);
    if (recorded) {
      if (!sameReturn(recorded, request)) throw new ReturnConflictError(request.returnId);
      return { order, received: recorded, repeated: true };
    }
    const now = deps.clock.now();
    const next = receiveReturn(order, shipments, request, now);
    const restock = [...restockedUnits(next.received)];
    const current = restock.length ? await deps.stock.getMany(tenantId, restock.map(([sku]) => ({ locationId: location.locationId, sku }))) : new Map<string, StockLevel>();
    const stock = restock.map(([sku, units]) => {
      const base = current.get(`${location.locationId} ${sku}`) ?? emptyLevel(tenantId, location.locationId, sku, now);
      const outcome = applyAdjustment(base, { locationId: location.locationId, sku, delta: units, reason: `return ${request.returnId}` }, now);
      // A positive delta is always applied: it cannot take on-hand below zero or below the reserved units.
      if (outcome.kind !== 'applied') throw new Error(`restocking ${units} unit(s) of ${sku} was refused: ${outcome.kind}`);
      return { level: outcome.level, expectedVersion: base.version };
    });
    try {
      await deps.orders.saveWithStock(next.order, order.version, stock);
      return { order: next.order, received: next.received, repeated: false };
    } catch (error) {
      // The order or a stock item moved meanwhile (a reservation, another return): read both again.
      if (!(error instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}
