import { locationOf, UnknownPostalCodeError, type ChannelRule, type Location, type Sku } from '#domain/inventory/location';
import type { PutChannelInput, PutLocationInput, PutSkuInput } from '#domain/inventory/schemas';
import type { ChannelStore, Clock, Geocoder, LocationStore, Page, SkuStore } from '../ports.ts';
import { LocationNotFoundError, SkuNotFoundError } from './errors.ts';

/** Creates or replaces a location. Without `geo`, the address is geocoded offline; an unplaceable one is refused. */
export async function putLocation(
  deps: { locations: LocationStore; geocoder: Geocoder; clock: Clock },
  tenantId: string,
  locationId: string,
  input: PutLocationInput,
): Promise<{ location: Location; created: boolean }> {
  let geo = input.geo;
  if (!geo && input.address) {
    geo = await deps.geocoder.locate(input.address.postalCode, input.address.country);
    if (!geo) throw new UnknownPostalCodeError(input.address.postalCode, input.address.country);
  }
  if (!geo) throw new Error('a location needs geo or an address (the schema guarantees one)');
  return deps.locations.put(locationOf(tenantId, locationId, input, geo, deps.clock.now()));
}

export async function getLocation(deps: { locations: LocationStore }, tenantId: string, locationId: string): Promise<Location> {
  const location = await deps.locations.get(tenantId, locationId);
  if (!location) throw new LocationNotFoundError(locationId);
  return location;
}

export function listLocations(deps: { locations: LocationStore }, tenantId: string, page: { limit: number; after?: Record<string, unknown> }): Promise<Page<Location>> {
  return deps.locations.list(tenantId, page);
}

export function putSku(deps: { skus: SkuStore; clock: Clock }, tenantId: string, sku: string, input: PutSkuInput): Promise<{ sku: Sku; created: boolean }> {
  return deps.skus.put({ tenantId, sku, ...input, updatedAt: deps.clock.now().toISOString() });
}

export async function getSku(deps: { skus: SkuStore }, tenantId: string, sku: string): Promise<Sku> {
  const found = await deps.skus.get(tenantId, sku);
  if (!found) throw new SkuNotFoundError(sku);
  return found;
}

export function putChannel(deps: { channels: ChannelStore; clock: Clock }, tenantId: string, channel: string, input: PutChannelInput): Promise<ChannelRule> {
  return deps.channels.put({ tenantId, channel, holdBack: input.holdBack, ...(input.skus ? { skus: input.skus } : {}), updatedAt: deps.clock.now().toISOString() });
}

export function listChannels(deps: { channels: ChannelStore }, tenantId: string): Promise<ChannelRule[]> {
  return deps.channels.list(tenantId);
}
