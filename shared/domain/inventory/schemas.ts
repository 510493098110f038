import { z } from 'zod';
import { MAX_HANDLING_MINUTES, openingHoursSchema, timeZoneSchema } from './opening-hours.ts';
import { MAX_STOCK_SHARDS } from './stock-shards.ts';

/**
 * Input schemas of the inventory API and the bulk feed. Ids are capped and restricted to a safe alphabet, so they can
 * become key parts (`#` is the key separator and never allowed) and never carry markup or control characters.
 */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
export const MAX_ID_LENGTH = 128;
export const MAX_ADJUSTMENTS = 500;
/** TransactWriteItems takes 100 items; one is the reservation itself. */
export const MAX_RESERVATION_LINES = 99;
export const MAX_QUANTITY = 1_000_000_000;
/** A store's pickups a day at most (its counter is one item; beyond this a limit means nothing). */
export const MAX_PICKUP_SLOTS_PER_DAY = 100_000;

const idSchema = (what: string) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`)
    .regex(ID_PATTERN, `a ${what} may hold letters, digits and . _ : - (not first)`);

export const locationIdSchema = idSchema('location id');
export const skuSchema = idSchema('SKU');
/**
 * A sales channel as merchants write it (`web`, `Web`, `amazon.com`, `shop:us`, `Marketplace-EU`): letters, digits and
 * . _ : - (starting with a letter or digit), at most 64. Channels are compared in lower case, so the schema normalises
 * the name: `Web` and `web` are one channel, stored and answered as `web`. The one channel schema of every layer.
 */
export const channelSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'a channel may hold letters, digits and . _ : - (starting with a letter or digit)')
  .toLowerCase()
  .describe('Sales channel, e.g. web, amazon.com, shop:us, Marketplace-EU. Compared in lower case: stored and answered as lower case (Web is web)');
export const reservationIdSchema = idSchema('reservation id');

const shortText = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const count = z.number().int('must be an integer').min(0, 'must be >= 0').max(MAX_QUANTITY, `must be <= ${MAX_QUANTITY}`);

export const LOCATION_TYPES = ['warehouse', 'store', 'dropship', '3pl'] as const;
export type LocationType = (typeof LOCATION_TYPES)[number];

export const geoSchema = z.object({
  lat: z.number().min(-90, 'must be >= -90').max(90, 'must be <= 90'),
  lon: z.number().min(-180, 'must be >= -180').max(180, 'must be <= 180'),
});

/** A line of a street address as customers read it: any script, trimmed, one line (no control characters). */
const addressLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'must be one line without control characters');

/**
 * Where a location is: the postal code and country place it on the map (routing); the street lines, city and region
 * are optional and only told to customers (a pickup's store address in its messages).
 */
export const addressSchema = z.strictObject({
  line1: addressLine(100).optional().describe('Street and number, e.g. 120 Prince St'),
  line2: addressLine(100).optional().describe('Floor, unit or entrance'),
  city: addressLine(60).optional(),
  region: addressLine(60).optional().describe('State, province or county, e.g. NY'),
  postalCode: z.string().trim().min(1, 'must not be empty').max(16, 'must be at most 16 characters').regex(/^[A-Za-z0-9 -]+$/, 'letters, digits, space and -'),
  country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code, e.g. US'),
});
export type LocationAddress = z.output<typeof addressSchema>;

export const putLocationSchema = z
  .strictObject({
    name: shortText(200),
    type: z.enum(LOCATION_TYPES),
    geo: geoSchema.optional(),
    address: addressSchema.optional(),
    capabilities: z
      .strictObject({ ship: z.boolean().default(true), pickup: z.boolean().default(false), curbside: z.boolean().default(false) })
      .default({ ship: true, pickup: false, curbside: false }),
    handlingCost: z.number().min(0, 'must be >= 0').max(10_000, 'must be <= 10000').optional(),
    dailyCapacity: z.number().int('must be an integer').min(1, 'must be >= 1').max(MAX_QUANTITY).optional(),
    /** Hours the location has to accept a requested shipment before it is routed elsewhere (default by type). */
    acceptanceHours: z.number().int('must be an integer').min(1, 'must be >= 1').max(336, 'must be <= 336').optional(),
    rank: z.number().int('must be an integer').min(0, 'must be >= 0').max(1_000_000).optional(),
    active: z.boolean().default(true),
    /** Local opening hours: pickups are promised and parcels handed to carriers only while open (needs timeZone). */
    openingHours: openingHoursSchema.optional(),
    timeZone: timeZoneSchema.optional(),
    handlingMinutes: z
      .number()
      .int('must be an integer')
      .min(0, 'must be >= 0')
      .max(MAX_HANDLING_MINUTES, `must be <= ${MAX_HANDLING_MINUTES}`)
      .optional()
      .describe('Minutes of open time to pick and pack a parcel (default 60 when the location has opening hours)'),
    pickupSlotsPerDay: z
      .number()
      .int('must be an integer')
      .min(0, 'must be >= 0')
      .max(MAX_PICKUP_SLOTS_PER_DAY, `must be <= ${MAX_PICKUP_SLOTS_PER_DAY}`)
      .optional()
      .describe('Pickups (pickup and curbside orders) the location takes on one of its local days; omit for no limit. When full, a pickup goes to the nearest store within 50 km with stock and a slot'),
    pickupHoldDays: z
      .number()
      .int('must be an integer')
      .min(1, 'must be >= 1')
      .max(60, 'must be <= 60')
      .optional()
      .describe('Days a ready pickup is held for the customer (default 5): a reminder halfway, then it expires, its units back on hand and its price refunded'),
  })
  .superRefine((value, ctx) => {
    if (!value.geo && !value.address) ctx.addIssue({ code: 'custom', path: ['geo'], message: 'give geo {lat, lon} or address {postalCode, country}' });
    if (value.openingHours && !value.timeZone) ctx.addIssue({ code: 'custom', path: ['timeZone'], message: 'is required with openingHours (an IANA zone, e.g. America/New_York)' });
  })
  .meta({ id: 'PutLocationRequest' });
export type PutLocationInput = z.output<typeof putLocationSchema>;

/** A merchant's category name: what rule sets list in `scope.categories` (at most 128 characters, like a rule id). */
export const skuCategorySchema = z
  .string()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._:/&+-]*$/u, 'must start with a letter or digit and hold letters, digits, spaces and . _ : / & + -');

const dimension = z.number().positive('must be > 0').max(1_000, 'must be <= 1000');
export const putSkuSchema = z
  .strictObject({
    name: shortText(200).optional(),
    weightLb: z.number().positive('must be > 0').max(10_000, 'must be <= 10000'),
    dims: z.strictObject({ lengthIn: dimension, widthIn: dimension, heightIn: dimension }).optional(),
    lowStockThreshold: count.optional().describe('StockLow is published when the network availability drops below this (default 5)'),
    category: skuCategorySchema.optional().describe('The SKU\'s category, for routing rule sets scoped by category (compared without case)'),
  })
  .meta({ id: 'PutSkuRequest' });
export type PutSkuInput = z.output<typeof putSkuSchema>;

export const adjustmentSchema = z
  .strictObject({
    locationId: locationIdSchema,
    sku: skuSchema,
    set: count.optional().describe('Absolute on-hand count (from a WMS, POS or ERP)'),
    delta: z.number().int('must be an integer').min(-MAX_QUANTITY).max(MAX_QUANTITY).optional().describe('A movement: received (+) or lost (-)'),
    safetyStock: count.optional(),
    sequence: z.number().int('must be an integer').min(0, 'must be >= 0').max(Number.MAX_SAFE_INTEGER).optional()
      .describe('Monotonic per location+sku; an update at or below the last applied sequence is ignored'),
    reason: z.string().max(200, 'must be at most 200 characters').optional(),
    shards: z.number().int('must be an integer').min(1, 'must be >= 1').max(MAX_STOCK_SHARDS, `must be <= ${MAX_STOCK_SHARDS}`).optional()
      .describe(`Split this location+SKU's stock into this many counters (1-${MAX_STOCK_SHARDS}, 1 to go back to one) for more reservations a second; see docs/inventory.md`),
  })
  .superRefine((value, ctx) => {
    if (value.set !== undefined && value.delta !== undefined) ctx.addIssue({ code: 'custom', path: ['delta'], message: 'give set or delta, not both' });
    if (value.set === undefined && value.delta === undefined && value.safetyStock === undefined && value.shards === undefined) {
      ctx.addIssue({ code: 'custom', path: ['set'], message: 'give set, delta, safetyStock or shards' });
    }
  });
