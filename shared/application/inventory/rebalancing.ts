import type { RateTable } from '#domain/carriers/rate-table';
import type { StoredForecast } from '#domain/demand/forecast-run';
import { rateTableEconomics, suggestRebalancing, type RebalanceLocation, type RebalanceSku, type RebalanceSuggestion } from '#domain/inventory/rebalancing';
import { atp } from '#domain/inventory/stock';
import { inTransit, TransferIdTakenError, type Transfer } from '#domain/inventory/transfer';
import type { Location } from '#domain/inventory/location';
import type { ForecastStore } from '../demand/ports.ts';
import { NotFoundError } from '../errors.ts';
import { inParallel } from '../in-parallel.ts';
import type { Clock, LocationStore, SkuNetworkStore } from '../ports.ts';
import type { NetworkReader } from '../orders/fulfillment-ports.ts';
import type { TransferStore } from './transfer-ports.ts';
import { requestTransfer, type TransferDeps } from './transfers.ts';

export interface RebalancingDeps {
  forecasts: Pick<ForecastStore, 'get' | 'list'>;
  /** Each SKU's availability at every location: the SKU network projection (as the router reads it). */
  networks: Pick<SkuNetworkStore, 'getMany'>;
  locations: Pick<LocationStore, 'list'>;
  /** The SKUs' weights (batched reads). */
  skus: Pick<NetworkReader, 'skus'>;
  transfers: Pick<TransferStore, 'list' | 'get'>;
  rateTable(tenantId: string): Promise<RateTable>;
  clock: Clock;
}

/** Location forecasts one request reads at most (a catalogue beyond it is narrowed with `sku`). */
export const MAX_REBALANCING_FORECASTS = 5_000;
export const DEFAULT_REBALANCING_HORIZON_DAYS = 28;
/** A SKU without a weight is priced as this (the router's typical parcel). */
const DEFAULT_WEIGHT_LB = 1;
const IN_TRANSIT_STATUSES = ['REQUESTED', 'SHIPPED', 'PARTIALLY_RECEIVED'] as const;

export interface RebalancingQuery {
  sku?: string;
  horizonDays?: number;
}

export interface RebalancingAnswer {
  horizonDays: number;
  generatedAt: string;
  /** SKUs whose forecasts were read. */
  skus: number;
  /** More forecasts than one request reads: narrow with `sku`. */
  truncated: boolean;
  suggestions: RebalanceSuggestion[];
}

async function allLocations(deps: RebalancingDeps, tenantId: string): Promise<Location[]> {
  const out: Location[] = [];
  let after: Record<string, unknown> | undefined;
  do {
    const page = await deps.locations.list(tenantId, { limit: 100, ...(after ? { after } : {}) });
    out.push(...page.items);
    after = page.next;
  } while (after);
  return out;
}

/** Units in transit to each location, per SKU (`<locationId> <sku>`): the transfers not yet received in full. */
async function inTransitTo(deps: RebalancingDeps, tenantId: string, locationIds: readonly string[]): Promise<Map<string, number>> {
  const units = new Map<string, number>();
  await inParallel(locationIds.flatMap((to) => IN_TRANSIT_STATUSES.map((status) => ({ to, status }))), 8, async ({ to, status }) => {
    let cursor: string | undefined;
    do {
      const page = await deps.transfers.list(tenantId, { toLocationId: to, status, limit: 100, ...(cursor ? { cursor } : {}) });
      for (const transfer of page.transfers) for (const line of inTransit(transfer)) units.set(`${to} ${line.sku}`, (units.get(`${to} ${line.sku}`) ?? 0) + line.quantity);
      cursor = page.nextCursor;
    } while (cursor);
  });
  return units;
}

/**
 * GET /rebalancing: load (the stored forecasts, their SKUs' network projections and weights, the transfers in transit,
 * the locations and the rate table) -> decide (suggestRebalancing, pure) -> answer. Nothing is written: a suggestion is
 * recomputed when it is accepted. Locations with a forecast for the SKU are weighed by it; an active location that
 * holds the SKU but has no forecast for it (it never sold it) is expected to sell none over the horizon.
 */
