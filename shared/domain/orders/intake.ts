import { z } from 'zod';
import { currencyExponent, DECIMAL_PATTERN, MAX_AMOUNT_DIGITS, parseAmount, toMinor } from './money.ts';
import { PICKUP_FALLBACKS, type OrderLine } from './order.ts';
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
/** A money amount as intake takes it: a non-negative decimal string (its digits are checked against the currency later). */
const decimalAmount = (example: string) =>
  z
    .string({ error: `must be a decimal string such as "${example}"` })
    .regex(DECIMAL_PATTERN, `must be a non-negative decimal string such as "${example}" (no sign, exponent or spaces)`)
    .max(MAX_AMOUNT_DIGITS + 5, 'is too long');

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
  unitPrice: decimalAmount('19.99')
    .optional()
    .describe('Price of one unit as a decimal string in the order\'s currency, with at most its minor-unit decimals ("19.99" USD, "1500" JPY). Set on every line or on none'),
});

export const placeOrderSchema = z
  .object({
    channel: channelSchema,
    externalId: id(128).optional(),
    customer: z
      .object({
        id: id(128).optional(),
        email: z.email('must be an email address').max(254).optional(),
        name: z.string().trim().min(1, 'must not be empty').max(200).optional().describe('How messages to the customer greet them'),
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
    pickupFallback: z
      .enum(PICKUP_FALLBACKS)
      .optional()
      .describe('What a pickup becomes when its store rejects it or does not accept it in time: nearest-store (default: the nearest store within 50 km with the units), ship, or cancel (refunded)'),
    currency: z
      .string({ error: 'must be an ISO 4217 code such as USD' })
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD (three upper-case letters)')
      .refine((code) => currencyExponent(code) !== undefined, 'is not an ISO 4217 currency we know')
      .optional()
      .describe('ISO 4217 code of the prices; required when the lines carry unitPrice'),
    shippingCharged: decimalAmount('4.95')
      .optional()
      .describe('What the customer paid for shipping, a decimal string in the order\'s currency (default "0"); needs priced lines'),
  })
  .strict()
  .superRefine(checkMoney);

/**
 * Prices are optional but all or nothing: an order with any price (a line's unitPrice, currency or shippingCharged)
 * needs the currency and a unitPrice on every line, so totals never mix priced and unpriced lines. Decimals are
 * checked against the currency here, where both are known.
 */
function checkMoney(order: { currency?: string | undefined; shippingCharged?: string | undefined; lines: Array<{ unitPrice?: string | undefined }> }, ctx: z.RefinementCtx): void {
  const priced = order.currency !== undefined || order.shippingCharged !== undefined || order.lines.some((line) => line.unitPrice !== undefined);
  if (!priced) return;
  if (order.currency === undefined) {
    ctx.addIssue({ code: 'custom', message: 'required when the order carries prices', path: ['currency'] });
    return;
  }
  const currency = order.currency;
  const check = (text: string | undefined, path: Array<string | number>) => {
    if (text === undefined) {
      if (path[0] === 'lines') ctx.addIssue({ code: 'custom', message: 'required: an order with prices needs a unitPrice on every line', path });
      return;
    }
    const parsed = parseAmount(text, currency);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message, path });
  };
  order.lines.forEach((line, index) => check(line.unitPrice, ['lines', index, 'unitPrice']));
  check(order.shippingCharged, ['shippingCharged']);
}

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

/** The order's lines and charges as stored: prices in integer minor units of the currency (see money.ts). */
export function pricedOrder(request: PlaceOrderRequest): { lines: OrderLine[]; currency?: string; shippingChargedMinor?: number } {
  const { currency } = request;
  const lines = request.lines.map(({ unitPrice, ...line }): OrderLine => ({
    ...line,
    ...(currency !== undefined && unitPrice !== undefined ? { unitPriceMinor: toMinor(unitPrice, currency) } : {}),
  }));
  if (currency === undefined) return { lines };
  return { lines, currency, shippingChargedMinor: toMinor(request.shippingCharged ?? '0', currency) };
}

/**
 * What makes two requests the same order, for Idempotency-Key and channel + externalId: the request with its money
 * in minor units, so "19.9" and "19.90" (or no shippingCharged and "0") are one request and other prices are not.
 * An order without prices fingerprints exactly as before prices existed.
 */
export function requestFingerprint(request: PlaceOrderRequest): string {
  const { currency, shippingCharged: _shipping, lines: _lines, ...rest } = request;
  const priced = pricedOrder(request);
  return canonicalJson({ ...rest, lines: priced.lines, ...(currency !== undefined ? { currency, shippingChargedMinor: priced.shippingChargedMinor } : {}) });
}
