import type { SkuNetwork } from '#domain/inventory/projection';
import type { StockLevel } from '#domain/inventory/stock';
import { shardOf } from '#domain/inventory/stock-shards';

/**
 * What this container last saw of sharded location+SKUs: each shard's stored `available`. The router reads the SKU
 * network projection right before it reserves (the same BatchGetItem as the order), and the projection carries every
 * sharded location's shards, so a reservation can choose its shards without another read. A hint only steers the
 * choice: every unit is still guarded by the condition on the shard it is taken from, and a shard found short is read
 * consistently and the choice made again. Unsharded location+SKUs are never noted: their reservations take from shard 0
 * as they always did.
 */
const HINT_MS = 10_000;
const MAX_HINTS = 20_000;
const hints = new Map<string, { at: number; shards: Array<{ shard: number; available: number }> }>();

const hintKey = (tenantId: string, locationId: string, sku: string) => `${tenantId}\u0000${locationId}\u0000${sku}`;

function note(key: string, shards: Array<{ shard: number; available: number }>): void {
  if (hints.size >= MAX_HINTS) hints.clear();
  hints.set(key, { at: Date.now(), shards });
}

/** Notes the sharded locations of a network as read (the projection's per-shard entries). */
export function noteNetwork(network: SkuNetwork): void {
  for (const entry of Object.values(network.locations)) {
    const key = hintKey(network.tenantId, entry.locationId, network.sku);
    if (!entry.shards || (entry.shardCount ?? 1) <= 1) {
      hints.delete(key);
      continue;
    }
    const shards = Object.entries(entry.shards)
      .filter(([shard, counts]) => Number(shard) < (entry.shardCount ?? 1) && counts.epoch === entry.epoch)
      .map(([shard, counts]) => ({ shard: Number(shard), available: counts.available }));
    note(key, shards);
  }
}

/** Notes a location+SKU's shards as read consistently. */
export function noteShards(tenantId: string, locationId: string, sku: string, levels: readonly StockLevel[]): void {
  const key = hintKey(tenantId, locationId, sku);
  if (levels.length <= 1) hints.delete(key);
  else note(key, levels.map((level) => ({ shard: shardOf(level), available: level.available })));
}

/** The shards last seen of a sharded location+SKU, or undefined (unsharded, or not seen lately). */
export function shardHint(tenantId: string, locationId: string, sku: string): Array<{ shard: number; available: number }> | undefined {
  const hint = hints.get(hintKey(tenantId, locationId, sku));
  if (!hint || Date.now() - hint.at > HINT_MS) return undefined;
  return hint.shards;
}
