// A tenant's carrier rate table: data, not code. One versioned document per tenant lists its carriers and
// their services, the distance zones, prices by zone and weight, transit days, cut-off times and CO2 factors.
// The schema checks what zod alone cannot (sorted breakpoints, unique codes, a price for every zone a service
// serves) so a bad upload fails with a field path instead of quoting nonsense later.
import { z } from 'zod';
import { isValidTimeZone, parseIsoDate } from './calendar.ts';

/** Zones are numbered 1..ZONE_COUNT; per-zone arrays hold one entry per zone, zone 1 first. */
export const ZONE_COUNT = 8;
export const MODES = ['ground', 'air', 'courier', 'freight'] as const;
export const HANDLING_LOCATION_TYPES = ['warehouse', 'store', 'dropship', '3pl'] as const;

export type Mode = (typeof MODES)[number];
export type HandlingLocationType = (typeof HANDLING_LOCATION_TYPES)[number];

/**
 * Default CO2 intensity by mode, in grams of CO2e per kg of goods per km (numerically equal to kg per tonne-km).
 * - ground 0.1: DEFRA/DECC 2012 GHG conversion factors, Annex 7 table 7e, "all artics UK average" diesel HGV,
 *   0.107 kg CO2e per tonne.km including upstream fuel; parcel line-haul runs mostly in articulated trucks.
 * - freight 0.085: same table, "articulated >33t" (0.084 direct, full loads): pallets in full trailers.
 * - courier 0.6: same guidelines, tables 7b/7c: diesel vans at their assumed 40% load come out around
 *   0.5-0.7 kg CO2e per tonne.km, far worse per tonne than trucks because vans run part-empty.
 * - air 1.0: DEFRA/DESNZ "freighting goods" air factors run from ~0.6 (long haul, without radiative forcing)
 *   to ~1.1 (with it) kg CO2e per tonne.km; domestic and short-haul legs are higher still, so for short
 *   domestic express 1.0 is on the low side and tenants with better data should override it.
 * Check the current DESNZ edition before publishing figures; these are defaults, not audited values.
 */
export const DEFAULT_CO2_GRAMS_PER_KG_KM: Readonly<Record<Mode, number>> = { ground: 0.1, freight: 0.085, courier: 0.6, air: 1.0 };

/**
 * Actual route length over great-circle distance. Road: ~1.2, the US circuity factor of Ballou, Rahardja and
 * Sakai (2002), "Selected country circuity factors for road travel distance estimation"; local courier routes
 * wander more. Air: DEFRA adds ~9% to great-circle distance for stacking and indirect routing.
 */
export const DEFAULT_DISTANCE_FACTOR: Readonly<Record<Mode, number>> = { ground: 1.2, freight: 1.2, courier: 1.3, air: 1.09 };

export const DEFAULT_HANDLING_COST: Readonly<Record<HandlingLocationType, number>> = {
  warehouse: 1.25,
  // Store associates pick between customers, so a parcel costs more labour than in a warehouse.
  store: 3.5,
  // The vendor's handling is in the item cost it invoices; nothing is added per parcel.
  dropship: 0,
  '3pl': 2.75,
};

const money = z.number({ error: 'must be a number' }).finite().min(0, 'must not be negative');
const positive = z.number({ error: 'must be a number' }).finite().positive('must be greater than 0');
const percent = z.number().finite().min(0, 'must not be negative').max(100, 'must be at most 100');
const code = z
  .string()
  .regex(/^[A-Z0-9]+(?:_[A-Z0-9]+)*$/, 'must be upper-case letters and digits separated by single underscores, e.g. UPS_GROUND');
const timeZone = z
  .string()
  .refine(isValidTimeZone, 'must be an IANA time zone (e.g. America/Chicago) or a UTC offset (e.g. -06:00, +05:30)');
const isoDate = z.string().refine((v) => parseIsoDate(v) !== undefined, 'must be a calendar date YYYY-MM-DD');

/** One entry per zone; `null` marks a zone the service does not serve. */
const perZone = <T extends z.ZodType>(item: T) =>
  z.array(item.nullable()).length(ZONE_COUNT, `must list exactly ${ZONE_COUNT} zones (zone 1 first; null where not served)`);

export const zoneBandSchema = z.strictObject({
  zone: z.number().int().min(1).max(ZONE_COUNT, `must be between 1 and ${ZONE_COUNT}`),
  /** Inclusive upper bound of the band in great-circle km. The last band is open-ended. */
  upToKm: positive,
});

