import type { ShipmentStatus } from '#domain/orders/shipment';
import { mayUseLocation } from '#domain/tenants/api-keys';
import { LocationNotFoundError } from '../inventory/errors.ts';
import type { LocationStore } from '../ports.ts';
import type { OrderStore, ShipmentPage } from './ports.ts';

/**
 * A location's work queue (`GET /locations/{id}/shipments?status=REQUESTED` is its pick list): its shipments by
 * status, oldest first. A scoped API key sees only its own locations; any other is answered as a location that does
 * not exist, before anything is read.
 */
export async function listLocationShipments(
  deps: { orders: Pick<OrderStore, 'listByLocation'>; locations: Pick<LocationStore, 'existing'> },
  caller: { tenantId: string; locationIds?: readonly string[] },
  locationId: string,
  query: { status?: ShipmentStatus; limit: number; cursor?: string },
): Promise<ShipmentPage> {
  if (!mayUseLocation(caller, locationId)) throw new LocationNotFoundError(locationId);
  const [known, page] = await Promise.all([deps.locations.existing(caller.tenantId, [locationId]), deps.orders.listByLocation(caller.tenantId, locationId, query)]);
  if (!known.has(locationId)) throw new LocationNotFoundError(locationId);
  return page;
}
