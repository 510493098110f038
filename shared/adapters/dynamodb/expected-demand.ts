import type { DemandStore, ForecastStore } from '#application/demand/ports';
import { forecastDailyDemand, recentDailyDemand, type ExpectedDemand } from '#domain/routing/look-ahead';
import { dynamoDemandStore, dynamoForecastStore } from './demand-store.ts';

/**
 * Look-ahead's expected demand (issue 17 step 4): units per day by location for each SKU, from the SKU's stored forecast
 * when one exists, else from its demand roll-ups (the mean of the 28 days before today). Kept an hour per tenant and SKU
 * in the container, so the fulfil step reads a SKU at most once an hour: no DynamoDB call per order once warm, and none
 * at all for tenants whose rule sets do not enable look-ahead (the fulfil step does not ask then).
 *
 * Cost of a miss, per SKU: one Query of the SKU's forecast partition (one item per location: ~1 RRU for 20 locations)
 * and, without a forecast, two Queries of its demand partition (roll-ups and imports of every day kept: ~1 RRU per
 * 27 location-days eventually consistent, e.g. 20 locations x 90 days = ~67 RRU, $0.0000084). A SKU's misses are
 * read together with the order's other SKUs' (in parallel).
 */
export const HOUR_MS = 3_600_000;
const RECENT_DAYS = 28;
const MAX_ENTRIES = 20_000;

export function expectedDemandReader(
  stores: { demand: Pick<DemandStore, 'locationHistory'>; forecasts: Pick<ForecastStore, 'get'> } = { demand: dynamoDemandStore, forecasts: dynamoForecastStore },
  now: () => number = Date.now,
): (tenantId: string, skus: readonly string[], today: string) => Promise<ExpectedDemand> {
  const entries = new Map<string, { at: number; value: Promise<ReadonlyMap<string, number>> }>();

  const skuRates = async (tenantId: string, sku: string, today: string): Promise<ReadonlyMap<string, number>> => {
    const forecasts = await stores.forecasts.get(tenantId, sku);
    if (forecasts.locations.length) return new Map(forecasts.locations.map((f) => [f.locationId, forecastDailyDemand(f.daily, RECENT_DAYS)]));
    const history = await stores.demand.locationHistory(tenantId, sku);
    return new Map(history.map((s) => [s.locationId, recentDailyDemand(s.days, today, RECENT_DAYS)]));
  };

  const cached = (tenantId: string, sku: string, today: string) => {
    // The day is part of the key: at midnight the 28-day window moves.
    const key = `${tenantId}\u0000${sku}\u0000${today}`;
    const hit = entries.get(key);
    if (hit && now() - hit.at < HOUR_MS) return hit.value;
    const value = skuRates(tenantId, sku, today);
    entries.set(key, { at: now(), value });
    value.catch(() => entries.delete(key));
    if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
    return value;
  };

  return async (tenantId, skus, today) => {
    const rates = await Promise.all(skus.map((sku) => cached(tenantId, sku, today)));
    const out: Record<string, Record<string, number>> = {};
    skus.forEach((sku, i) => {
      for (const [locationId, perDay] of rates[i]!) if (perDay > 0) (out[locationId] ??= {})[sku] = perDay;
    });
    return out;
  };
}
