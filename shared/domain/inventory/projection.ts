import { atp, type StockLevel, type StockView } from './stock.ts';

/**
 * The SKU network projection: per tenant and SKU, one item with the availability at every location, so the router
 * reads a SKU's whole network in one GetItem. Built from the table's stream; every location entry keeps the version
 * of the stock item it came from, so a replayed or late record (an older version) changes nothing.
 */
export const DEFAULT_LOW_STOCK_THRESHOLD = 5;

export interface NetworkEntry extends StockView {
  version: number;
  /** Commit time of the stock change this entry reflects. */
  updatedAt: string;
}

export interface SkuNetwork {
  tenantId: string;
  sku: string;
  /** Sum of the locations' availability. */
  available: number;
  locations: Record<string, NetworkEntry>;
  lowStockThreshold: number;
  /** Version of the SKU item the threshold came from (0: the default). */
  skuVersion: number;
  /** The projection item's own version, for optimistic writes. */
  version: number;
  /** When the projection was last written. */
  projectedAt: string;
}

export type NetworkChange =
  | { kind: 'stock'; level: StockLevel }
  | { kind: 'sku'; lowStockThreshold: number | undefined; version: number };

export function emptyNetwork(tenantId: string, sku: string): SkuNetwork {
  return { tenantId, sku, available: 0, locations: {}, lowStockThreshold: DEFAULT_LOW_STOCK_THRESHOLD, skuVersion: 0, version: 0, projectedAt: new Date(0).toISOString() };
}

/**
 * Folds changes into a network (pure). Returns the new network and whether anything changed; a change at or below the
 * version already applied is skipped, so replay and out-of-order delivery converge on the newest state.
 */
export function mergeNetwork(current: SkuNetwork, changes: NetworkChange[], now: Date): { network: SkuNetwork; changed: boolean; oldestApplied?: string } {
  const locations = { ...current.locations };
  let { lowStockThreshold, skuVersion } = current;
  let changed = false;
  let oldestApplied: string | undefined;
  for (const change of changes) {
    if (change.kind === 'sku') {
      if (change.version <= skuVersion) continue;
      skuVersion = change.version;
      lowStockThreshold = change.lowStockThreshold ?? DEFAULT_LOW_STOCK_THRESHOLD;
      changed = true;
      continue;
    }
    const { level } = change;
    const existing = locations[level.locationId];
    if (existing && existing.version >= level.version) continue;
    locations[level.locationId] = {
      locationId: level.locationId,
      onHand: level.onHand,
      reserved: level.reserved,
      safetyStock: level.safetyStock,
      available: atp(level.onHand, level.reserved, level.safetyStock),
      version: level.version,
      updatedAt: level.updatedAt,
    };
    if (!oldestApplied || level.updatedAt < oldestApplied) oldestApplied = level.updatedAt;
    changed = true;
  }
  if (!changed) return { network: current, changed };
  const available = Object.values(locations).reduce((sum, entry) => sum + entry.available, 0);
  return {
    network: { ...current, locations, available, lowStockThreshold, skuVersion, version: current.version + 1, projectedAt: now.toISOString() },
    changed,
    ...(oldestApplied ? { oldestApplied } : {}),
  };
}

/** The locations whose entry differs between two networks. */
export function changedLocations(before: SkuNetwork | undefined, after: SkuNetwork): NetworkEntry[] {
  return Object.values(after.locations).filter((entry) => before?.locations[entry.locationId]?.version !== entry.version);
}

/** True when this change takes the network below its threshold (not on every change while it stays low). */
export function becameLow(before: SkuNetwork | undefined, after: SkuNetwork): boolean {
  // A catalogue SKU with no stock anywhere yet is not "low": it was never stocked.
  if (Object.keys(after.locations).length === 0 || after.available >= after.lowStockThreshold) return false;
  return !before || before.available >= before.lowStockThreshold;
}
