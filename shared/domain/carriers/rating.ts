// Rates one parcel on one service: zone by great-circle distance, billable weight, price by zone and weight,
// fuel surcharge, the promised delivery date from cut-off, transit days and the business calendar, and CO2.
// The same compiled form of the table feeds `costModelFor`, so routing and the later carrier-rate Lambda
// cannot disagree about a price.
import {
  addBusinessDays,
  isBusinessDay,
  isoDateFromDayNumber,
  localTimeOf,
  nextBusinessDay,
  parseIsoDate,
} from './calendar.ts';
import { ZONE_COUNT, type Mode, type RateTable, type Service } from './rate-table.ts';

export interface LatLon {
  readonly lat: number;
  readonly lon: number;
}

/** Mean Earth radius (IUGG), km. */
const EARTH_RADIUS_KM = 6371.0088;
const RAD = Math.PI / 180;
export const KG_PER_LB = 0.45359237;

/** Great-circle distance in km. */
export function haversineKm(a: LatLon, b: LatLon): number {
  return haversine(a.lat, a.lon, b.lat, b.lon);
}

export function haversine(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(s)));
}

/** Rounds money once, at the end. The tiny nudge keeps 1.005 (stored as 1.00499…) from rounding down. */
export function roundMoney(amount: number): number {
  return Math.round(amount * 100 + 1e-9) / 100;
}

// ---- compiled form -------------------------------------------------------------------------------

/** A service flattened into typed arrays indexed by zone (index 0 unused), built once per table. */
export interface CompiledService {
  readonly index: number;
  readonly code: string;
  readonly name: string;
  readonly carrierCode: string;
  readonly mode: Mode;
  /** Service and carrier both active. */
  readonly active: boolean;
  readonly maxWeightLb: number;
  readonly dimDivisor: number | undefined;
  readonly fuelFactor: number;
  /** -1 where the zone is not served. */
  readonly transitDays: Int16Array;
  readonly cutoffMs: number;
  readonly cutoffTimeZone: string | undefined;
  readonly pricingKind: 'per-lb' | 'table';
  /** per-lb: base price per zone. */
  readonly base: Float64Array;
  /** per-lb: break weights; table: row upper bounds. */
  readonly weights: Float64Array;
  /** per-lb: rate per lb above each break; table: row prices. Index `i * (ZONE_COUNT + 1) + zone`. */
  readonly rates: Float64Array;
  /** Highest billable weight the price covers (table pricing), else Infinity. */
  readonly maxPricedLb: number;
  readonly co2GramsPerKgKm: number;
  readonly distanceFactor: number;
  readonly holidays: ReadonlySet<number>;
  /** Position in code order, for deterministic tie-breaks. */
  readonly codeRank: number;
}

export interface CompiledRateTable {
  readonly table: RateTable;
  readonly zoneUpToKm: Float64Array;
  readonly zoneOfBand: Int8Array;
  readonly services: readonly CompiledService[];
  readonly byCode: ReadonlyMap<string, CompiledService>;
}

const STRIDE = ZONE_COUNT + 1;
const compiled = new WeakMap<RateTable, CompiledRateTable>();

function toDayNumbers(dates: readonly string[]): number[] {
  return dates.map((d) => parseIsoDate(d)!);
}

