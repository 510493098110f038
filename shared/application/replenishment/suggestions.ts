import type { StoredForecast } from '#domain/demand/forecast-run';
import { assessReorder, reorderLevels } from '#domain/replenishment/reorder';
import { skuAtKey, type ReorderStateStore, type ReplenishmentReads } from './ports.ts';

export interface Suggestion {
  sku: string;
  locationId: string;
  status: 'below-reorder' | 'ok';
  available: number;
  onOrder: number;
  position: number;
  reorderPoint: number;
  orderUpTo: number;
  suggestedQuantity: number;
  leadTimeDays: number;
  serviceLevel: number;
  leadTimeDemand: number;
  safetyStock: number;
  forecastOrigin: string;
  /** When the position last reached the reorder point (as the stream saw it). */
  crossedAt?: string;
}

export interface SuggestionDeps {
  states: ReorderStateStore;
  reads: ReplenishmentReads;
  reviewDaysOf(tenantId: string): Promise<number>;
}

/**
 * GET /replenishment: every SKU x location with a forecast (`all`), or those at or below their reorder point
 * (`below-reorder`, read from the states the stream keeps), each assessed with live availability and units on order,
 * so a suggestion never orders again what an inbound brings. A `below-reorder` page leaves out a pair that live
 * figures no longer put below (the stream is about to flip it), so a page may hold fewer than `limit`.
 */
export async function listSuggestions(
  deps: SuggestionDeps,
  tenantId: string,
  query: { status: 'below-reorder' | 'all'; limit: number; cursor?: string | undefined },
): Promise<{ items: Suggestion[]; next?: string }> {
  const reviewDays = await deps.reviewDaysOf(tenantId);
  const page = { limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) };
  let forecasts: Map<string, StoredForecast>;
  let pairs: Array<{ sku: string; locationId: string }>;
  let next: string | undefined;
  if (query.status === 'below-reorder') {
    const below = await deps.states.listBelow(tenantId, page);
    pairs = below.items.map(({ sku, locationId }) => ({ sku, locationId }));
    forecasts = await deps.reads.forecastsOf(tenantId, pairs);
    next = below.next;
  } else {
    const listed = await deps.reads.listForecasts(tenantId, page);
    forecasts = new Map(listed.items.map((f) => [skuAtKey(f), f]));
    pairs = listed.items.map(({ sku, locationId }) => ({ sku, locationId }));
    next = listed.next;
  }
  const [states, available] = await Promise.all([deps.states.getMany(tenantId, pairs), deps.reads.availableOf(tenantId, pairs)]);
  const items: Suggestion[] = [];
  for (const p of pairs) {
    const key = skuAtKey(p);
    const forecast = forecasts.get(key);
    if (!forecast) continue;
    const state = states.get(key);
    const levels = reorderLevels(forecast, reviewDays);
    const onOrder = state?.onOrder ?? 0;
    const a = assessReorder(levels, { available: available.get(key) ?? 0, onOrder });
    if (query.status === 'below-reorder' && !a.below) continue;
    items.push({
      sku: p.sku,
      locationId: p.locationId,
      status: a.below ? 'below-reorder' : 'ok',
      available: Math.max(0, available.get(key) ?? 0),
      onOrder,
      position: a.position,
      ...levels,
      suggestedQuantity: a.suggestedQuantity,
      leadTimeDays: forecast.leadTimeDays,
      serviceLevel: forecast.serviceLevel,
      leadTimeDemand: forecast.leadTimeDemand,
      safetyStock: forecast.safetyStock,
      forecastOrigin: forecast.origin,
      ...(state?.below && state.crossedAt ? { crossedAt: state.crossedAt } : {}),
    });
  }
  return { items, ...(next ? { next } : {}) };
}
