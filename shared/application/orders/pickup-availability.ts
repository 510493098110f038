import { UnknownPostalCodeError } from '#domain/inventory/location';
import { availabilityCountersToRead, pickupAvailability, type StoreAvailability } from '#domain/orders/pickup-availability';
import type { PickupKind } from '#domain/orders/pickup-capacity';
import { getSkuNetwork } from '../inventory/stock-queries.ts';
import type { ChannelStore, Clock, Geocoder, SkuNetworkStore } from '../ports.ts';
import type { NetworkReader } from './fulfillment-ports.ts';

export interface AvailabilityDeps {
  network: Pick<NetworkReader, 'locations' | 'pickupSlotsUsed'>;
  networks: SkuNetworkStore;
  channels: ChannelStore;
  geocoder: Geocoder;
  clock: Clock;
}

export interface AvailabilityRequest {
  sku: string;
  quantity: number;
  /** A US ZIP, or a point. */
  near: { postalCode: string } | { lat: number; lon: number };
  radiusKm: number;
  fulfillment: PickupKind;
  channel?: string;
}

export interface AvailabilityAnswer {
  sku: string;
  quantity: number;
  fulfillment: PickupKind;
  near: { lat: number; lon: number; postalCode?: string };
  radiusKm: number;
  channel?: string;
  stores: StoreAvailability[];
}

/**
 * Checkout availability, read-only: the tenant's locations (cached 30 s per container, as the router's), the SKU's
 * stock projection (one GetItem, the router's own view of it, with the channel's hold-back) and, for the stores with a
 * pickup limit that could hold it, their slot counters (one consistent BatchGetItem). A ZIP is placed offline.
 */
export async function getPickupAvailability(deps: AvailabilityDeps, tenantId: string, request: AvailabilityRequest): Promise<AvailabilityAnswer> {
  const near = 'postalCode' in request.near ? await deps.geocoder.locate(request.near.postalCode, 'US') : request.near;
  if (!near) throw new UnknownPostalCodeError((request.near as { postalCode: string }).postalCode, 'US');
  const now = deps.clock.now();
  const [locations, [network]] = await Promise.all([
    deps.network.locations(tenantId),
    getSkuNetwork({ networks: deps.networks, channels: deps.channels }, tenantId, [request.sku], request.channel),
  ]);
  const question = {
    kind: request.fulfillment,
    quantity: request.quantity,
    near,
    radiusKm: request.radiusKm,
    locations,
    available: new Map(network!.locations.map((l) => [l.locationId, l.available])),
    now,
  };
  const counters = availabilityCountersToRead(question);
  const slotsUsed = counters.length && deps.network.pickupSlotsUsed ? await deps.network.pickupSlotsUsed(tenantId, counters) : new Map<string, number>();
  return {
    sku: request.sku,
    quantity: request.quantity,
    fulfillment: request.fulfillment,
    near: { lat: near.lat, lon: near.lon, ...('postalCode' in request.near ? { postalCode: request.near.postalCode } : {}) },
    radiusKm: request.radiusKm,
    ...(request.channel ? { channel: request.channel } : {}),
    stores: pickupAvailability({ ...question, slotsUsed }),
  };
}
