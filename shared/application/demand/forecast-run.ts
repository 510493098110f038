import { DEFAULT_FORECAST_SETTINGS, forecastChunk, originFor, panelOf, type ForecastSettings } from '#domain/demand/forecast-run';
import { NotFoundError } from '../errors.ts';
import type { Clock } from '../ports.ts';
import type { DemandStore, ForecastStore, SkuChunk, SkuForecasts } from './ports.ts';

/** SKUs per Map item: a chunk of 50 SKUs at 5 locations and 2 years of history forecasts in about a second. */
export const FORECAST_CHUNK_SKUS = 50;

export interface ForecastPlan {
  tenantId: string;
  origin: string;
  runId: string;
  settings: ForecastSettings;
  chunks: SkuChunk[];
}

/** The run's first step: its origin (yesterday, unless given), the tenant's settings, and its SKUs in chunks. */
export async function planForecastRun(
  deps: { demand: DemandStore; forecasts: ForecastStore; clock: Clock },
  input: { tenantId: string; runId: string; origin?: string },
): Promise<ForecastPlan> {
  const settings = { ...DEFAULT_FORECAST_SETTINGS, ...(await deps.forecasts.settings(input.tenantId)) };
  const chunks = await deps.demand.skuChunks(input.tenantId, FORECAST_CHUNK_SKUS);
  return { tenantId: input.tenantId, origin: input.origin ?? originFor(deps.clock.now()), runId: input.runId, settings, chunks };
}

/**
 * One Map item: reads each SKU's history (every location of a SKU together, so the library can keep the locations
 * summing to the SKU's total), forecasts and stores. Running it again overwrites the same items with the same numbers.
 */
export async function forecastSkuChunk(
  deps: { demand: DemandStore; forecasts: ForecastStore; clock: Clock },
  input: { tenantId: string; origin: string; runId: string; settings: ForecastSettings; chunk: SkuChunk },
): Promise<{ skus: number; series: number }> {
  const skus = await deps.demand.skusIn(input.tenantId, input.chunk);
  const histories = (await Promise.all(skus.map((sku) => deps.demand.locationHistory(input.tenantId, sku)))).flat();
  const panel = panelOf(histories, input.origin);
  const out = forecastChunk(input.tenantId, panel, input.settings, { runId: input.runId, generatedAt: deps.clock.now().toISOString() });
  await deps.forecasts.put(out);
  return { skus: out.skus.length, series: out.locations.length };
}

/** A SKU's stored forecasts (at one location, when asked); NotFoundError when there are none. */
export async function getForecasts(deps: { forecasts: ForecastStore }, tenantId: string, sku: string, locationId?: string): Promise<SkuForecasts & { total: NonNullable<SkuForecasts['total']> }> {
  const found = await deps.forecasts.get(tenantId, sku, locationId);
  if (!found.total || (locationId !== undefined && !found.locations.length)) {
    throw new NotFoundError(locationId === undefined ? `No forecast for SKU ${sku}` : `No forecast for SKU ${sku} at location ${locationId}`);
  }
  return { total: found.total, locations: found.locations };
}