export const perLbPricingSchema = z.strictObject({
  kind: z.literal('per-lb'),
  /** Price of a parcel up to the first break (or of any parcel if there are no breaks), per zone. */
  base: perZone(money),
  /** Above each break, every further lb costs `perLb` (per zone) until the next break. */
  breaks: z.array(z.strictObject({ aboveLb: positive, perLb: perZone(money) })).default([]),
});

export const weightTablePricingSchema = z.strictObject({
  kind: z.literal('table'),
  /** A parcel costs the price of the first row whose `upToLb` it does not exceed; above the last row it is not accepted. */
  rows: z.array(z.strictObject({ upToLb: positive, prices: perZone(money) })).min(1, 'needs at least one row'),
});

export const pricingSchema = z.discriminatedUnion('kind', [perLbPricingSchema, weightTablePricingSchema], {
  error: "must be { kind: 'per-lb', base, breaks } or { kind: 'table', rows }",
});

export const serviceSchema = z.strictObject({
  code,
  name: z.string().trim().min(1, 'must not be empty'),
  mode: z.enum(MODES, { error: `must be one of ${MODES.join(', ')}` }),
  active: z.boolean().default(true),
  /** Business days in transit per zone, after the day the parcel leaves; 0 = delivered the day it leaves. */
  transitDays: perZone(z.number().int().min(0).max(30)),
  cutoff: z.strictObject({
    /** The latest local time a parcel can be ready and still leave the same business day. */
    localTime: z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour local time HH:MM'),
    /** Pins the cut-off to one zone (e.g. an air hub's). Absent: the origin location's zone. */
    timeZone: timeZone.optional(),
  }),
  pricing: pricingSchema,
  maxWeightLb: positive,
  /** Cubic inches per billable lb (e.g. 139). Absent: the carrier's divisor; absent there too, no dim weight. */
  dimDivisor: positive.optional(),
  /** Overrides the carrier's fuel surcharge for this service (air and ground surcharges usually differ). */
  fuelSurchargePct: percent.optional(),
  /** Overrides the table's factor for this service's mode. */
  co2GramsPerKgKm: money.optional(),
});

export const carrierSchema = z.strictObject({
  code,
  name: z.string().trim().min(1, 'must not be empty'),
  active: z.boolean().default(true),
  fuelSurchargePct: percent.default(0),
  dimDivisor: positive.optional(),
  /** Days this carrier neither picks up nor delivers, on top of the table's holidays. */
  holidays: z.array(isoDate).default([]),
  services: z.array(serviceSchema).min(1, 'needs at least one service'),
});

const byMode = (defaults: Readonly<Record<Mode, number>>) =>
  z.strictObject({
    ground: money.default(defaults.ground),
    air: money.default(defaults.air),
    courier: money.default(defaults.courier),
    freight: money.default(defaults.freight),
  });

