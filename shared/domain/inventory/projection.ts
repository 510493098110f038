import { layOut } from './network-layout.ts';
import { atp, type StockLevel, type StockView } from './stock.ts';

/**
 * The SKU network projection: per tenant and SKU, the availability at every location, so the router reads a SKU's
 * whole network in one GetItem (a large network: a head and its shards, see network-layout.ts). Built from the
 * table's stream; every location entry keeps the version of the stock item it came from, so a replayed or late record
 * (an older version) changes nothing.
 */
export const DEFAULT_LOW_STOCK_THRESHOLD = 5;

/**
 * At most this many locations move in one projection write: StockChanged lists them (an event stays far below
 * EventBridge's 256 KB) and a split network's head carries them (it stays far below 400 KB). A batch that moves more
 * of one SKU is written in several versions, one after the other.
 */
export const MAX_MOVED_PER_WRITE = 250;

export interface NetworkEntry extends StockView {
  version: number;
  /** Commit time of the stock change this entry reflects. */
  updatedAt: string;
  /**
   * A sharded location+SKU (stock-shards.ts): the entry shows the sums of its shards, and keeps each shard's counts
   * (stored `available`, version and layout epoch) so changes of different shards, arriving in any order, merge. The
   * entry's `version` then counts the entry's own changes. Once sharded, an entry keeps this form (with one shard
   * after going back to one).
   */
  shardCount?: number;
  epoch?: number;
  shards?: Record<string, ShardEntry>;
}

export interface ShardEntry {
  onHand: number;
  reserved: number;
  safetyStock: number;
  /** As stored on the shard (may be below 0 on shard 0: a count below the safety stock). */
  available: number;
  version: number;
  epoch: number;
  shardCount: number;
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
  /** Stored as a head and shards (see network-layout.ts): the version at which each shard was last written. */
  shards?: number[];
}

/** A network as its stored item shows it: a split network's head has no locations, but the entries its write moved. */
export type NetworkImage = Omit<SkuNetwork, 'locations'> & { locations?: Record<string, NetworkEntry>; moved?: NetworkEntry[] };

export type NetworkChange =
  | { kind: 'stock'; level: StockLevel }
  | { kind: 'sku'; lowStockThreshold: number | undefined; version: number };

export function emptyNetwork(tenantId: string, sku: string): SkuNetwork {
  return { tenantId, sku, available: 0, locations: {}, lowStockThreshold: DEFAULT_LOW_STOCK_THRESHOLD, skuVersion: 0, version: 0, projectedAt: new Date(0).toISOString() };
}

/**
 * Folds changes into a network (pure). Returns the new network and whether anything changed; a change at or below the
 * version already applied is skipped, so replay and out-of-order delivery converge on the newest state. Changes that
 * would move more than MAX_MOVED_PER_WRITE locations are left in `rest`, to be folded into the next version. The new
 * network carries its storage layout (`shards`), decided from the stored one.
 */
