import type { StoredForecast } from '#domain/demand/forecast-run';
import type { Inbound, ReceiptDecision } from '#domain/replenishment/inbound';
import type { ReorderState } from '#domain/replenishment/reorder';

/** One SKU at one location of a tenant. */
export interface SkuAt {
  tenantId: string;
  sku: string;
  locationId: string;
}

export const skuAtKey = (p: { sku: string; locationId: string }) => `${p.sku} ${p.locationId}`;

/** Replenishment's own items: one ReorderState per SKU x location (docs/forecasting.md, "Replenishment"). */
export interface ReorderStateStore {
  /** The stored states of the pairs (of one tenant), keyed by `skuAtKey`; a pair never assessed is absent. */
  getMany(tenantId: string, pairs: ReadonlyArray<{ sku: string; locationId: string }>): Promise<Map<string, ReorderState>>;
  /** Writes an assessment if the state is still at `expectedVersion` (0: absent); ConflictError otherwise. */
  save(state: ReorderState, expectedVersion: number): Promise<void>;
  /** States whose `below` is true, in (sku, location) order; `cursor` is the previous page's `next`. */
  listBelow(tenantId: string, page: { limit: number; cursor?: string }): Promise<{ items: ReorderState[]; next?: string }>;
}

/** What replenishment reads of the rest of the DOM: forecasts, live availability, whether a location exists. */
export interface ReplenishmentReads {
  /** The latest stored forecast of each pair (absent: none). */
  forecastsOf(tenantId: string, pairs: ReadonlyArray<{ sku: string; locationId: string }>): Promise<Map<string, StoredForecast>>;
  /** Every stored forecast of the tenant, paged in (sku, location) order. */
  listForecasts(tenantId: string, page: { limit: number; cursor?: string }): Promise<{ items: StoredForecast[]; next?: string }>;
  /** Live availability (onHand - reserved - safetyStock, shards summed) of each pair; a pair without stock is absent. */
  availableOf(tenantId: string, pairs: ReadonlyArray<{ sku: string; locationId: string }>): Promise<Map<string, number>>;
  /** True when the tenant has a stored forecast (no forecast, nothing to assess). */
  hasForecasts(tenantId: string): Promise<boolean>;
  locationExists(tenantId: string, locationId: string): Promise<boolean>;
}

export interface InboundStore {
  get(tenantId: string, inboundId: string): Promise<Inbound | undefined>;
  /**
   * Stores a new inbound and puts its lines on order at its location, in one transaction; 'exists' (nothing written)
   * when the tenant has an inbound of that id.
   */
  create(inbound: Inbound): Promise<'created' | 'exists'>;
  /**
   * Writes a receipt in one transaction: the inbound (guarded by the version it was decided from: ConflictError when
   * it moved), the units on hand at its location, and off order.
   */
  receive(decision: ReceiptDecision, expectedVersion: number): Promise<void>;
}
