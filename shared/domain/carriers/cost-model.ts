// The bridge from carrier rating to the routing engine. For one order's destination it tells the engine,
// per candidate location, what a parcel from there costs, how many days it takes and how much CO2 it emits,
// in the engine's linear form: cost = shipmentCost + unitCostPerLb * weightLb.
//
// The approximation: the service is chosen once per location, by the order's preference, for a parcel of
// `typicalWeightLb`, and the carrier's price curve is replaced by a line through the exact price at that
// weight, with the marginal per-lb rate of that service and zone as its slope:
//   unitCostPerLb = marginal rate x fuel factor
//   shipmentCost  = handling + price(typical) - unitCostPerLb x typicalWeightLb
// so the model equals `rateService` exactly at the typical weight and drifts away from it as a parcel's
// weight crosses other weight breaks or whole-lb steps, or would have picked another service. Exact rating
// happens afterwards, per real parcel, with `rateService`. Should the line's intercept come out negative
// (a steep band above a cheap base), the line through the origin and the exact price is used instead, so
// the engine never sees a negative fixed cost. CO2 is linear in real weight, so its model is exact.
import { addBusinessDays, localTimeOf, parseIsoDate } from './calendar.ts';
import { DEFAULT_BALANCED_WEIGHTS, pickBestIndex, resolveBalancedWeights, type BalancedWeights, type Preference } from './choose-service.ts';
import type { HandlingLocationType, RateTable } from './rate-table.ts';
import { ZONE_COUNT } from './rate-table.ts';
import {
  KG_PER_LB,
  compileRateTable,
  departureDay,
  haversine,
  marginalPerLb,
  priceBeforeFuel,
  roundMoney,
  zoneOfKm,
  type LatLon,
} from './rating.ts';

export interface CostModelLocation {
  readonly id: string;
  readonly type: HandlingLocationType;
  readonly lat: number;
  readonly lon: number;
  /** Overrides the table's handling cost for this location. */
  readonly handlingCost?: number;
  /** IANA zone or UTC offset; the table's default when absent. */
  readonly timeZone?: string;
  /**
   * When a parcel from here can be handed to the carrier (a store's opening hours and handling); `shipDate` when
   * absent. Promised days still count from `shipDate`'s day, so a location that can only hand over tomorrow promises later.
   */
  readonly readyAt?: Date;
}

export interface CostModelInput {
  readonly table: RateTable;
  readonly preference: Preference;
  readonly destination: LatLon;
  /** The instant parcels are expected to be ready (normally: now, from the injected clock). */
  readonly shipDate: Date;
  readonly locations: readonly CostModelLocation[];
  readonly typicalWeightLb: number;
  /** Only services delivering by this date (YYYY-MM-DD) qualify; locations with none are left out. */
  readonly promiseBy?: string;
  readonly holidays?: readonly string[];
  readonly balancedWeights?: Partial<BalancedWeights>;
}

/** The fields of the routing engine's `CandidateLocation` that carrier rating supplies, plus the service used. */
export interface LocationCostModel {
  readonly serviceCode: string;
  /** Handling plus the carrier's fixed part of a parcel's price. */
  readonly shipmentCost: number;
  /** Marginal carrier price per lb around the typical weight, fuel included. */
  readonly unitCostPerLb: number;
  /** Calendar days from the day the parcel is ready to the promised delivery date. */
  readonly promisedDays: number;
  readonly co2KgPerParcel: number;
  readonly co2KgPerLb: number;
}

const STRIDE = ZONE_COUNT + 1;

/**
 * Per candidate location, the cost, days and CO2 of the service the preference picks for a typical parcel.
 * Locations no service can reach (zone not served, too heavy, `promiseBy` not met) are absent from the map.
 */
