import { formatMinor } from '#domain/orders/money';
import { orderTotals, type Order } from '#domain/orders/order';
import { pendingAcceptBy, type Shipment } from '#domain/orders/shipment';

const withoutCode = ({ code: _code, ...hold }: NonNullable<Shipment['pickup']>) => hold;

/** How the API shows a shipment: its quote's fields at the top (carrier, service, cost, promise, CO2). */
export function shipmentView(shipment: Shipment) {
  // `store` is the pickup's store as its customer is told (events only): GET /locations/{id} shows the store itself.
  const { tenantId: _tenantId, customer: _customer, reservationId: _reservationId, version: _version, acceptBy: _stored, stockShards: _shards, store: _store, pickup, ...rest } = shipment;
  const acceptBy = pendingAcceptBy(shipment);
  return {
    ...rest,
    // The deadline matters while the location has yet to accept; afterwards it would only mislead.
    ...(acceptBy ? { acceptBy } : {}),
    // The code is the customer's proof at the counter: only the PickupReady event (to the customer) carries it.
    ...(pickup ? { pickup: withoutCode(pickup) } : {}),
    ...(shipment.quote
      ? {
          carrier: shipment.quote.carrier,
          service: shipment.quote.service,
          cost: shipment.quote.cost,
          promisedDeliveryDate: shipment.quote.promisedDeliveryDate,
          ...(shipment.quote.readyBy ? { readyBy: shipment.quote.readyBy } : {}),
          co2Grams: shipment.quote.co2Grams,
        }
      : {}),
  };
}

export function orderView(order: Order, shipments?: Shipment[]) {
  // The attempt and the run that owns it are the workflow's bookkeeping, not the merchant's view of the order.
  const { tenantId: _tenantId, version: _version, attempt: _attempt, execution: _run, runs: _runs, routingExclusions: _exclusions, lines, currency, shippingChargedMinor: _shipping, pickupReroutes, ...rest } = order;
  // Money is stored in minor units and shown as the decimal strings the order was placed with ("19.99").
  const totals = orderTotals(order);
  return {
    ...rest,
    lines: lines.map(({ unitPriceMinor, ...line }) => ({ ...line, ...(currency !== undefined && unitPriceMinor !== undefined ? { unitPrice: formatMinor(unitPriceMinor, currency) } : {}) })),
    ...(totals ? { currency: totals.currency, shippingCharged: totals.shipping, totals } : {}),
    // The store a reroute left is told to the customer (PickupRerouted); the view names it by id.
    ...(pickupReroutes ? { pickupReroutes: pickupReroutes.map(({ fromStore: _fromStore, ...reroute }) => reroute) } : {}),
    ...(shipments ? { shipments: shipments.map(shipmentView) } : {}),
  };
}
