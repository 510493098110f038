import { z } from 'zod';
import { skuSchema } from '#domain/inventory/schemas';
import { transferIdSchema } from '#domain/inventory/transfer';
import { transferSchema } from './transfer-schemas.ts';

/** GET /rebalancing and POST /rebalancing/{suggestionId}/accept (issue 18 part 5). */
export const rebalancingQuerySchema = z.strictObject({
  sku: skuSchema.optional().describe('Only this SKU (a catalogue of more than 5,000 location forecasts is read in parts this way)'),
  horizonDays: z.coerce
    .number()
    .int('must be an integer')
    .min(1, 'must be >= 1')
    .max(90, 'must be <= 90')
    .optional()
    .describe('Days of expected demand to weigh (default 28; at most what the stored forecasts cover)'),
});

export const suggestionPathSchema = z.strictObject({ suggestionId: transferIdSchema.describe('A suggestion id from GET /rebalancing') });

export const rebalancingSuggestionSchema = z
  .object({
    suggestionId: z.string().describe('Stable for the forecast day, lane and SKU; the transfer it creates takes this id'),
    sku: z.string(),
    fromLocationId: z.string(),
    toLocationId: z.string(),
    quantity: z.number().int(),
    destination: z.object({ demand: z.number(), available: z.number().int(), inTransit: z.number().int(), deficit: z.number().int() }),
    origin: z.object({ demand: z.number(), available: z.number().int(), surplus: z.number().int() }),
    expectedSaving: z.number().describe('Shipping saved over the horizon: quantity x (a parcel from the origin - a parcel from the destination)'),
    transferCost: z.number().describe('Moving the units in cartons of up to 50 lb by the cheapest service'),
    netSaving: z.number(),
    daysSavedPerOrder: z.number().int(),
    transitDays: z.number().int(),
  })
  .meta({ id: 'RebalancingSuggestion' });

export const rebalancingSchema = z
  .object({
    horizonDays: z.number().int(),
    generatedAt: z.string(),
    skus: z.number().int().describe('SKUs whose forecasts were weighed'),
    truncated: z.boolean().describe('More than 5,000 location forecasts: narrow with sku'),
    suggestions: z.array(rebalancingSuggestionSchema),
  })
  .meta({ id: 'Rebalancing' });

export const acceptedSuggestionSchema = z
  .object({ transfer: transferSchema, suggestion: rebalancingSuggestionSchema.optional().describe('As recomputed when accepted (absent when it had been accepted before)') })
  .meta({ id: 'AcceptedRebalancingSuggestion' });
