import type { Order, OrderReturn } from '#domain/orders/order';
import { decideReturn, ReturnRefusedError, type ReturnRequest } from '#domain/orders/returns';
import { retryOnConflict } from '../errors.ts';
import type { Clock, LocationStore } from '../ports.ts';
import { loadOrder } from './lifecycle.ts';
import type { OrderStore } from './ports.ts';

export { ReturnConflictError } from '#domain/orders/returns';

export interface ReturnDeps {
  orders: OrderStore;
  locations: LocationStore;
  clock: Clock;
}

/**
 * Receives a customer's return at any of the merchant's locations (return-anywhere): the order records it, and the
 * restocked units go on-hand at the receiving location (an atomic add), in one transaction with the order, so a retried
 * request can neither lose the stock nor add it twice. The stream then updates the SKU's projection, whose StockChanged
 * event wakes orders waiting for that SKU. Idempotent by return id: the same request again answers the recorded return.
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
  // Only the order item is contended now (the stock is added to, not overwritten): a few retries settle any race.
  return retryOnConflict(async () => {
    const { order, shipments } = await loadOrder(deps, tenantId, input.orderId);
    const decision = decideReturn(order, shipments, request, deps.clock.now());
    if (decision.kind === 'repeat') return { order: decision.order, received: decision.received, repeated: true };
    await deps.orders.commit(decision.change);
    return { order: decision.change.order, received: decision.received, repeated: false };
  }, 8);
}
