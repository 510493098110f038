import { emptyNetwork, mergeNetwork, type NetworkChange, type SkuNetwork } from '#domain/inventory/projection';
import type { Clock, SkuNetworkStore } from '../ports.ts';

export interface KeyedChange {
  tenantId: string;
  sku: string;
  change: NetworkChange;
}

export interface ProjectionResult {
  /** `tenantId sku` of the networks that could not be written (their records must be retried). */
  failed: Set<string>;
  written: number;
  /** Per written network: ms from the oldest stock commit it folded in to the projection write. */
  lagsMs: number[];
}

const MAX_ATTEMPTS = 5;

export const networkKey = (tenantId: string, sku: string) => `${tenantId} ${sku}`;

/**
 * Folds a batch of stream changes into the SKU network projections: all the changes of one SKU become one write (a hot
 * SKU's hundred changes in a batch cost one put), and the batch's writes go to the store together, each guarded by
 * the projection's version. Entries keep the stock item's version, so replays and late records are no-ops and the
 * result is independent of redelivery. A write that finds another version reads that SKU again and merges anew.
 */
export async function projectStockChanges(deps: { networks: SkuNetworkStore; clock: Clock }, changes: KeyedChange[]): Promise<ProjectionResult> {
  const bySku = new Map<string, KeyedChange[]>();
  for (const change of changes) {
    const key = networkKey(change.tenantId, change.sku);
    (bySku.get(key) ?? bySku.set(key, []).get(key)!).push(change);
  }
  const result: ProjectionResult = { failed: new Set(), written: 0, lagsMs: [] };
  const stored = new Map<string, SkuNetwork>();
  await read(deps, [...bySku.keys()], bySku, stored, result.failed);

  let pending = [...bySku.keys()].filter((key) => !result.failed.has(key));
  for (let attempt = 1; pending.length > 0; attempt++) {
    const now = deps.clock.now();
    const writes = pending.flatMap((key) => {
      const group = bySku.get(key)!;
      const base = stored.get(key) ?? emptyNetwork(group[0]!.tenantId, group[0]!.sku);
      const merged = mergeNetwork(base, group.map((g) => g.change), now);
      return merged.changed ? [{ key, base, merged }] : [];
    });
    if (writes.length === 0) break;
    let written: boolean[];
    try {
      written = await deps.networks.putManyIfVersion(writes.map((w) => ({ network: w.merged.network, expectedVersion: w.base.version })));
    } catch {
      for (const w of writes) result.failed.add(w.key);
      break;
    }
    const stale: string[] = [];
    writes.forEach((w, i) => {
      if (!written[i]) return stale.push(w.key);
      result.written++;
      if (w.merged.oldestApplied) result.lagsMs.push(Math.max(0, now.getTime() - Date.parse(w.merged.oldestApplied)));
    });
    if (stale.length > 0 && attempt >= MAX_ATTEMPTS) {
      for (const key of stale) result.failed.add(key);
      break;
    }
    await read(deps, stale, bySku, stored, result.failed);
    pending = stale.filter((key) => !result.failed.has(key));
  }
  return result;
}

/** Reads the stored projections of the given SKUs (one call per tenant); a SKU whose read failed is marked failed. */
async function read(deps: { networks: SkuNetworkStore }, keys: string[], bySku: Map<string, KeyedChange[]>, stored: Map<string, SkuNetwork>, failed: Set<string>): Promise<void> {
  const byTenant = new Map<string, string[]>();
  for (const key of keys) {
    const { tenantId, sku } = bySku.get(key)![0]!;
    (byTenant.get(tenantId) ?? byTenant.set(tenantId, []).get(tenantId)!).push(sku);
  }
  await Promise.all(
    [...byTenant].map(async ([tenantId, skus]) => {
      try {
        const found = await deps.networks.getMany(tenantId, skus);
        for (const sku of skus) {
          const network = found.get(sku);
          if (network) stored.set(networkKey(tenantId, sku), network);
          else stored.delete(networkKey(tenantId, sku));
        }
      } catch {
        for (const sku of skus) failed.add(networkKey(tenantId, sku));
      }
    }),
  );
}