function compileService(table: RateTable, carrier: RateTable['carriers'][number], svc: Service, index: number): Omit<CompiledService, 'codeRank'> {
  const transitDays = new Int16Array(STRIDE).fill(-1);
  svc.transitDays.forEach((d, z) => (transitDays[z + 1] = d ?? -1));
  const base = new Float64Array(STRIDE);
  let weights: Float64Array;
  let rates: Float64Array;
  let maxPricedLb = Infinity;
  const p = svc.pricing;
  if (p.kind === 'per-lb') {
    p.base.forEach((v, z) => (base[z + 1] = v ?? NaN));
    weights = Float64Array.from(p.breaks.map((b) => b.aboveLb));
    rates = new Float64Array(p.breaks.length * STRIDE);
    p.breaks.forEach((b, i) => b.perLb.forEach((v, z) => (rates[i * STRIDE + z + 1] = v ?? NaN)));
  } else {
    weights = Float64Array.from(p.rows.map((r) => r.upToLb));
    rates = new Float64Array(p.rows.length * STRIDE);
    p.rows.forEach((r, i) => r.prices.forEach((v, z) => (rates[i * STRIDE + z + 1] = v ?? NaN)));
    maxPricedLb = p.rows.at(-1)!.upToLb;
  }
  const [hh, mm] = svc.cutoff.localTime.split(':').map(Number) as [number, number];
  return {
    index,
    code: svc.code,
    name: svc.name,
    carrierCode: carrier.code,
    mode: svc.mode,
    active: svc.active && carrier.active,
    maxWeightLb: svc.maxWeightLb,
    dimDivisor: svc.dimDivisor ?? carrier.dimDivisor,
    fuelFactor: 1 + (svc.fuelSurchargePct ?? carrier.fuelSurchargePct) / 100,
    transitDays,
    // A parcel ready during the cut-off minute still makes it; one second later it does not.
    cutoffMs: ((hh * 60 + mm) * 60 + 59) * 1000 + 999,
    cutoffTimeZone: svc.cutoff.timeZone,
    pricingKind: p.kind,
    base,
    weights,
    rates,
    maxPricedLb,
    co2GramsPerKgKm: svc.co2GramsPerKgKm ?? table.co2.gramsPerKgKm[svc.mode],
    distanceFactor: table.co2.distanceFactor[svc.mode],
    holidays: new Set([...toDayNumbers(table.holidays), ...toDayNumbers(carrier.holidays)]),
  };
}

/**
 * The table in array form, built once and cached per table object. Tables are treated as immutable once
 * parsed: a changed table is a new version, hence a new object.
 */
export function compileRateTable(table: RateTable): CompiledRateTable {
  const hit = compiled.get(table);
  if (hit) return hit;
  const raw = table.carriers.flatMap((c) => c.services.map((s) => ({ c, s })));
  const partial = raw.map(({ c, s }, i) => compileService(table, c, s, i));
  const order = partial.map((s) => s.code).sort();
  const services = partial.map((s) => ({ ...s, codeRank: order.indexOf(s.code) }));
  const result: CompiledRateTable = {
    table,
    zoneUpToKm: Float64Array.from(table.zones.map((b) => b.upToKm)),
    zoneOfBand: Int8Array.from(table.zones.map((b) => b.zone)),
    services,
    byCode: new Map(services.map((s) => [s.code, s])),
  };
  compiled.set(table, result);
  return result;
}

export function zoneOfKm(ct: CompiledRateTable, km: number): number {
  const ups = ct.zoneUpToKm;
  for (let i = 0; i < ups.length; i++) if (km <= ups[i]!) return ct.zoneOfBand[i]!;
  return ct.zoneOfBand[ups.length - 1]!;
}

/** The zone of a great-circle distance: the first band whose `upToKm` it does not exceed; the last band is open-ended. */
export function zoneFor(table: RateTable, km: number): number {
  if (!(km >= 0)) throw new RangeError(`distance must be a non-negative number of km, got ${km}`);
  return zoneOfKm(compileRateTable(table), km);
}

/** Carrier price before fuel for a billable weight, NaN when the zone or weight is not priced. */
export function priceBeforeFuel(svc: CompiledService, zone: number, billableLb: number): number {
  if (svc.pricingKind === 'per-lb') {
    let price = svc.base[zone]!;
    const w = svc.weights;
    for (let i = 0; i < w.length; i++) {
      const from = w[i]!;
      if (billableLb <= from) break;
      const to = i + 1 < w.length ? Math.min(billableLb, w[i + 1]!) : billableLb;
      price += svc.rates[i * STRIDE + zone]! * (to - from);
    }
    return price;
  }
  const rows = svc.weights;
  for (let i = 0; i < rows.length; i++) if (billableLb <= rows[i]!) return svc.rates[i * STRIDE + zone]!;
  return NaN;
}

/**
 * Marginal price per lb (before fuel) at a billable weight, for the cost model's linearisation:
 * per-lb pricing uses the rate of the band that the next lb falls in (in the base band, the first break's
 * rate); table pricing uses the secant to the next row (to the previous row from the last one).
 */
