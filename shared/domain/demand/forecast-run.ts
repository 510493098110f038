import { formatIsoDay, parseIsoDay } from '#domain/forecasting/calendar';
import { forecastPanel } from '#domain/forecasting/engine';
import type { DemandPanel, DemandSeries } from '#domain/forecasting/history';

/**
 * The daily forecast run's pure part (issue 18 part 6): a chunk's history in, the forecasts and reorder points to
 * store out, with the forecasting library (shared/domain/forecasting) doing the maths. The stored shape is the contract
 * replenishment and rebalancing read (docs/forecasting.md, "Stored forecasts").
 */

export interface ForecastSettings {
  /** Days forecast after the origin. */
  horizonDays: number;
  /** Lead time of a location with none of its own: the reorder point covers this many days of demand. */
  leadTimeDays: number;
  /** Probability that the reorder point covers the lead time's demand (cycle service level). */
  serviceLevel: number;
  /** Lead times per location that differ from `leadTimeDays`. */
  locationLeadTimeDays?: Record<string, number>;
  /** Days of demand a replenishment order covers beyond the lead time (order-up-to level; default 7, issue 18 part 4). */
  reviewDays?: number;
}

export const DEFAULT_FORECAST_SETTINGS: ForecastSettings = { horizonDays: 28, leadTimeDays: 7, serviceLevel: 0.95 };
export const MAX_HORIZON_DAYS = 366;

/** One stored forecast: a SKU at a location, from the run whose history ended on `origin`. */
export interface StoredForecast {
  tenantId: string;
  sku: string;
  locationId: string;
  /** The last day of history (`YYYY-MM-DD`, UTC); `daily[0]` is the day after. */
  origin: string;
  /** Expected units per day, `horizonDays` of them (4 decimals). */
  daily: number[];
  leadTimeDays: number;
  serviceLevel: number;
  /** Expected units over the first `leadTimeDays` days (the sum of `daily` over them; beyond the horizon, extended). */
  leadTimeDemand: number;
  /** Stock that covers the lead time's demand with probability `serviceLevel` (whole units). */
  reorderPoint: number;
  /** reorderPoint - leadTimeDemand: negative for a slow series whose quantile is below its mean. */
  safetyStock: number;
  /** Days of history the series had (from its first day to the origin). */
  historyDays: number;
  runId: string;
  generatedAt: string;
}

/** The SKU's expected units per day over all its locations (the library keeps locations summing to it exactly). */
export interface StoredSkuForecast {
  tenantId: string;
  sku: string;
  origin: string;
  daily: number[];
  locations: number;
  runId: string;
  generatedAt: string;
}

/** A series' history as read from the table: units per day (`YYYY-MM-DD`), days without demand absent. */
export interface SeriesHistory {
  sku: string;
  locationId: string;
  days: ReadonlyMap<string, number>;
}

/**
 * The library's panel: each series from its first recorded day to `origin`, zeros filled in. Days after the origin
 * are left out (they belong to the next run); a series with no day up to the origin is left out.
 */
export function panelOf(histories: readonly SeriesHistory[], origin: string): DemandPanel {
  const end = parseIsoDay(origin);
  if (end === undefined) throw new RangeError(`origin must be YYYY-MM-DD, got ${origin}`);
  const series: DemandSeries[] = [];
  for (const history of histories) {
    let start = Infinity;
    const points: Array<[number, number]> = [];
    for (const [date, units] of history.days) {
      const day = parseIsoDay(date);
      if (day === undefined || day > end) continue;
      points.push([day, units]);
      if (day < start) start = day;
    }
    if (!points.length) continue;
    const units = new Float64Array(end - start + 1);
    for (const [day, n] of points) units[day - start] = Math.max(0, n);
    series.push({ sku: history.sku, locationId: history.locationId, start, units });
  }
  return { origin: end, series };
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/**
 * Forecasts a panel and shapes what is stored. The forecasts do not depend on the lead time; reorder points do, so the
 * library runs once per distinct lead time among the panel's locations, and each series keeps the policy of its own.
 */
export function forecastChunk(
  tenantId: string,
  panel: DemandPanel,
  settings: ForecastSettings,
  run: { runId: string; generatedAt: string },
): { locations: StoredForecast[]; skus: StoredSkuForecast[] } {
  if (!panel.series.length) return { locations: [], skus: [] };
  const leadTimeOf = (locationId: string) => settings.locationLeadTimeDays?.[locationId] ?? settings.leadTimeDays;
  const leadTimes = [...new Set(panel.series.map((s) => leadTimeOf(s.locationId)))].sort((a, b) => a - b);
  const origin = formatIsoDay(panel.origin);
  const results = new Map(leadTimes.map((L) => [L, forecastPanel(panel, { horizon: settings.horizonDays, leadTimeDays: L, serviceLevel: settings.serviceLevel })]));
  const first = results.get(leadTimes[0]!)!;
  const locations = panel.series.map((series, i) => {
    const L = leadTimeOf(series.locationId);
    const result = results.get(L)!;
    const forecast = result.forecasts[i]!;
    const policy = result.policy[i]!;
    let leadTimeDemand = 0;
    for (let j = 0; j < L; j++) leadTimeDemand += forecast[j] ?? 0;
    return {
      tenantId,
      sku: series.sku,
      locationId: series.locationId,
      origin,
      daily: Array.from(forecast.subarray(0, settings.horizonDays), round4),
      leadTimeDays: L,
      serviceLevel: settings.serviceLevel,
      leadTimeDemand: round4(leadTimeDemand),
      reorderPoint: policy.reorderPoint,
      safetyStock: round4(policy.reorderPoint - leadTimeDemand),
      historyDays: series.units.length,
      ...run,
    };
  });
  const counts = new Map<string, number>();
  for (const s of panel.series) counts.set(s.sku, (counts.get(s.sku) ?? 0) + 1);
  const skus = first.skuForecasts.map(({ sku, forecast }) => ({
    tenantId,
    sku,
    origin,
    daily: Array.from(forecast.subarray(0, settings.horizonDays), round4),
    locations: counts.get(sku) ?? 0,
    ...run,
  }));
  return { locations, skus };
}

/** The origin of a run started at `now`: the last whole UTC day before it (today's demand is still coming in). */
export function originFor(now: Date): string {
  return formatIsoDay(Math.floor(now.getTime() / 86_400_000) - 1);
}