export type Adjustment = z.output<typeof adjustmentSchema>;

export const adjustmentsRequestSchema = z
  .strictObject({
    adjustments: z.array(adjustmentSchema).min(1, 'must hold at least one adjustment').max(MAX_ADJUSTMENTS, `must hold at most ${MAX_ADJUSTMENTS} adjustments`),
  })
  .meta({ id: 'InventoryAdjustmentsRequest' });

/** A bulk-feed message on the inventory feed queue: the same adjustments, with the tenant they belong to. */
export const inventoryFeedMessageSchema = adjustmentsRequestSchema.extend({ tenantId: z.string().regex(/^t_[a-z0-9]{10,32}$/, 'a tenant id') });

export const holdBackSchema = z
  .strictObject({
    units: count.optional().describe('Units kept back from this channel at each location'),
    share: z.number().min(0, 'must be >= 0').max(1, 'must be <= 1').optional().describe('Share of each location\'s availability kept back from this channel'),
  })
  .meta({ id: 'HoldBack' });
export type HoldBack = z.output<typeof holdBackSchema>;

export const putChannelSchema = z
  .strictObject({
    holdBack: holdBackSchema.default({}),
    skus: z
      .record(skuSchema, holdBackSchema)
      .refine((skus) => Object.keys(skus).length <= 500, 'at most 500 SKU overrides')
      .optional()
      .describe('Per-SKU hold-back overriding the channel\'s'),
  })
  .meta({ id: 'PutChannelRequest' });
export type PutChannelInput = z.output<typeof putChannelSchema>;

export const reservationLineSchema = z.strictObject({
  locationId: locationIdSchema,
  sku: skuSchema,
  quantity: z.number().int('must be an integer').min(1, 'must be >= 1').max(MAX_QUANTITY),
});

export const reserveStockSchema = z.strictObject({
  reservationId: reservationIdSchema,
  tenantId: z.string().regex(/^t_[a-z0-9]{10,32}$/, 'a tenant id'),
  orderId: idSchema('order id'),
  items: z.array(reservationLineSchema).min(1, 'must hold at least one line'),
  ttlSeconds: z.number().int().min(1).max(7 * 24 * 3600).default(900),
  channel: channelSchema.optional(),
});
export type ReserveStockInput = z.input<typeof reserveStockSchema>;