export function mergeNetwork(
  current: SkuNetwork,
  changes: NetworkChange[],
  now: Date,
): { network: SkuNetwork; changed: boolean; oldestApplied?: string; rest: NetworkChange[] } {
  const locations = { ...current.locations };
  let { lowStockThreshold, skuVersion } = current;
  let changed = false;
  let oldestApplied: string | undefined;
  const moved = new Set<string>();
  const rest: NetworkChange[] = [];
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
    const sharded = !!existing?.shards || (level.shard ?? 0) !== 0 || (level.shardCount ?? 1) > 1 || level.epoch !== undefined;
    if (sharded ? !newerShard(existing, level) : existing && existing.version >= level.version) continue;
    if (!moved.has(level.locationId) && moved.size >= MAX_MOVED_PER_WRITE) {
      rest.push(change);
      continue;
    }
    moved.add(level.locationId);
    locations[level.locationId] = sharded ? mergeShard(existing, level) : {
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
  if (!changed) return { network: current, changed, rest };
  const available = Object.values(locations).reduce((sum, entry) => sum + entry.available, 0);
  const { shards: _stored, ...kept } = current;
  const next: SkuNetwork = { ...kept, locations, available, lowStockThreshold, skuVersion, version: current.version + 1, projectedAt: now.toISOString() };
  const shards = layOut(next, current.version ? current : undefined);
  return { network: shards ? { ...next, shards } : next, changed, rest, ...(oldestApplied ? { oldestApplied } : {}) };
}

/** True when `level` (one shard's item) is newer than what the entry holds of that shard: a later layout, or a later write. */
function newerShard(entry: NetworkEntry | undefined, level: StockLevel): boolean {
  const held = entry ? shardsOf(entry)[String(level.shard ?? 0)] : undefined;
  const epoch = level.epoch ?? 0;
  return !held || epoch > held.epoch || (epoch === held.epoch && level.version > held.version);
}

/** An entry's shards (an entry written before it was sharded is its own shard 0, at epoch 0). */
function shardsOf(entry: NetworkEntry): Record<string, ShardEntry> {
  if (entry.shards) return entry.shards;
  return { '0': { onHand: entry.onHand, reserved: entry.reserved, safetyStock: entry.safetyStock, available: entry.onHand - entry.reserved - entry.safetyStock, version: entry.version, epoch: 0, shardCount: 1 } };
}

/**
 * A shard's change folded into its location's entry: the shard's counts replace what the entry held of it; the entry
 * shows the sums of the shards of the newest layout (the highest epoch, below its shard count), and forgets shards of
 * older layouts (a late record of one comes back at an older epoch and is left out of the sums).
 */
function mergeShard(existing: NetworkEntry | undefined, level: StockLevel): NetworkEntry {
  const all: Record<string, ShardEntry> = {
    ...(existing ? shardsOf(existing) : {}),
    [String(level.shard ?? 0)]: {
      onHand: level.onHand, reserved: level.reserved, safetyStock: level.safetyStock, available: level.available, version: level.version, epoch: level.epoch ?? 0, shardCount: level.shardCount ?? 1,
    },
  };
  const epoch = Math.max(...Object.values(all).map((s) => s.epoch));
  const shards = Object.fromEntries(Object.entries(all).filter(([, s]) => s.epoch === epoch));
  const shardCount = shards['0']?.shardCount ?? Math.max(...Object.values(shards).map((s) => s.shardCount));
  const live = Object.entries(shards).filter(([shard]) => Number(shard) < shardCount).map(([, s]) => s);
  const onHand = live.reduce((sum, s) => sum + s.onHand, 0);
  const reserved = live.reduce((sum, s) => sum + s.reserved, 0);
  const safetyStock = live.reduce((sum, s) => sum + s.safetyStock, 0);
  return {
    locationId: level.locationId,
    onHand,
    reserved,
    safetyStock,
    available: atp(onHand, reserved, safetyStock),
    version: (existing?.version ?? 0) + 1,
    updatedAt: level.updatedAt,
    shardCount,
    epoch,
    shards,
  };
}

/** The locations whose entry differs between two networks (a split network's head names them itself). */
export function changedLocations(before: NetworkImage | undefined, after: NetworkImage): NetworkEntry[] {
  if (after.moved) return after.moved;
  return Object.values(after.locations ?? {}).filter((entry) => before?.locations?.[entry.locationId]?.version !== entry.version);
}

/** True when this change takes the network below its threshold (not on every change while it stays low). */
export function becameLow(before: NetworkImage | undefined, after: NetworkImage): boolean {
  // A catalogue SKU with no stock anywhere yet is not "low": it was never stocked (a split network always was).
  const stocked = !!after.shards?.length || Object.keys(after.locations ?? {}).length > 0;
  if (!stocked || after.available >= after.lowStockThreshold) return false;
  return !before || before.available >= before.lowStockThreshold;
}
