import { z } from 'zod';
import { channelSchema, locationIdSchema as inventoryLocationId, skuSchema as inventorySku } from '../inventory/schemas.ts';

/**
 * What `POST /orders` accepts. Limits are product decisions, stated once here: at most 100 lines and 10,000 units a
 * line (bigger B2B orders go through a bulk channel), ids of at most 128 safe characters.
 */
export const MAX_LINES = 100;
export const MAX_UNITS_PER_LINE = 10_000;

const id = (max: number) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.:#/-]*$/, 'may hold letters, digits and _ . : # / - (starting with a letter or digit)');

/** SKUs and locations are the inventory's concepts: one schema each, whatever layer reads them. */
export const skuSchema = inventorySku;
export const locationIdSchema = inventoryLocationId;
export const lineIdSchema = id(64);
/** The merchant's own id of a return (an RMA number): it makes a retried return request safe. */
export const returnIdSchema = id(64);

const fulfillmentSchema = z
  .object({
    type: z.enum(['ship', 'pickup', 'curbside']),
    locationId: locationIdSchema.optional(),
  })
  .refine((f) => f.type === 'ship' || f.locationId !== undefined, { message: 'pickup and curbside need the store: set locationId', path: ['locationId'] });

export const orderLineSchema = z.object({
  lineId: lineIdSchema,
  sku: skuSchema,
  quantity: z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(MAX_UNITS_PER_LINE, `must be at most ${MAX_UNITS_PER_LINE}`),
  fulfillment: fulfillmentSchema.default({ type: 'ship' }),
});

export const placeOrderSchema = z
  .object({
    channel: channelSchema,
    externalId: id(128).optional(),
    customer: z
      .object({
        id: id(128).optional(),
        email: z.email('must be an email address').max(254).optional(),
        tier: z.enum(['standard', 'vip']).default('standard'),
      })
      .default({ tier: 'standard' }),
    shipTo: z
      .object({
        name: z.string().max(200).optional(),
        address: z.string().max(500).optional(),
        postalCode: z.string().regex(/^[A-Za-z0-9 -]{2,12}$/, 'must be a postal code').optional(),
        country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as US'),
        geo: z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }).optional(),
      })
      .refine((s) => s.geo !== undefined || s.postalCode !== undefined, { message: 'needs geo or a postalCode', path: ['postalCode'] }),
    lines: z
      .array(orderLineSchema)
      .min(1, 'must hold at least one line')
      .max(MAX_LINES, `must hold at most ${MAX_LINES} lines`)
      .superRefine((lines, ctx) => {
        const seen = new Set<string>();
        lines.forEach((line, index) => {
          if (seen.has(line.lineId)) ctx.addIssue({ code: 'custom', message: 'lineId must be unique in the order', path: [index, 'lineId'] });
          seen.add(line.lineId);
        });
      }),
    preference: z.enum(['fastest', 'cheapest', 'greenest', 'balanced']).optional(),
    splitPolicy: z.enum(['allow', 'minimize', 'single']).optional(),
  })
  .strict();

export type PlaceOrderInput = z.input<typeof placeOrderSchema>;
export type PlaceOrderRequest = z.output<typeof placeOrderSchema>;

/** JSON with sorted keys: two bodies that mean the same thing get the same fingerprint whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
