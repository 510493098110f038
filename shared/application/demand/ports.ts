import type { ForecastSettings, SeriesHistory, StoredForecast, StoredSkuForecast } from '#domain/demand/forecast-run';
import type { HistoryRow } from '#domain/demand/history-import';
import type { DemandLine } from '#domain/demand/shipment-demand';

/** One transaction's worth of a shipment's demand: at most DEMAND_SKUS_PER_WRITE SKUs, counted once by its marker. */
export interface DemandCount {
  tenantId: string;
  shipmentId: string;
  /** Which group of the shipment's SKUs (0 for nearly every shipment). */
  chunk: number;
  locationId: string;
  /** Where the order goes: a US state (US-NY) or a country (shared/domain/regions). */
  region: string;
  day: string;
  lines: DemandLine[];
}

/** A range of the tenant's SKUs with demand history, both ends included: one item of the forecast run's Map. */
export interface SkuChunk {
  first: string;
  last: string;
}

export interface DemandStore {
  /**
   * Adds chunks of shipments' demand to their days' roll-ups, each once: 'already' when its marker says it was
   * counted, 'failed' when it could not be written (to be delivered again). Several shipments share a write. No two
   * entries may name the same shipment and chunk.
   */
  count(entries: readonly DemandCount[]): Promise<Array<'counted' | 'already' | 'failed'>>;
  /** Takes back what a shipment added (every chunk still counted); the number of chunks taken back (0: nothing to do). */
  reverse(tenantId: string, shipmentId: string): Promise<number>;
  /** Sets each (sku, location, day) of imported history to the row's units. */
  importRows(tenantId: string, rows: readonly HistoryRow[]): Promise<void>;
  /** A SKU's daily units per location: demand from orders plus imported history. */
  locationHistory(tenantId: string, sku: string): Promise<SeriesHistory[]>;
  /** A SKU's daily units per region it was shipped to (orders only). */
  regionHistory(tenantId: string, sku: string): Promise<Array<{ region: string; days: ReadonlyMap<string, number> }>>;
  /** The tenant's SKUs with demand history, in chunks of `size`, in SKU order. */
  skuChunks(tenantId: string, size: number): Promise<SkuChunk[]>;
  skusIn(tenantId: string, chunk: SkuChunk): Promise<string[]>;
}

/** Where orders go, for demand by region: order id -> region, for the orders found. */
export interface OrderRegions {
  regionsOf(tenantId: string, orderIds: readonly string[]): Promise<Map<string, string>>;
}

/** A SKU's stored forecasts: its total over locations and each location's (the same run's). */
export interface SkuForecasts {
  total?: StoredSkuForecast;
  locations: StoredForecast[];
}

/** Where forecasts are stored. Replenishment and rebalancing read them through `get` (docs/forecasting.md). */
export interface ForecastStore {
  put(forecasts: { locations: readonly StoredForecast[]; skus: readonly StoredSkuForecast[] }): Promise<void>;
  /** The SKU's latest forecasts; `locationId` narrows them to one location. Empty when there are none. */
  get(tenantId: string, sku: string, locationId?: string): Promise<SkuForecasts>;
  /**
   * Pages every stored location forecast of the tenant, in (sku, location) order, or those of one location in SKU
   * order: for replenishment and rebalancing, which look at a whole catalogue or a whole location. `after` is the
   * `next` of the previous page. A location forecast the latest run did not rewrite (its series had no history any
   * more) is listed with its older `origin`.
   */
  list(tenantId: string, options?: { locationId?: string; limit?: number; after?: string }): Promise<{ items: StoredForecast[]; next?: string }>;
  /** The tenant's forecast settings, or undefined for the defaults. */
  settings(tenantId: string): Promise<ForecastSettings | undefined>;
  putSettings(tenantId: string, settings: ForecastSettings): Promise<void>;
}

/** Starts a tenant's forecast run; 'already-started' when a run with that name exists (the same day's). */
export interface ForecastWorkflowStarter {
  start(input: { name: string; tenantId: string; origin: string; correlationId: string }): Promise<'started' | 'already-started'>;
}