export async function suggestTransfers(deps: RebalancingDeps, tenantId: string, query: RebalancingQuery = {}): Promise<RebalancingAnswer> {
  const now = deps.clock.now();
  let forecasts: StoredForecast[];
  let truncated = false;
  if (query.sku) forecasts = (await deps.forecasts.get(tenantId, query.sku)).locations;
  else {
    forecasts = [];
    let after: string | undefined;
    do {
      const page = await deps.forecasts.list(tenantId, { limit: 1000, ...(after ? { after } : {}) });
      forecasts.push(...page.items);
      after = page.next;
    } while (after && forecasts.length < MAX_REBALANCING_FORECASTS);
    truncated = after !== undefined;
  }
  const bySku = new Map<string, StoredForecast[]>();
  for (const forecast of forecasts) bySku.set(forecast.sku, [...(bySku.get(forecast.sku) ?? []), forecast]);
  const longest = Math.max(0, ...forecasts.map((f) => f.daily.length));
  const horizonDays = Math.min(query.horizonDays ?? DEFAULT_REBALANCING_HORIZON_DAYS, longest || DEFAULT_REBALANCING_HORIZON_DAYS);
  if (bySku.size === 0) return { horizonDays, generatedAt: now.toISOString(), skus: 0, truncated, suggestions: [] };

  // A drop-shipper's stock is the partner's (never transferred), and a closed location receives nothing.
  const locations = (await allLocations(deps, tenantId)).filter((l) => l.active && l.type !== 'dropship');
  const active = new Set(locations.map((l) => l.locationId));
  const skuIds = [...bySku.keys()];
  const chunks: string[][] = [];
  for (let i = 0; i < skuIds.length; i += 100) chunks.push(skuIds.slice(i, i + 100));
  const [networkChunks, skuChunks, moving, table] = await Promise.all([
    inParallel(chunks, 4, (chunk) => deps.networks.getMany(tenantId, chunk)),
    inParallel(chunks, 4, (chunk) => deps.skus.skus(tenantId, chunk)),
    inTransitTo(deps, tenantId, locations.map((l) => l.locationId)),
    deps.rateTable(tenantId),
  ]);
  const networks = new Map(networkChunks.flatMap((m) => [...m]));
  const weights = new Map(skuChunks.flatMap((m) => [...m].map(([sku, item]) => [sku, item.weightLb] as const)));

  const input: RebalanceSku[] = skuIds.map((sku) => {
    const forecastAt = new Map(bySku.get(sku)!.map((f) => [f.locationId, f]));
    const stockAt = new Map(Object.entries(networks.get(sku)?.locations ?? {}));
    const ids = [...new Set([...forecastAt.keys(), ...stockAt.keys()])].filter((id) => active.has(id)).sort();
    const rows: RebalanceLocation[] = ids.map((locationId) => {
      const forecast = forecastAt.get(locationId);
      const level = stockAt.get(locationId);
      return {
        locationId,
        available: level ? atp(level.onHand, level.reserved, level.safetyStock) : 0,
        inTransit: moving.get(`${locationId} ${sku}`) ?? 0,
        demand: forecast ? forecast.daily.slice(0, horizonDays).reduce((sum, units) => sum + units, 0) : 0,
        safetyStock: forecast?.safetyStock ?? 0,
      };
    });
    const origin = bySku.get(sku)!.map((f) => f.origin).sort().at(-1)!;
    const weightLb = weights.get(sku);
    return { sku, weightLb: weightLb && weightLb > 0 ? weightLb : DEFAULT_WEIGHT_LB, origin, locations: rows };
  });
  const economics = rateTableEconomics(
    table,
    locations.map((l) => ({ locationId: l.locationId, type: l.type, geo: l.geo, handlingCost: l.handlingCost, ...(l.timeZone ? { timeZone: l.timeZone } : {}) })),
    now,
  );
  return { horizonDays, generatedAt: now.toISOString(), skus: skuIds.length, truncated, suggestions: suggestRebalancing(input, economics) };
}

/**
 * Accepting a suggestion creates its transfer, whose id is the suggestion's: accepting it again (or twice at once)
 * answers the same transfer. The suggestion is recomputed first, so the quantity is today's; one that no longer holds
 * (the stock or the forecasts moved) is a NotFoundError.
 */
export async function acceptSuggestion(
  deps: RebalancingDeps & { transferDeps: TransferDeps },
  tenantId: string,
  suggestionId: string,
  query: RebalancingQuery = {},
): Promise<{ transfer: Transfer; created: boolean; suggestion?: RebalanceSuggestion }> {
  const accepted = await deps.transfers.get(tenantId, suggestionId);
  if (accepted) return { transfer: accepted, created: false };
  const { suggestions } = await suggestTransfers(deps, tenantId, query);
  const suggestion = suggestions.find((s) => s.suggestionId === suggestionId);
  if (!suggestion) {
    // Accepted meanwhile by a concurrent call (its units now in transit, so the suggestion is gone): that transfer.
    const meanwhile = await deps.transfers.get(tenantId, suggestionId);
    if (meanwhile) return { transfer: meanwhile, created: false };
    throw new NotFoundError(`No current rebalancing suggestion ${suggestionId}: stock or forecasts changed; GET /rebalancing again`);
  }
  const arrival = new Date(deps.clock.now().getTime() + suggestion.transitDays * 86_400_000);
  try {
    const { transfer, created } = await requestTransfer(deps.transferDeps, tenantId, {
      transferId: suggestionId,
      suggestionId,
      fromLocationId: suggestion.fromLocationId,
      toLocationId: suggestion.toLocationId,
      lines: [{ sku: suggestion.sku, quantity: suggestion.quantity }],
      reason: `Rebalancing suggestion ${suggestionId}`,
      expectedArrivalAt: arrival.toISOString(),
    });
    return { transfer, created, suggestion };
  } catch (error) {
    // The same suggestion accepted at the same moment, with another quantity: the transfer that won is the answer.
    if (error instanceof TransferIdTakenError) {
      const winner = await deps.transfers.get(tenantId, suggestionId);
      if (winner) return { transfer: winner, created: false };
    }
    throw error;
  }
}
