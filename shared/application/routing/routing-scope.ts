import type { Location } from '#domain/inventory/location';
import type { Order } from '#domain/orders/order';
import type { RoutingScope } from '#domain/orders/planning';
import { needsNearestZip, regionsOf, type CustomRegion } from '#domain/routing/regions';
import type { RoutingDefaults } from '#domain/routing/rules';
import { SEEDED_ROUTING_DEFAULTS } from '#domain/tenants/tenant';
import type { Geocoder } from '../ports.ts';

/** What a tenant's settings say about routing: its defaults (none before onboarding seeded them) and custom regions. */
export interface RoutingSettings {
  defaults?: RoutingDefaults;
  customRegions: CustomRegion[];
}

/**
 * The regions the order's rule set is selected by (its destination's) and those of each location (the
 * `locationRegions` filter), and the tenant's defaults. A place in the US without a ZIP we can place is given the state
 * of the ZIP nearest its coordinates (a lookup the geocoder keeps per point).
 */
export async function routingScopeOf(
  deps: { geocoder: Pick<Geocoder, 'nearestPostalCode'> },
  order: Pick<Order, 'shipTo'>,
  destination: { lat: number; lon: number },
  locations: readonly Location[],
  settings: RoutingSettings,
): Promise<RoutingScope> {
  const custom = settings.customRegions;
  const regionsAt = async (place: { country: string; postalCode?: string | undefined }, point: { lat: number; lon: number }) =>
    regionsOf(place, custom, needsNearestZip(place) ? await deps.geocoder.nearestPostalCode(point, place.country) : undefined);
  const [destinationRegions, ...atLocations] = await Promise.all([
    regionsAt({ country: order.shipTo.country, postalCode: order.shipTo.postalCode }, destination),
    // A location without an address is taken to be in the US (the only country placed offline) when a US ZIP is near.
    ...locations.map((l) => regionsAt(l.address ?? { country: 'US' }, l.geo)),
  ]);
  return {
    destinationRegions,
    locationRegions: new Map(locations.map((l, i) => [l.locationId, atLocations[i]!])),
    // A tenant's first orders may route before the onboarding workflow has seeded its settings: they get the same
    // defaults the seeding writes, so a decision never depends on that race.
    defaults: settings.defaults ?? SEEDED_ROUTING_DEFAULTS,
  };
}
