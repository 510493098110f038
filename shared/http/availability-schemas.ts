import { z } from 'zod';
import { normalizeUsZip } from '#domain/inventory/location';
import { channelSchema, MAX_QUANTITY, skuSchema } from '#domain/inventory/schemas';
import { DEFAULT_AVAILABILITY_RADIUS_KM, MAX_AVAILABILITY_RADIUS_KM } from '#domain/orders/pickup-availability';

const POINT = /^\s*(-?\d{1,3}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$/;

/** `near`: a US ZIP (ZIP+4 taken, its suffix dropped) or `lat,lon` in degrees. */
const nearSchema = z
  .string()
  .max(64, 'must be at most 64 characters')
  .transform((value, ctx): { postalCode: string } | { lat: number; lon: number } => {
    const point = POINT.exec(value);
    if (point) {
      const lat = Number(point[1]);
      const lon = Number(point[2]);
      if (lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180) return { lat, lon };
      ctx.addIssue({ code: 'custom', message: 'lat must be within -90..90 and lon within -180..180' });
      return z.NEVER;
    }
    const zip = normalizeUsZip(value);
    if (zip) return { postalCode: zip };
    ctx.addIssue({ code: 'custom', message: 'must be a US ZIP (10001) or lat,lon (40.75,-73.99)' });
    return z.NEVER;
  })
  .describe('Where the customer is: a US ZIP (10001 or 10001-1234) or lat,lon in degrees (40.7484,-73.9857)');

export const availabilityQuerySchema = z.strictObject({
  sku: skuSchema,
  quantity: z.coerce.number().int('must be an integer').min(1, 'must be >= 1').max(MAX_QUANTITY, `must be <= ${MAX_QUANTITY}`).default(1),
  near: nearSchema,
  radiusKm: z.coerce
    .number()
    .gt(0, 'must be > 0')
    .max(MAX_AVAILABILITY_RADIUS_KM, `must be <= ${MAX_AVAILABILITY_RADIUS_KM}`)
    .default(DEFAULT_AVAILABILITY_RADIUS_KM)
    .describe(`Kilometres around near (default ${DEFAULT_AVAILABILITY_RADIUS_KM}, at most ${MAX_AVAILABILITY_RADIUS_KM})`),
  fulfillment: z.enum(['pickup', 'curbside']).default('pickup').describe('pickup (default) or curbside: stores offering it'),
  channel: channelSchema.optional().describe('Apply this channel\'s hold-back to the stock'),
});

export const storeAvailabilitySchema = z
  .object({
    locationId: z.string(),
    name: z.string(),
    distanceKm: z.number().describe('From near, as the crow flies'),
    available: z.number().int().describe('Units sellable there now (the channel\'s hold-back applied)'),
    curbside: z.boolean().describe('The store also offers curbside'),
    readyBy: z.string().describe('When a pickup placed now would be ready, from the store\'s opening hours and handling time'),
    pickupDay: z.string().describe('The store\'s local date the pickup would be ready, whose slot it would take'),
    freeSlots: z.number().int().optional().describe('Pickup slots still free on pickupDay; absent when the store sets no limit'),
    timeZone: z.string().optional(),
  })
  .meta({ id: 'StoreAvailability' });

export const availabilitySchema = z
  .object({
    sku: z.string(),
    quantity: z.number().int(),
    fulfillment: z.enum(['pickup', 'curbside']),
    near: z.object({ lat: z.number(), lon: z.number(), postalCode: z.string().optional() }),
    radiusKm: z.number(),
    channel: z.string().optional(),
    stores: z.array(storeAvailabilitySchema).describe('Stores that can hold the pickup now, nearest first (at most 50)'),
  })
  .meta({ id: 'PickupAvailability' });
