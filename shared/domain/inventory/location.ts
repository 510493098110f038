import type { OpeningHours } from './opening-hours.ts';
import type { LocationAddress, LocationType, PutLocationInput } from './schemas.ts';

export interface Location {
  tenantId: string;
  locationId: string;
  name: string;
  type: LocationType;
  geo: { lat: number; lon: number };
  /** `line1`, `line2`, `city` and `region` are only told to customers (a pickup's store); routing reads the rest. */
  address?: LocationAddress;
  capabilities: { ship: boolean; pickup: boolean; curbside: boolean };
  /** Cost of handling one shipment here, in the tenant's currency. */
  handlingCost: number;
  dailyCapacity?: number;
  /** Hours to accept a requested shipment before it is routed elsewhere; unset: the default of its type. */
  acceptanceHours?: number;
  rank?: number;
  active: boolean;
  /** Local opening hours per weekday, in `timeZone`; absent: the location works round the clock. */
  openingHours?: OpeningHours;
  /** IANA zone of the location (its opening hours, and the carriers' cut-offs there). */
  timeZone?: string;
  /** Minutes of open time to have a parcel ready (default DEFAULT_HANDLING_MINUTES when it has opening hours). */
  handlingMinutes?: number;
  /** Pickups (pickup and curbside shipments) the store takes on one local day; absent: no limit. */
  pickupSlotsPerDay?: number;
  /** Days a ready pickup is held for the customer before it expires (default 5): a reminder halfway. */
  pickupHoldDays?: number;
  version: number;
  updatedAt: string;
}

/**
 * What a pickup's customer is told about its store: its name, street address, zone and hours, copied from the location
 * onto the pickup when it is planned and again when the store makes it ready, so its events (and the messages made
 * from them) say where and when without a read back, and as the store was then.
 */
export interface PickupStore {
  locationId: string;
  name: string;
  address?: LocationAddress;
  timeZone?: string;
  openingHours?: OpeningHours;
}

export function pickupStoreOf(location: Location): PickupStore {
  return {
    locationId: location.locationId,
    name: location.name,
    ...(location.address ? { address: location.address } : {}),
    ...(location.timeZone ? { timeZone: location.timeZone } : {}),
    ...(location.openingHours ? { openingHours: location.openingHours } : {}),
  };
}

/** Per-shipment handling cost when the merchant gives none: stores pick from the shop floor, drop-shippers charge a fee. */
export const DEFAULT_HANDLING_COST: Record<LocationType, number> = { warehouse: 2.5, '3pl': 3.5, store: 5, dropship: 7.5 };

/** Thrown when an address cannot be placed on the map offline: the merchant must give `geo`. */
export class UnknownPostalCodeError extends Error {
  override readonly name = 'UnknownPostalCodeError';
  constructor(readonly postalCode: string, readonly country: string) {
    super(
      country === 'US'
        ? `ZIP ${postalCode} is unknown; give geo {lat, lon} instead`
        : `Addresses in ${country} cannot be geocoded offline (only US ZIPs); give geo {lat, lon}`,
    );
  }
}

export function locationOf(
  tenantId: string,
  locationId: string,
  input: PutLocationInput,
  geo: { lat: number; lon: number },
  now: Date,
): Omit<Location, 'version'> {
  return {
    tenantId,
    locationId,
    name: input.name,
    type: input.type,
    geo,
    ...(input.address ? { address: addressOf(input.address) } : {}),
    capabilities: input.capabilities,
    handlingCost: input.handlingCost ?? DEFAULT_HANDLING_COST[input.type],
    ...(input.dailyCapacity !== undefined ? { dailyCapacity: input.dailyCapacity } : {}),
    ...(input.acceptanceHours !== undefined ? { acceptanceHours: input.acceptanceHours } : {}),
    ...(input.rank !== undefined ? { rank: input.rank } : {}),
    active: input.active,
    ...(input.openingHours ? { openingHours: input.openingHours } : {}),
    ...(input.timeZone ? { timeZone: input.timeZone } : {}),
    ...(input.handlingMinutes !== undefined ? { handlingMinutes: input.handlingMinutes } : {}),
    ...(input.pickupSlotsPerDay !== undefined ? { pickupSlotsPerDay: input.pickupSlotsPerDay } : {}),
    ...(input.pickupHoldDays !== undefined ? { pickupHoldDays: input.pickupHoldDays } : {}),
    updatedAt: now.toISOString(),
  };
}

/** The address as stored: its parts in a fixed order, the optional ones only when given. */
function addressOf(address: LocationAddress): LocationAddress {
  const { line1, line2, city, region, postalCode, country } = address;
  return { ...(line1 ? { line1 } : {}), ...(line2 ? { line2 } : {}), ...(city ? { city } : {}), ...(region ? { region } : {}), postalCode, country };
}

/** US ZIPs are five digits; ZIP+4 is accepted and its suffix dropped. */
export function normalizeUsZip(postalCode: string): string | undefined {
  const match = /^(\d{5})(?:-?\d{4})?$/.exec(postalCode.trim());
  return match?.[1];
}

export interface Sku {
  tenantId: string;
  sku: string;
  name?: string;
  weightLb: number;
  dims?: { lengthIn: number; widthIn: number; heightIn: number };
  lowStockThreshold?: number;
  /** The merchant's category (`glass`, `Apparel/Tees`): routing rule sets can be scoped by it. */
  category?: string;
  version: number;
  updatedAt: string;
}

export interface ChannelRule {
  tenantId: string;
  channel: string;
  holdBack: { units?: number; share?: number };
  skus?: Record<string, { units?: number; share?: number }>;
  version: number;
  updatedAt: string;
}

export function holdBackFor(rule: ChannelRule | undefined, sku: string): { units?: number; share?: number } | undefined {
  if (!rule) return undefined;
  return rule.skus?.[sku] ?? rule.holdBack;
}