export const rateTableSchema = z
  .strictObject({
    schemaVersion: z.literal(1, { error: 'must be 1' }),
    /** The tenant's revision of its table, bumped on every change; quotes can say which one priced them. */
    version: z.number().int().positive('must be a positive integer'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD'),
    /** For locations that do not say which zone they are in. */
    defaultTimeZone: timeZone,
    /** Km bands to zones, nearest first. */
    zones: z.array(zoneBandSchema).min(1, 'needs at least one band'),
    /** Days no carrier picks up or delivers (YYYY-MM-DD). */
    holidays: z.array(isoDate).default([]),
    co2: z
      .strictObject({
        gramsPerKgKm: byMode(DEFAULT_CO2_GRAMS_PER_KG_KM).prefault({}),
        distanceFactor: byMode(DEFAULT_DISTANCE_FACTOR).prefault({}),
      })
      .prefault({}),
    handlingCost: z
      .strictObject({
        byType: z
          .strictObject({
            warehouse: money.default(DEFAULT_HANDLING_COST.warehouse),
            store: money.default(DEFAULT_HANDLING_COST.store),
            dropship: money.default(DEFAULT_HANDLING_COST.dropship),
            '3pl': money.default(DEFAULT_HANDLING_COST['3pl']),
          })
          .prefault({}),
        /** Per-location overrides by location id. */
        byLocation: z.record(z.string().min(1), money).default({}),
      })
      .prefault({}),
    carriers: z.array(carrierSchema).min(1, 'needs at least one carrier'),
  })
  .superRefine((table, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });

    table.zones.forEach((band, i) => {
      const prev = table.zones[i - 1];
      if (prev && band.upToKm <= prev.upToKm) issue(['zones', i, 'upToKm'], `must be greater than the previous band's ${prev.upToKm} km`);
      if (prev && band.zone < prev.zone) issue(['zones', i, 'zone'], `must not be lower than the previous band's zone ${prev.zone}`);
    });
    const usedZones = new Set(table.zones.map((b) => b.zone));

    const carrierCodes = new Set<string>();
    const serviceCodes = new Set<string>();
    table.carriers.forEach((carrier, c) => {
      if (carrierCodes.has(carrier.code)) issue(['carriers', c, 'code'], `duplicate carrier code ${carrier.code}`);
      carrierCodes.add(carrier.code);
      carrier.services.forEach((svc, s) => {
        const at = ['carriers', c, 'services', s];
        if (serviceCodes.has(svc.code)) issue([...at, 'code'], `duplicate service code ${svc.code}`);
        serviceCodes.add(svc.code);
        if (!svc.transitDays.some((d, z) => d !== null && usedZones.has(z + 1))) {
          issue([...at, 'transitDays'], 'serves none of the zones the table uses');
        }
        const served = (z: number) => svc.transitDays[z] !== null && svc.transitDays[z] !== undefined;
        const needPrices = (prices: readonly (number | null)[], path: (string | number)[]) => {
          prices.forEach((p, z) => {
            if (p === null && served(z)) issue([...path, z], `zone ${z + 1} has transit days but no price`);
          });
        };
        const p = svc.pricing;
        if (p.kind === 'per-lb') {
          needPrices(p.base, [...at, 'pricing', 'base']);
          p.breaks.forEach((b, i) => {
            const prev = p.breaks[i - 1];
            if (prev && b.aboveLb <= prev.aboveLb) issue([...at, 'pricing', 'breaks', i, 'aboveLb'], `must be greater than the previous break's ${prev.aboveLb} lb`);
            needPrices(b.perLb, [...at, 'pricing', 'breaks', i, 'perLb']);
          });
        } else {
          p.rows.forEach((row, i) => {
            const prev = p.rows[i - 1];
            if (prev && row.upToLb <= prev.upToLb) issue([...at, 'pricing', 'rows', i, 'upToLb'], `must be greater than the previous row's ${prev.upToLb} lb`);
            needPrices(row.prices, [...at, 'pricing', 'rows', i, 'prices']);
          });
          const last = p.rows.at(-1)!;
          if (last.upToLb < svc.maxWeightLb) {
            issue([...at, 'maxWeightLb'], `is ${svc.maxWeightLb} lb but the price table stops at ${last.upToLb} lb`);
          }
        }
      });
    });
  });

export type RateTable = z.infer<typeof rateTableSchema>;
export type RateTableInput = z.input<typeof rateTableSchema>;
export type Carrier = RateTable['carriers'][number];
export type Service = Carrier['services'][number];
export type Pricing = Service['pricing'];

