import type { DriftSighting } from '#domain/inventory/reconcile';
import type { ReservationLine, StockLevel } from '#domain/inventory/stock';
import type { StockCorrection } from '#domain/inventory/reconcile';

/** Where a tenant's pass over its stock items stands: the next location to read, and the SKU it stopped after. */
export interface StockCursor {
  locationId: string;
  afterSku?: string;
}

/** What the reconciler keeps between runs, per tenant. */
export interface ReconcilerState {
  cursor?: StockCursor;
  /** Over-reservations seen and waiting for confirmation, by `pairKey`. */
  sightings: Record<string, DriftSighting>;
}

/** The reads and writes of the stock reconciler. */
export interface StockReconcileStore {
  tenantIds(): Promise<string[]>;
  /** The lines of every PENDING reservation of the tenant (from a sparse index: it may lag the table by a moment). */
  openReservationLines(tenantId: string): Promise<{ reservations: number; lines: ReservationLine[] }>;
  /**
   * Up to `limit` location+SKUs from `from` on, location by location (SKUs in order), each as its stock items (a sharded
   * one: every shard); `next` is where the next page starts.
   */
  stockPage(tenantId: string, from: StockCursor | undefined, limit: number): Promise<{ items: StockLevel[]; next?: StockCursor }>;
  /** One stock item (a shard of a sharded location+SKU), read consistently. */
  getStock(tenantId: string, locationId: string, sku: string, shard?: number): Promise<StockLevel | undefined>;
  /** Writes the correction if the item is still at `expectedVersion`; false when it moved (nothing written). */
  correct(tenantId: string, locationId: string, sku: string, correction: StockCorrection, expectedVersion: number, now: Date, shard?: number): Promise<boolean>;
  /**
   * Adds PENDING reservations written before the open-reservation index existed to it (one pass over the table, at most
   * `pages` pages a call, resumed where the last call stopped); answers whether the index is complete.
   */
  backfillOpenReservations(pages: number): Promise<{ complete: boolean; indexed: number }>;
  /** Evens out a sharded location+SKU's shards (read consistently, planRebalance, one transaction); false when one moved. */
  rebalance(tenantId: string, locationId: string, sku: string, now: Date): Promise<boolean>;
  loadState(tenantId: string): Promise<ReconcilerState>;
  saveState(tenantId: string, state: ReconcilerState): Promise<void>;
}
