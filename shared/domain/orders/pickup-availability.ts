/**
 * Checkout availability (issue 14 part 2): which stores near the customer can hold a pickup of `quantity` units of a
 * SKU now, with their stock, distance, free pickup slots and when the pickup would be ready. The same tests the router
 * applies when it places a pickup (pickup-capacity.ts): active, offering that kind of pickup, open within a year, the
 * whole quantity available, a slot free on the store's pickup day. Pure: the caller reads stock and slot counts.
 */
import { haversineKm } from '../carriers/rating.ts';
import type { Location } from '../inventory/location.ts';
import { readyAtLocation } from '../inventory/opening-hours.ts';
import { freeSlots, pickupSlotDay, type PickupKind } from './pickup-capacity.ts';

export const DEFAULT_AVAILABILITY_RADIUS_KM = 50;
export const MAX_AVAILABILITY_RADIUS_KM = 500;
/** At most this many stores are answered, nearest first: a checkout shows a handful. */
export const MAX_AVAILABILITY_STORES = 50;

export interface AvailabilityQuestion {
  kind: PickupKind;
  quantity: number;
  near: { lat: number; lon: number };
  radiusKm: number;
  locations: readonly Location[];
  /** Sellable units of the SKU per location (the channel's hold-back applied). */
  available: ReadonlyMap<string, number>;
  /** Pickup slots used per location on its slot day (`pickupSlotDay`). */
  slotsUsed: ReadonlyMap<string, number>;
  now: Date;
}

export interface StoreAvailability {
  locationId: string;
  name: string;
  distanceKm: number;
  available: number;
  /** Whether the store also offers curbside. */
  curbside: boolean;
  /** When a pickup placed now would be ready (opening hours and handling; now for a store without hours). */
  readyBy: string;
  /** The store's local day the pickup counts against (the day it is ready). */
  pickupDay: string;
  /** Slots still free that day; absent when the store sets no limit. */
  freeSlots?: number;
  timeZone?: string;
}

/** The stores within the radius that can hold the pickup now, nearest first (ties by id), at most MAX_AVAILABILITY_STORES. */
export function pickupAvailability(question: AvailabilityQuestion): StoreAvailability[] {
  return candidates(question)
    .flatMap(({ location, store }) => {
      const free = freeSlots(location, question.slotsUsed.get(location.locationId) ?? 0);
      if (free === 0) return [];
      return [{ ...store, ...(free !== undefined ? { freeSlots: free } : {}), ...(location.timeZone ? { timeZone: location.timeZone } : {}) }];
    })
    .slice(0, MAX_AVAILABILITY_STORES);
}

/** The slot counters the answer needs: those of the stores with a limit that pass every other test. */
export function availabilityCountersToRead(question: Omit<AvailabilityQuestion, 'slotsUsed'>): Array<{ locationId: string; day: string }> {
  return candidates(question).flatMap(({ location, store }) => (location.pickupSlotsPerDay !== undefined ? [{ locationId: location.locationId, day: store.pickupDay }] : []));
}

/** Every store passing all tests but the slots, nearest first. */
function candidates(question: Omit<AvailabilityQuestion, 'slotsUsed'>): Array<{ location: Location; store: StoreAvailability }> {
  const found: Array<{ location: Location; store: StoreAvailability }> = [];
  for (const location of question.locations) {
    if (!location.active || !location.capabilities[question.kind]) continue;
    const available = question.available.get(location.locationId) ?? 0;
    if (available < question.quantity) continue;
    const distanceKm = haversineKm(question.near, location.geo);
    if (distanceKm > question.radiusKm) continue;
    const ready = readyAtLocation(location, question.now);
    if (ready === 'never') continue;
    found.push({
      location,
      store: {
        locationId: location.locationId,
        name: location.name,
        distanceKm: Math.round(distanceKm * 10) / 10,
        available,
        curbside: location.capabilities.curbside,
        readyBy: (ready ?? question.now).toISOString(),
        pickupDay: pickupSlotDay(location, question.now),
      },
    });
  }
  return found.sort((a, b) => a.store.distanceKm - b.store.distanceKm || (a.location.locationId < b.location.locationId ? -1 : 1));
}
