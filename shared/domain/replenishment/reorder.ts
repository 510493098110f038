/**
 * Replenishment (issue 18 part 4), the pure part: from a stored forecast (its reorder point comes from the forecasting
 * library's lead-time demand quantile, see shared/domain/forecasting/reorder-point.ts; nothing here recomputes it), the
 * order-up-to level, and whether a SKU at a location has reached its reorder point.
 *
 * - The inventory position is what the location can sell or will receive: `max(0, available) + onOrder`, where
 *   `onOrder` is what open inbound shipments still bring (expected - received, per line, never below 0).
 * - The SKU x location is below its reorder point when its position is at or below the reorder point ("reaches": the
 *   bound itself counts), and some demand is expected (`orderUpTo > 0`).
 * - The order-up-to level is the reorder point plus the expected demand of one review period after the lead time
 *   (rounded up, at least one unit when any demand is expected): an order placed on reaching the reorder point brings
 *   the position back to cover the lead time at the service level and a review period more on average. The
 *   suggestion is `orderUpTo - position`, so inbound already on order is never ordered twice.
 */

/** Days of demand an order covers beyond the lead time, unless the tenant sets its own. */
export const DEFAULT_REVIEW_DAYS = 7;
export const MAX_REVIEW_DAYS = 365;

/** The parts of a stored forecast replenishment reads (StoredForecast in shared/domain/demand/forecast-run.ts). */
export interface ForecastPolicy {
  /** Expected units per day from the day after the forecast's origin. */
  readonly daily: readonly number[];
  readonly leadTimeDays: number;
  readonly reorderPoint: number;
}

export interface ReorderLevels {
  reorderPoint: number;
  orderUpTo: number;
}

/** Expected demand of day `j` of a forecast; beyond its horizon, the mean of its last week (the level it ends on). */
function dailyAt(daily: readonly number[], j: number): number {
  if (j < daily.length) return Math.max(0, daily[j] ?? 0);
  const tail = daily.slice(-7);
  return tail.length ? Math.max(0, tail.reduce((s, x) => s + x, 0) / tail.length) : 0;
}

/** Reorder point (as stored) and order-up-to level of a forecast, for a review period of `reviewDays`. */
export function reorderLevels(forecast: ForecastPolicy, reviewDays: number): ReorderLevels {
  const reorderPoint = Math.max(0, Math.ceil(forecast.reorderPoint - 1e-9));
  let cycle = 0;
  for (let j = forecast.leadTimeDays; j < forecast.leadTimeDays + reviewDays; j++) cycle += dailyAt(forecast.daily, j);
  // Forecasts are stored with 4 decimals (each off by up to 0.00005): a sum within that of a whole number is that number.
  const cycleUnits = Math.ceil(cycle - reviewDays * 5e-5 - 1e-9);
  if (reorderPoint === 0 && cycleUnits <= 0) return { reorderPoint: 0, orderUpTo: 0 };
  return { reorderPoint, orderUpTo: reorderPoint + Math.max(1, cycleUnits) };
}

export interface ReorderAssessment {
  /** `max(0, available) + onOrder`. */
  position: number;
  below: boolean;
  /** Units to order now: `orderUpTo - position` when below, else 0. */
  suggestedQuantity: number;
}

export function assessReorder(levels: ReorderLevels, stock: { available: number; onOrder: number }): ReorderAssessment {
  const position = Math.max(0, stock.available) + Math.max(0, stock.onOrder);
  const below = levels.orderUpTo > 0 && position <= levels.reorderPoint;
  return { position, below, suggestedQuantity: below ? levels.orderUpTo - position : 0 };
}

/**
 * What replenishment keeps per SKU x location (the item `ReorderState`): the units on order (moved by inbound in the
 * same transaction as the inbound record) and the last assessment, so a crossing is seen once: `below` flips to true
 * when the position reaches the reorder point and back to false when it rises above it again.
 */
export interface ReorderState {
  tenantId: string;
  sku: string;
  locationId: string;
  onOrder: number;
  below: boolean;
  reorderPoint: number;
  orderUpTo: number;
  available: number;
  position: number;
  suggestedQuantity: number;
  /** Origin of the forecast the levels came from (absent: none yet). */
  forecastOrigin?: string;
  /** When `below` last became true. */
  crossedAt?: string;
  /** Times `below` became true: the id of a crossing (ReorderSuggested carries it). */
  crossings: number;
  evaluatedAt: string;
  version: number;
}

export function emptyReorderState(tenantId: string, sku: string, locationId: string): ReorderState {
  return { tenantId, sku, locationId, onOrder: 0, below: false, reorderPoint: 0, orderUpTo: 0, available: 0, position: 0, suggestedQuantity: 0, crossings: 0, evaluatedAt: new Date(0).toISOString(), version: 0 };
}

/**
 * A fresh look at a SKU x location (pure): its state as stored, its latest forecast (undefined: none, so nothing to
 * suggest), its live availability. Returns the state to write, or undefined when nothing that matters changed (the
 * state is rewritten only when `below` flips or the levels move, so the stream's many stock changes cost no writes).
 */
export function decideReorder(
  state: ReorderState,
  forecast: (ForecastPolicy & { origin: string }) | undefined,
  available: number,
  reviewDays: number,
  now: Date,
): ReorderState | undefined {
  const levels = forecast ? reorderLevels(forecast, reviewDays) : { reorderPoint: 0, orderUpTo: 0 };
  const assessment = assessReorder(levels, { available, onOrder: state.onOrder });
  const same = assessment.below === state.below && levels.reorderPoint === state.reorderPoint && levels.orderUpTo === state.orderUpTo && forecast?.origin === state.forecastOrigin;
  if (same) return undefined;
  const crossing = assessment.below && !state.below;
  const { forecastOrigin: _origin, ...rest } = state;
  return {
    ...rest,
    ...levels,
    ...assessment,
    available,
    ...(forecast ? { forecastOrigin: forecast.origin } : {}),
    ...(crossing ? { crossedAt: now.toISOString(), crossings: state.crossings + 1 } : {}),
    evaluatedAt: now.toISOString(),
    version: state.version + 1,
  };
}

/** True when a write of the state is the crossing ReorderSuggested announces (from the stored images, for the outbox). */
export function becameBelow(before: Pick<ReorderState, 'below' | 'crossings'> | undefined, after: Pick<ReorderState, 'below' | 'crossings'>): boolean {
  return after.below && !(before?.below ?? false);
}

/**
 * The SKU x location a committed item change asks to assess again (pure, on the stream's images), or undefined: a
 * stock item whose availability moved, a forecast written, a reorder state whose units on order moved (an inbound or a
 * receipt; the assessments' own writes leave `onOrder` alone, so they do not come back).
 */
export function reorderTriggerOf(
  kind: 'INSERT' | 'MODIFY' | 'REMOVE',
  oldItem: Record<string, unknown> | undefined,
  newItem: Record<string, unknown> | undefined,
): { tenantId: string; sku: string; locationId: string } | undefined {
  if (kind === 'REMOVE' || !newItem) return undefined;
  const pair = () => ({ tenantId: String(newItem.tenantId), sku: String(newItem.sku), locationId: String(newItem.locationId) });
  switch (newItem.entity) {
    case 'Stock':
      return oldItem && oldItem.available === newItem.available ? undefined : pair();
    case 'Forecast':
      return pair();
    case 'ReorderState':
      return oldItem && oldItem.onOrder === newItem.onOrder ? undefined : pair();
    default:
      return undefined;
  }
}