export function costModelFor(input: CostModelInput): Map<string, LocationCostModel> {
  const { table, locations, destination } = input;
  const w0 = input.typicalWeightLb;
  if (!(w0 > 0) || !Number.isFinite(w0)) throw new RangeError(`typicalWeightLb must be a positive number, got ${w0}`);
  const weights: BalancedWeights = input.balancedWeights ? resolveBalancedWeights(input.balancedWeights) : DEFAULT_BALANCED_WEIGHTS;
  const ct = compileRateTable(table);
  const services = ct.services;
  const S = services.length;
  const billable = Math.ceil(w0);
  const byLimit = input.promiseBy === undefined ? Infinity : parseIsoDate(input.promiseBy);
  if (byLimit === undefined) throw new RangeError(`promiseBy ${input.promiseBy} is not a calendar date YYYY-MM-DD`);
  const extraHolidays = (input.holidays ?? []).map((d) => {
    const n = parseIsoDate(d);
    if (n === undefined) throw new RangeError(`holiday ${d} is not a calendar date YYYY-MM-DD`);
    return n;
  });

  // Everything that depends on the service and zone but not on the location, computed once per call:
  // exact price (for the line), cents-rounded price (for choosing, as rateService's quotes would),
  // slope, and whether the service can carry the typical parcel at all.
  const exact = new Float64Array(S * STRIDE);
  const rounded = new Float64Array(S * STRIDE);
  const slope = new Float64Array(S * STRIDE);
  const serves = new Uint8Array(S * STRIDE);
  const codeRank = new Float64Array(S);
  // CO2 grams per km of great-circle distance for the typical parcel, per service.
  const gramsPerKm = new Float64Array(S);
  const kgPerLbPerKm = new Float64Array(S);
  const holidays = services.map((svc) => (extraHolidays.length ? new Set([...svc.holidays, ...extraHolidays]) : svc.holidays));
  for (let s = 0; s < S; s++) {
    const svc = services[s]!;
    codeRank[s] = svc.codeRank;
    gramsPerKm[s] = svc.co2GramsPerKgKm * svc.distanceFactor * w0 * KG_PER_LB;
    kgPerLbPerKm[s] = (svc.co2GramsPerKgKm * svc.distanceFactor * KG_PER_LB) / 1000;
    const ok = svc.active && w0 <= svc.maxWeightLb && billable <= svc.maxPricedLb;
    for (let z = 1; z <= ZONE_COUNT; z++) {
      const i = s * STRIDE + z;
      if (!ok || svc.transitDays[z]! < 0) continue;
      const p = priceBeforeFuel(svc, z, billable) * svc.fuelFactor;
      serves[i] = 1;
      exact[i] = p;
      rounded[i] = roundMoney(p);
      slope[i] = marginalPerLb(svc, z, billable) * svc.fuelFactor;
    }
  }

  // Delivery days depend on the origin's time zone (for the cut-off), the instant its parcel is ready, the service
  // and the zone. Locations share few zones and ready instants, so they are computed per distinct pair, not per location.
  const tzIndex = new Int32Array(locations.length);
  const tzIds = new Map<string, number>();
  const groups: Array<{ tz: string; readyAt: Date }> = [];
  for (let l = 0; l < locations.length; l++) {
    const tz = locations[l]!.timeZone ?? table.defaultTimeZone;
    const readyAt = locations[l]!.readyAt ?? input.shipDate;
    const key = `${tz}\u0000${readyAt.getTime()}`;
    let t = tzIds.get(key);
    if (t === undefined) {
      tzIds.set(key, (t = tzIds.size));
      groups.push({ tz, readyAt });
    }
    tzIndex[l] = t;
  }
  const readyDay = new Float64Array(tzIds.size);
  const deliveryDay = new Float64Array(tzIds.size * S * STRIDE);
  const localByZone = new Map<string, { dayNumber: number; msOfDay: number }>();
  const localIn = (tz: string, at: Date = input.shipDate) => {
    const key = `${tz}\u0000${at.getTime()}`;
    let v = localByZone.get(key);
    if (!v) localByZone.set(key, (v = localTimeOf(at, tz)));
    return v;
  };
  let maxTransit = 0;
  for (const svc of services) for (let z = 1; z <= ZONE_COUNT; z++) maxTransit = Math.max(maxTransit, svc.transitDays[z]!);
  const businessDays = new Float64Array(maxTransit + 1);
  for (const [t, { tz, readyAt }] of groups.entries()) {
    readyDay[t] = localIn(tz).dayNumber;
    for (let s = 0; s < S; s++) {
      const svc = services[s]!;
      const local = localIn(svc.cutoffTimeZone ?? tz, readyAt);
      // The departure day and the business days after it, so each zone's date is a lookup.
      businessDays[0] = departureDay(local.dayNumber, local.msOfDay, svc.cutoffMs, holidays[s]!);
      for (let k = 1; k <= maxTransit; k++) businessDays[k] = addBusinessDays(businessDays[k - 1]!, 1, holidays[s]!);
      for (let z = 1; z <= ZONE_COUNT; z++) {
        const days = svc.transitDays[z]!;
        deliveryDay[(t * S + s) * STRIDE + z] = days < 0 ? Infinity : businessDays[days]!;
      }
    }
  }

  const byType = table.handlingCost.byType;
  const byLocation = table.handlingCost.byLocation;
  const anyLocationOverride = Object.keys(byLocation).length > 0;
  const cost = new Float64Array(S);
  const day = new Float64Array(S);
  const co2 = new Float64Array(S);
  const eligible = new Uint8Array(S);
  const out = new Map<string, LocationCostModel>();
  const dLat = destination.lat;
  const dLon = destination.lon;

  for (let l = 0; l < locations.length; l++) {
    const loc = locations[l]!;
    const km = haversine(loc.lat, loc.lon, dLat, dLon);
    const zone = zoneOfKm(ct, km);
    const t = tzIndex[l]!;
    let any = false;
    for (let s = 0; s < S; s++) {
      const i = s * STRIDE + zone;
      const d = deliveryDay[(t * S + s) * STRIDE + zone]!;
      const ok = serves[i] === 1 && d <= byLimit;
      eligible[s] = ok ? 1 : 0;
      if (!ok) continue;
      any = true;
      cost[s] = rounded[i]!;
      day[s] = d;
      // Whole grams, as quotes report them, so that greenest ties break the same way here and there.
      co2[s] = Math.round(gramsPerKm[s]! * km);
    }
    if (!any) continue;
    const s = pickBestIndex(input.preference, S, cost, day, co2, codeRank, eligible, weights);
    const svc = services[s]!;
    const i = s * STRIDE + zone;
    const price = exact[i]!;
    let perLb = slope[i]!;
    let fixed = price - perLb * w0;
    if (fixed < 0) {
      fixed = 0;
      perLb = price / w0;
    }
    const handling =
      loc.handlingCost ?? (anyLocationOverride && Object.hasOwn(byLocation, loc.id) ? byLocation[loc.id]! : byType[loc.type]);
    out.set(loc.id, {
      serviceCode: svc.code,
      shipmentCost: handling + fixed,
      unitCostPerLb: perLb,
      promisedDays: day[s]! - readyDay[t]!,
      co2KgPerParcel: 0,
      co2KgPerLb: kgPerLbPerKm[s]! * km,
    });
  }
  return out;
}