export function parseRateTable(input: unknown): RateTable {
  return rateTableSchema.parse(input);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

// ---- the demo tenant's table -------------------------------------------------------------------

// Illustrative rates shaped like 2024 US daily rates (zones by great-circle distance, ~16% fuel on ground,
// ~19% on air, 139 in³/lb dim divisor). They are NOT any carrier's published tariff; the carrier codes only
// make the demo read naturally. Zone 1 is a local band (<= 80 km) so that the same-day courier has a home.
const zones: RateTableInput['zones'] = [
  { zone: 1, upToKm: 80 },
  { zone: 2, upToKm: 240 },
  { zone: 3, upToKm: 480 },
  { zone: 4, upToKm: 960 },
  { zone: 5, upToKm: 1600 },
  { zone: 6, upToKm: 2240 },
  { zone: 7, upToKm: 2880 },
  { zone: 8, upToKm: 20_040 },
];
const ALL_ZONES = (v: number) => Array.from({ length: ZONE_COUNT }, () => v);
const GROUND_DAYS = [1, 1, 2, 3, 4, 4, 5, 5];

export const DEFAULT_RATE_TABLE: RateTable = deepFreeze(
  parseRateTable({
    schemaVersion: 1,
    version: 1,
    currency: 'USD',
    defaultTimeZone: 'America/Chicago',
    zones,
    holidays: ['2025-12-25', '2026-01-01', '2026-05-25', '2026-07-03', '2026-09-07', '2026-11-26', '2026-12-25'],
    carriers: [
      {
        code: 'UPS',
        name: 'UPS',
        fuelSurchargePct: 16,
        dimDivisor: 139,
        services: [
          {
            code: 'UPS_GROUND',
            name: 'UPS Ground',
            mode: 'ground',
            transitDays: GROUND_DAYS,
            cutoff: { localTime: '17:00' },
            maxWeightLb: 150,
            pricing: {
              kind: 'per-lb',
              base: [9.15, 9.6, 10.05, 10.6, 11.2, 11.7, 12.25, 12.8],
              breaks: [
                { aboveLb: 1, perLb: [0.42, 0.5, 0.66, 0.88, 1.08, 1.28, 1.46, 1.64] },
                { aboveLb: 20, perLb: [0.36, 0.44, 0.58, 0.78, 0.96, 1.14, 1.3, 1.46] },
              ],
            },
          },
          {
            code: 'UPS_2ND_DAY_AIR',
            name: 'UPS 2nd Day Air',
            mode: 'air',
            fuelSurchargePct: 19,
            transitDays: ALL_ZONES(2),
            cutoff: { localTime: '16:00' },
            maxWeightLb: 150,
            pricing: {
              kind: 'per-lb',
              base: [15.9, 17.8, 20.6, 23.4, 26.1, 28.3, 30.2, 32.4],
              breaks: [{ aboveLb: 1, perLb: [1.15, 1.45, 1.9, 2.35, 2.75, 3.05, 3.3, 3.55] }],
            },
          },
          {
            code: 'UPS_NEXT_DAY_AIR',
            name: 'UPS Next Day Air',
            mode: 'air',
            fuelSurchargePct: 19,
            transitDays: ALL_ZONES(1),
            cutoff: { localTime: '15:00' },
            maxWeightLb: 150,
            pricing: {
              kind: 'per-lb',
              base: [27.5, 31.9, 39.6, 47.2, 54.8, 59.9, 64.7, 69.5],
              breaks: [{ aboveLb: 1, perLb: [2.4, 2.95, 3.7, 4.45, 5.1, 5.55, 5.95, 6.35] }],
            },
          },
        ],
      },
      {
        code: 'FEDEX',
        name: 'FedEx',
        fuelSurchargePct: 15.5,
        dimDivisor: 139,
        services: [
          {
            code: 'FEDEX_GROUND',
            name: 'FedEx Ground',
            mode: 'ground',
            transitDays: GROUND_DAYS,
            cutoff: { localTime: '18:00' },
            maxWeightLb: 150,
            pricing: {
              kind: 'per-lb',
              base: [9.35, 9.75, 10.2, 10.7, 11.25, 11.8, 12.3, 12.85],
              breaks: [
                { aboveLb: 1, perLb: [0.4, 0.48, 0.63, 0.85, 1.04, 1.24, 1.42, 1.6] },
                { aboveLb: 20, perLb: [0.35, 0.42, 0.56, 0.75, 0.93, 1.1, 1.27, 1.42] },
              ],
            },
          },
          {
            code: 'FEDEX_2DAY',
            name: 'FedEx 2Day',
            mode: 'air',
            fuelSurchargePct: 18.5,
            transitDays: ALL_ZONES(2),
            cutoff: { localTime: '16:30' },
            maxWeightLb: 150,
            pricing: {
              kind: 'per-lb',
              base: [16.2, 17.95, 20.4, 23.1, 25.9, 28.4, 30.5, 32.7],
              breaks: [{ aboveLb: 1, perLb: [1.1, 1.4, 1.85, 2.3, 2.7, 3.0, 3.25, 3.5] }],
            },
          },
          {
            code: 'FEDEX_STANDARD_OVERNIGHT',
            name: 'FedEx Standard Overnight',
            mode: 'air',
            fuelSurchargePct: 18.5,
            transitDays: ALL_ZONES(1),
            cutoff: { localTime: '15:30' },
            maxWeightLb: 150,
            pricing: {
              kind: 'per-lb',
              base: [26.9, 30.8, 38.9, 46.4, 53.7, 58.8, 63.9, 68.6],
              breaks: [{ aboveLb: 1, perLb: [2.35, 2.9, 3.6, 4.35, 5.0, 5.45, 5.85, 6.25] }],
            },
          },
        ],
      },
      {
        code: 'METRO_COURIER',
        name: 'Metro Courier',
        fuelSurchargePct: 6,
        services: [
          {
            code: 'METRO_COURIER_SAME_DAY',
            name: 'Metro Courier Same Day',
            mode: 'courier',
            // Local band only: a van leaves after the cut-off and delivers the same afternoon.
            transitDays: [0, null, null, null, null, null, null, null],
            cutoff: { localTime: '13:00' },
            maxWeightLb: 50,
            pricing: {
              kind: 'table',
              rows: [
                { upToLb: 5, prices: [14.5, null, null, null, null, null, null, null] },
                { upToLb: 20, prices: [19.5, null, null, null, null, null, null, null] },
                { upToLb: 50, prices: [29.5, null, null, null, null, null, null, null] },
              ],
            },
          },
        ],
      },
    ],
  }),
);