export function marginalPerLb(svc: CompiledService, zone: number, billableLb: number): number {
  const w = svc.weights;
  if (svc.pricingKind === 'per-lb') {
    if (w.length === 0) return 0;
    let band = 0;
    for (let i = 1; i < w.length; i++) if (billableLb >= w[i]!) band = i;
    return svc.rates[band * STRIDE + zone]!;
  }
  if (w.length < 2) return 0;
  let row = w.length - 1;
  for (let i = 0; i < w.length; i++) {
    if (billableLb <= w[i]!) {
      row = i;
      break;
    }
  }
  const a = row < w.length - 1 ? row : row - 1;
  return (svc.rates[(a + 1) * STRIDE + zone]! - svc.rates[a * STRIDE + zone]!) / (w[a + 1]! - w[a]!);
}

// ---- quotes --------------------------------------------------------------------------------------

export interface Dimensions {
  readonly lengthIn: number;
  readonly widthIn: number;
  readonly heightIn: number;
}

export interface RateRequest {
  readonly originLatLon: LatLon;
  readonly destLatLon: LatLon;
  readonly weightLb: number;
  readonly dims?: Dimensions;
  /** The instant the parcel is ready to leave the origin. */
  readonly shipDate: Date;
  /** The origin's zone (IANA or offset); the table's default when absent. */
  readonly originTimeZone?: string;
  /** Extra non-business days (YYYY-MM-DD) on top of the table's and the carrier's. */
  readonly holidays?: readonly string[];
}

export interface ServiceQuote {
  readonly serviceCode: string;
  readonly serviceName: string;
  readonly carrier: string;
  readonly mode: Mode;
  readonly zone: number;
  /** Great-circle km, one decimal. */
  readonly distanceKm: number;
  readonly billableWeightLb: number;
  /** Carrier charge including fuel, rounded to cents once. */
  readonly cost: number;
  readonly currency: string;
  readonly transitDays: number;
  /** The local business day the parcel leaves. */
  readonly shipDate: string;
  readonly promisedDeliveryDate: string;
  readonly co2Grams: number;
}

export class ServiceUnavailableError extends Error {
  override readonly name = 'ServiceUnavailableError';
  constructor(
    readonly serviceCode: string,
    readonly reason: string,
  ) {
    super(`${serviceCode} cannot carry this parcel: ${reason}`);
  }
}

export class UnknownServiceError extends Error {
  override readonly name = 'UnknownServiceError';
  constructor(readonly serviceCode: string) {
    super(`no service ${serviceCode} in the rate table`);
  }
}

/** Billable lb: the greater of actual and dimensional weight, rounded up to a whole lb as carriers do. */
export function billableWeightLb(weightLb: number, dims: Dimensions | undefined, dimDivisor: number | undefined): number {
  const dimLb = dims && dimDivisor ? (dims.lengthIn * dims.widthIn * dims.heightIn) / dimDivisor : 0;
  return Math.ceil(Math.max(weightLb, dimLb));
}

function checkRequest(req: RateRequest): void {
  if (!(req.weightLb > 0) || !Number.isFinite(req.weightLb)) throw new RangeError(`weightLb must be a positive number, got ${req.weightLb}`);
  for (const [name, p] of [['originLatLon', req.originLatLon], ['destLatLon', req.destLatLon]] as const) {
    if (!(Math.abs(p.lat) <= 90) || !(Math.abs(p.lon) <= 180)) throw new RangeError(`${name} is not a latitude/longitude: ${p.lat}, ${p.lon}`);
  }
  const d = req.dims;
  if (d && !(d.lengthIn > 0 && d.widthIn > 0 && d.heightIn > 0)) throw new RangeError('dims must be positive inches');
}

/** The calendar for a service, with a request's extra holidays merged in. */
function holidaysFor(svc: CompiledService, extra: readonly string[] | undefined): ReadonlySet<number> {
  if (!extra || extra.length === 0) return svc.holidays;
  const all = new Set(svc.holidays);
  for (const d of extra) {
    const n = parseIsoDate(d);
    if (n === undefined) throw new RangeError(`holiday ${d} is not a calendar date YYYY-MM-DD`);
    all.add(n);
  }
  return all;
}

/** The local day a parcel leaves: today if it is a business day and the parcel is ready by the cut-off. */
export function departureDay(localDay: number, localMs: number, cutoffMs: number, holidays: ReadonlySet<number>): number {
  return isBusinessDay(localDay, holidays) && localMs <= cutoffMs ? localDay : nextBusinessDay(localDay, holidays);
}

