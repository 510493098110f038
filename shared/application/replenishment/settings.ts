import type { ForecastStore } from '#application/demand/ports';
import { DEFAULT_FORECAST_SETTINGS, type ForecastSettings } from '#domain/demand/forecast-run';
import { DEFAULT_REVIEW_DAYS } from '#domain/replenishment/reorder';

/** The tenant's replenishment settings: the forecast settings (service level, lead times) with the review period. */
export type ReplenishmentSettings = ForecastSettings & { reviewDays: number };

export async function getReplenishmentSettings(deps: { forecasts: Pick<ForecastStore, 'settings'> }, tenantId: string): Promise<ReplenishmentSettings> {
  const stored = await deps.forecasts.settings(tenantId);
  return { ...DEFAULT_FORECAST_SETTINGS, reviewDays: DEFAULT_REVIEW_DAYS, ...stored };
}

/**
 * Replaces the settings. Service level and lead times are what the daily forecast run computes reorder points for
 * (they take effect at its next run); the review period sets order-up-to levels from the stored forecasts at once.
 */
export async function putReplenishmentSettings(
  deps: { forecasts: Pick<ForecastStore, 'settings' | 'putSettings'> },
  tenantId: string,
  input: Omit<ForecastSettings, 'horizonDays'> & { horizonDays?: number | undefined; reviewDays?: number | undefined },
): Promise<ReplenishmentSettings> {
  const current = await getReplenishmentSettings(deps, tenantId);
  const next: ReplenishmentSettings = {
    horizonDays: input.horizonDays ?? current.horizonDays,
    leadTimeDays: input.leadTimeDays,
    serviceLevel: input.serviceLevel,
    ...(input.locationLeadTimeDays && Object.keys(input.locationLeadTimeDays).length ? { locationLeadTimeDays: input.locationLeadTimeDays } : {}),
    reviewDays: input.reviewDays ?? DEFAULT_REVIEW_DAYS,
  };
  await deps.forecasts.putSettings(tenantId, next);
  return next;
}
