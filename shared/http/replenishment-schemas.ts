import { z } from 'zod';
import { MAX_HORIZON_DAYS } from '#domain/demand/forecast-run';
import { locationIdSchema, skuSchema } from '#domain/inventory/schemas';
import { MAX_INBOUND_LINES, MAX_TOLERANCE_PERCENT } from '#domain/replenishment/inbound';
import { MAX_REVIEW_DAYS } from '#domain/replenishment/reorder';

/** HTTP schemas of replenishment (issue 18 part 4): settings, suggestions, inbound stock. */

const MAX_LEAD_TIME_DAYS = 365;
const MAX_UNITS = 1_000_000_000;
const MAX_LOCATION_LEAD_TIMES = 1000;
const idText = z
  .string()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'may hold letters, digits and . _ : - (not first)');
const leadTime = z.number().int('must be an integer').min(1, 'must be >= 1').max(MAX_LEAD_TIME_DAYS, `must be <= ${MAX_LEAD_TIME_DAYS}`);

export const replenishmentSettingsSchema = z
  .strictObject({
    serviceLevel: z.number().min(0.5, 'must be >= 0.5').max(0.999, 'must be <= 0.999').describe('Probability that the reorder point covers the lead time\'s demand (cycle service level)'),
    leadTimeDays: leadTime.describe('Lead time of every location without one of its own'),
    locationLeadTimeDays: z
      .record(locationIdSchema, leadTime)
      .refine((m) => Object.keys(m).length <= MAX_LOCATION_LEAD_TIMES, `at most ${MAX_LOCATION_LEAD_TIMES} locations`)
      .optional()
      .describe('Lead times per location (how long a replenishment order takes to arrive there)'),
    reviewDays: z.number().int('must be an integer').min(1, 'must be >= 1').max(MAX_REVIEW_DAYS, `must be <= ${MAX_REVIEW_DAYS}`).optional().describe('Days of demand an order covers beyond the lead time (default 7)'),
    horizonDays: z.number().int('must be an integer').min(7, 'must be >= 7').max(MAX_HORIZON_DAYS, `must be <= ${MAX_HORIZON_DAYS}`).optional().describe('Days forecast (default: unchanged, 28 at first)'),
  })
  .meta({ id: 'ReplenishmentSettingsInput', description: 'Replaces the settings. Service level and lead times apply from the next forecast run; the review period at once' });

export const replenishmentSettingsViewSchema = z
  .object({
    serviceLevel: z.number(),
    leadTimeDays: z.number().int(),
    locationLeadTimeDays: z.record(z.string(), z.number().int()).optional(),
    reviewDays: z.number().int(),
    horizonDays: z.number().int(),
  })
  .meta({ id: 'ReplenishmentSettings' });

export const replenishmentQuerySchema = z.strictObject({
  status: z.enum(['below-reorder', 'all']).default('below-reorder').describe('below-reorder: at or below the reorder point (the default); all: every SKU x location with a forecast'),
  limit: z.coerce.number().int('must be an integer').min(1, 'must be >= 1').max(100, 'must be <= 100').default(50),
  cursor: z.string().max(2048, 'must be at most 2048 characters').optional().describe('The `next` of the previous page'),
});

export const suggestionSchema = z
  .object({
    sku: z.string(),
    locationId: z.string(),
    status: z.enum(['below-reorder', 'ok']),
    available: z.number().int().describe('Sellable units now (never below 0)'),
    onOrder: z.number().int().describe('Units of open inbound shipments not yet received'),
    position: z.number().int().describe('available + onOrder'),
    reorderPoint: z.number().int(),
    orderUpTo: z.number().int().describe('reorderPoint + expected demand of reviewDays after the lead time'),
    suggestedQuantity: z.number().int().describe('orderUpTo - position when below the reorder point, else 0'),
    leadTimeDays: z.number().int(),
    serviceLevel: z.number(),
    leadTimeDemand: z.number(),
    safetyStock: z.number().describe('reorderPoint - leadTimeDemand'),
    forecastOrigin: z.string(),
    crossedAt: z.string().optional().describe('When the position last reached the reorder point'),
  })
  .meta({ id: 'ReplenishmentSuggestion' });

export const suggestionPageSchema = z.object({ items: z.array(suggestionSchema), next: z.string().optional() }).meta({ id: 'ReplenishmentSuggestionPage' });

const units = (what: string) => z.number().int('must be an integer').min(1, 'must be >= 1').max(MAX_UNITS, `must be <= ${MAX_UNITS}`).describe(what);

export const createInboundSchema = z
  .strictObject({
    inboundId: idText.optional().describe('Your id for it (a purchase order or ASN number): a retry with the same id and contents answers the stored inbound'),
    locationId: locationIdSchema,
    expectedAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).or(z.iso.date('must be YYYY-MM-DD or an ISO 8601 date-time')).describe('When it is due'),
    supplierId: idText.optional(),
    reference: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
    tolerancePercent: z.number().min(0, 'must be >= 0').max(MAX_TOLERANCE_PERCENT, `must be <= ${MAX_TOLERANCE_PERCENT}`).optional().describe('Over-receipt allowed per line, in percent of its units (default 0)'),
    lines: z
      .array(z.strictObject({ sku: skuSchema, quantity: units('Units expected') }))
      .min(1, 'must have at least 1 line')
      .max(MAX_INBOUND_LINES, `must have at most ${MAX_INBOUND_LINES} lines`),
  })
  .meta({ id: 'InboundInput' });

export const inboundPathSchema = z.strictObject({ inboundId: idText });

export const receiveInboundSchema = z
  .strictObject({
    receiptId: idText.describe('Your id for this receipt (a delivery note): the same receipt again is received once'),
    lines: z
      .array(z.strictObject({ sku: skuSchema, quantity: units('Units received now') }))
      .min(1, 'must have at least 1 line')
      .max(MAX_INBOUND_LINES, `must have at most ${MAX_INBOUND_LINES} lines`),
  })
  .meta({ id: 'InboundReceiptInput' });

export const inboundSchema = z
  .object({
    inboundId: z.string(),
    locationId: z.string(),
    expectedAt: z.string(),
    supplierId: z.string().optional(),
    reference: z.string().optional(),
    tolerancePercent: z.number(),
    status: z.enum(['OPEN', 'PARTIALLY_RECEIVED', 'RECEIVED']),
    lines: z.array(z.object({ sku: z.string(), expected: z.number().int(), received: z.number().int(), onOrder: z.number().int().describe('expected - received, never below 0') })),
    receipts: z.array(z.object({ receiptId: z.string(), receivedAt: z.string(), lines: z.array(z.object({ sku: z.string(), quantity: z.number().int() })) })),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Inbound' });

export const inboundReceiptResultSchema = z
  .object({ inbound: inboundSchema, receipt: inboundSchema.shape.receipts.element, applied: z.boolean().describe('false: this receipt id was received before; answered as recorded') })
  .meta({ id: 'InboundReceiptResult' });
