/**
 * Pickup capacity (issue 14 part 2): a store takes at most `pickupSlotsPerDay` pickups (pickup or curbside shipments)
 * a day, its own local day: the day the pickup is ready for the customer (its opening hours, its zone). A store that is
 * full that day does not take the line; the nearest store within FALLBACK_RADIUS_KM that can (stock for the whole line,
 * a free slot, the same kind of pickup) does, and the customer is told where. Pure: the caller passes the counts it read.
 */
import { haversineKm } from '../carriers/rating.ts';
import type { Location } from '../inventory/location.ts';
import { localDateOf, readyAtLocation } from '../inventory/opening-hours.ts';

/** How far from the store the customer chose another store may take the pickup. */
export const FALLBACK_RADIUS_KM = 50;

/**
 * The local day a pickup planned now at this store counts against: the store's local date of the instant it will be
 * ready (its hours and handling), or of now for a store without hours; the UTC date for a store without a zone.
 */
export function pickupSlotDay(location: Pick<Location, 'openingHours' | 'timeZone' | 'handlingMinutes'>, now: Date): string {
  const ready = readyAtLocation(location, now);
  const at = ready instanceof Date ? ready : now;
  return location.timeZone ? localDateOf(at, location.timeZone) : at.toISOString().slice(0, 10);
}

/** Free slots of the store on its slot day, given how many it has used; undefined when it sets no limit. */
export function freeSlots(location: Pick<Location, 'pickupSlotsPerDay'>, used: number): number | undefined {
  return location.pickupSlotsPerDay === undefined ? undefined : Math.max(0, location.pickupSlotsPerDay - used);
}

export type PickupKind = 'pickup' | 'curbside';

/** Whether a store can hold a pickup of this kind at all (active, capable, ready within a year). */
export function canHoldPickup(location: Location, kind: PickupKind, now: Date): boolean {
  return location.active && location.capabilities[kind] && readyAtLocation(location, now) !== 'never';
}

export interface PickupChoice {
  location: Location;
  /** Set when the line moved from the store the customer chose: which, and why (for the customer and the explanation). */
  fallback?: { from: string; reason: string; distanceKm: number };
}

export interface PickupQuestion {
  kind: PickupKind;
  /** The store the customer chose (may be unknown). */
  named: Location | undefined;
  namedId: string;
  sku: string;
  quantity: number;
  locations: readonly Location[];
  /** Units left per location and SKU (after what this plan took). */
  stock: ReadonlyMap<string, Record<string, number>>;
  /** Slots used on each store's slot day, by location id (absent: none used). */
  slotsUsed: ReadonlyMap<string, number>;
  /** Stores this plan already gives a slot of this kind: another line joins that pickup without a slot of its own. */
  planned: ReadonlySet<string>;
  now: Date;
}

/** Whether the store has a slot for this plan: it sets no limit, the plan already holds one there, or one is free. */
export function hasSlot(location: Location, question: Pick<PickupQuestion, 'slotsUsed' | 'planned'>): boolean {
  if (question.planned.has(location.locationId)) return true;
  const free = freeSlots(location, question.slotsUsed.get(location.locationId) ?? 0);
  return free === undefined || free > 0;
}

/**
 * Where a pickup line goes: the store the customer chose, unless it is full on its pickup day; then the nearest other
 * store within FALLBACK_RADIUS_KM (of the chosen store) that holds the whole line, has a slot and offers this kind of
 * pickup (ties by id, so the choice is stable). Undefined: the chosen store is full and no store near it can take it.
 * A chosen store that is not full takes the line with whatever stock it has (as before capacity existed).
 */
export function choosePickupStore(question: PickupQuestion): PickupChoice | undefined {
  const { named } = question;
  if (!named || !canHoldPickup(named, question.kind, question.now)) return named ? { location: named } : undefined;
  if (hasSlot(named, question)) return { location: named };
  const reason = `${named.locationId} has no ${question.kind} slot left on ${pickupSlotDay(named, question.now)} (${named.pickupSlotsPerDay} a day)`;
  const candidates = question.locations
    .filter((l) => l.locationId !== named.locationId && canHoldPickup(l, question.kind, question.now))
    .filter((l) => (question.stock.get(l.locationId)?.[question.sku] ?? 0) >= question.quantity && hasSlot(l, question))
    .map((l) => ({ location: l, distanceKm: haversineKm(named.geo, l.geo) }))
    .filter((c) => c.distanceKm <= FALLBACK_RADIUS_KM)
    .sort((a, b) => a.distanceKm - b.distanceKm || (a.location.locationId < b.location.locationId ? -1 : 1));
  const best = candidates[0];
  if (!best) return undefined;
  return { location: best.location, fallback: { from: named.locationId, reason, distanceKm: Math.round(best.distanceKm * 10) / 10 } };
}

/** The slot counters to take in the allocation's transaction: one per store and day, with how many and the limit. */
export interface SlotTake {
  locationId: string;
  day: string;
  count: number;
  perDay: number;
}

/** The takes of the new pickup shipments that hold a slot, merged per store and day (a transaction touches an item once). */
export function slotTakesOf(parcels: ReadonlyArray<{ locationId: string; pickupSlot?: { day: string; perDay: number } }>): SlotTake[] {
  const takes = new Map<string, SlotTake>();
  for (const parcel of parcels) {
    if (!parcel.pickupSlot) continue;
    const key = `${parcel.locationId}\u0000${parcel.pickupSlot.day}`;
    const take = takes.get(key) ?? { locationId: parcel.locationId, day: parcel.pickupSlot.day, count: 0, perDay: parcel.pickupSlot.perDay };
    takes.set(key, { ...take, count: take.count + 1 });
  }
  return [...takes.values()];
}

/** The slots a change gives back: its shipments holding a slot whose reservation it releases, merged per store and day. */
export function slotReleasesOf(
  shipments: ReadonlyArray<{ locationId: string; reservationId: string; pickupSlot?: { day: string } }>,
  released: ReadonlySet<string>,
): Array<{ locationId: string; day: string; count: number }> {
  const out = new Map<string, { locationId: string; day: string; count: number }>();
  for (const shipment of shipments) {
    if (!shipment.pickupSlot || !released.has(shipment.reservationId)) continue;
    const key = `${shipment.locationId}\u0000${shipment.pickupSlot.day}`;
    const entry = out.get(key) ?? { locationId: shipment.locationId, day: shipment.pickupSlot.day, count: 0 };
    out.set(key, { ...entry, count: entry.count + 1 });
  }
  return [...out.values()];
}

/**
 * The stores whose slot counters an order's pickup lines need read before planning: each chosen store with a limit,
 * and the stores with a limit that could take a line from it (FALLBACK_RADIUS_KM), each on its own slot day.
 */
export function slotCountersToRead(chosen: ReadonlyArray<{ locationId: string; kind: PickupKind }>, locations: readonly Location[], now: Date): Array<{ locationId: string; day: string }> {
  const byId = new Map(locations.map((l) => [l.locationId, l]));
  const wanted = new Map<string, Location>();
  for (const { locationId, kind } of chosen) {
    const named = byId.get(locationId);
    if (!named || named.pickupSlotsPerDay === undefined) continue;
    wanted.set(named.locationId, named);
    for (const l of locations) {
      if (l.pickupSlotsPerDay !== undefined && l.active && l.capabilities[kind] && haversineKm(named.geo, l.geo) <= FALLBACK_RADIUS_KM) wanted.set(l.locationId, l);
    }
  }
  return [...wanted.values()].map((l) => ({ locationId: l.locationId, day: pickupSlotDay(l, now) }));
}