function unavailableReasonCompiled(svc: CompiledService, zone: number, weightLb: number, billable: number): string | undefined {
  if (!svc.active) return 'service inactive';
  if (weightLb > svc.maxWeightLb) return `weighs ${weightLb} lb, over the ${svc.maxWeightLb} lb limit`;
  if (svc.transitDays[zone]! < 0) return `zone ${zone} not served`;
  if (billable > svc.maxPricedLb) return `billable ${billable} lb is above the price table's ${svc.maxPricedLb} lb`;
  return undefined;
}

function serviceOf(table: RateTable, serviceCode: string): { ct: CompiledRateTable; svc: CompiledService } {
  const ct = compileRateTable(table);
  const svc = ct.byCode.get(serviceCode);
  if (!svc) throw new UnknownServiceError(serviceCode);
  return { ct, svc };
}

/** Why a service cannot carry this parcel, or `undefined` when it can. */
export function unavailableReason(table: RateTable, serviceCode: string, req: RateRequest): string | undefined {
  checkRequest(req);
  const { ct, svc } = serviceOf(table, serviceCode);
  const zone = zoneOfKm(ct, haversineKm(req.originLatLon, req.destLatLon));
  return unavailableReasonCompiled(svc, zone, req.weightLb, billableWeightLb(req.weightLb, req.dims, svc.dimDivisor));
}

function quote(ct: CompiledRateTable, svc: CompiledService, req: RateRequest, km: number, zone: number): ServiceQuote | string {
  const billable = billableWeightLb(req.weightLb, req.dims, svc.dimDivisor);
  const reason = unavailableReasonCompiled(svc, zone, req.weightLb, billable);
  if (reason) return reason;
  const holidays = holidaysFor(svc, req.holidays);
  const tz = svc.cutoffTimeZone ?? req.originTimeZone ?? ct.table.defaultTimeZone;
  const local = localTimeOf(req.shipDate, tz);
  const leaves = departureDay(local.dayNumber, local.msOfDay, svc.cutoffMs, holidays);
  const transit = svc.transitDays[zone]!;
  const delivered = addBusinessDays(leaves, transit, holidays);
  const kg = req.weightLb * KG_PER_LB;
  return {
    serviceCode: svc.code,
    serviceName: svc.name,
    carrier: svc.carrierCode,
    mode: svc.mode,
    zone,
    distanceKm: Math.round(km * 10) / 10,
    billableWeightLb: billable,
    cost: roundMoney(priceBeforeFuel(svc, zone, billable) * svc.fuelFactor),
    currency: ct.table.currency,
    transitDays: transit,
    shipDate: isoDateFromDayNumber(leaves),
    promisedDeliveryDate: isoDateFromDayNumber(delivered),
    co2Grams: Math.round(svc.co2GramsPerKgKm * kg * km * svc.distanceFactor),
  };
}

/** Rates one parcel on one service; throws `ServiceUnavailableError` when the service cannot carry it. */
export function rateService(table: RateTable, serviceCode: string, req: RateRequest): ServiceQuote {
  checkRequest(req);
  const { ct, svc } = serviceOf(table, serviceCode);
  const km = haversineKm(req.originLatLon, req.destLatLon);
  const q = quote(ct, svc, req, km, zoneOfKm(ct, km));
  if (typeof q === 'string') throw new ServiceUnavailableError(serviceCode, q);
  return q;
}

/** Quotes from every service that can carry the parcel (active, within weight limits, serving the zone), in code order. */
export function rateAllServices(table: RateTable, req: RateRequest): ServiceQuote[] {
  checkRequest(req);
  const ct = compileRateTable(table);
  const km = haversineKm(req.originLatLon, req.destLatLon);
  const zone = zoneOfKm(ct, km);
  const quotes: ServiceQuote[] = [];
  for (const svc of ct.services) {
    const q = quote(ct, svc, req, km, zone);
    if (typeof q !== 'string') quotes.push(q);
  }
  return quotes.sort((a, b) => (a.serviceCode < b.serviceCode ? -1 : a.serviceCode > b.serviceCode ? 1 : 0));
}
