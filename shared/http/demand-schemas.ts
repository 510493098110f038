import { z } from 'zod';
import { HistoryImportError, historyImportSchema, TooManyRowsError } from '#domain/demand/history-import';
import { locationIdSchema, skuSchema } from '#domain/inventory/schemas';
import { ValidationError } from './problem.ts';

/** HTTP schemas of demand history and forecasts (issue 18); the stored shape is documented in docs/forecasting.md. */

export const demandHistoryImportSchema = historyImportSchema.meta({
  id: 'DemandHistoryImport',
  description: 'Past sales, one row per (sku, location, day); also accepted as text/csv with the header date,sku,locationId,units',
});

export const demandHistoryImportedSchema = z
  .object({
    rows: z.number().int(),
    skus: z.number().int(),
    locations: z.number().int(),
    firstDate: z.string(),
    lastDate: z.string(),
  })
  .meta({ id: 'DemandHistoryImported' });

export const forecastPathSchema = z.strictObject({ sku: skuSchema });
export const forecastQuerySchema = z.strictObject({ locationId: locationIdSchema.optional().describe('Only this location\'s forecast') });

const dailySchema = z.array(z.number()).describe('Expected units per day, from the day after origin');

export const locationForecastSchema = z
  .object({
    locationId: z.string(),
    origin: z.string().describe('The last day of history (YYYY-MM-DD, UTC)'),
    daily: dailySchema,
    leadTimeDays: z.number().int(),
    serviceLevel: z.number(),
    leadTimeDemand: z.number().describe('Expected units over the lead time'),
    reorderPoint: z.number().describe('Stock covering the lead time\'s demand with probability serviceLevel'),
    safetyStock: z.number().describe('reorderPoint - leadTimeDemand (negative for slow series)'),
    historyDays: z.number().int(),
    runId: z.string(),
    generatedAt: z.string(),
  })
  .meta({ id: 'LocationForecast' });

export const skuForecastSchema = z
  .object({
    sku: z.string(),
    origin: z.string(),
    generatedAt: z.string(),
    runId: z.string(),
    total: dailySchema.describe('Expected units per day over every location (the locations add up to it)'),
    locations: z.array(locationForecastSchema),
  })
  .meta({ id: 'SkuForecast' });

/** Maps the import's refusals to a 422 naming each bad row and field; anything else is rethrown. */
export function demandProblem(error: unknown): never {
  if (error instanceof HistoryImportError) throw new ValidationError(error.errors);
  if (error instanceof TooManyRowsError) throw new ValidationError([{ field: 'rows', message: error.message }]);
  throw error;
}

/** Days a history query may span: two years and a day. */
export const MAX_HISTORY_QUERY_DAYS = 731;
const isoDay = z.iso.date('must be a date as YYYY-MM-DD');
export const demandHistoryPathSchema = z.strictObject({ sku: skuSchema });
export const demandHistoryQuerySchema = z
  .strictObject({
    from: isoDay.optional().describe('First day (default: 27 days before `to`)'),
    to: isoDay.optional().describe('Last day (default: today, UTC)'),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] })
  .refine((q) => !q.from || !q.to || (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 < MAX_HISTORY_QUERY_DAYS, {
    message: `at most ${MAX_HISTORY_QUERY_DAYS} days`,
    path: ['from'],
  });

const daysSchema = z.array(z.object({ date: z.string(), units: z.number() })).describe('Days with demand, in date order');
export const demandHistorySchema = z
  .object({
    sku: z.string(),
    from: z.string(),
    to: z.string(),
    locations: z.array(z.object({ locationId: z.string(), total: z.number(), days: daysSchema })),
    regions: z.array(z.object({ region: z.string().describe('US state as US-NY, or a country'), total: z.number(), days: daysSchema })),
  })
  .meta({ id: 'DemandHistory' });
