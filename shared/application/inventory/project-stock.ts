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
const CONCURRENCY = 32;

export const networkKey = (tenantId: string, sku: string) => `${tenantId} ${sku}`;

/**
 * Folds a batch of stream changes into the SKU network projections: all the changes of one SKU become one read and
 * one write (a hot SKU's hundred changes in a batch cost one put), guarded by the projection's version. Entries keep
 * the stock item's version, so replays and late records are no-ops and the result is independent of redelivery.
 */
export async function projectStockChanges(deps: { networks: SkuNetworkStore; clock: Clock }, changes: KeyedChange[]): Promise<ProjectionResult> {
  const bySku = new Map<string, KeyedChange[]>();
  for (const change of changes) {
    const key = networkKey(change.tenantId, change.sku);
    (bySku.get(key) ?? bySku.set(key, []).get(key)!).push(change);
  }
  const byTenant = new Map<string, string[]>();
  for (const group of bySku.values()) (byTenant.get(group[0]!.tenantId) ?? byTenant.set(group[0]!.tenantId, []).get(group[0]!.tenantId)!).push(group[0]!.sku);

  const result: ProjectionResult = { failed: new Set(), written: 0, lagsMs: [] };
  const stored = new Map<string, SkuNetwork>();
  await Promise.all(
    [...byTenant].map(async ([tenantId, skus]) => {
      try {
        for (const [sku, network] of await deps.networks.getMany(tenantId, skus)) stored.set(networkKey(tenantId, sku), network);
      } catch {
        for (const sku of skus) result.failed.add(networkKey(tenantId, sku));
      }
    }),
  );

  const queue = [...bySku.entries()].filter(([key]) => !result.failed.has(key));
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [key, group] = next;
      const { tenantId, sku } = group[0]!;
      try {
        let current = stored.get(key);
        for (let attempt = 1; ; attempt++) {
          const base = current ?? emptyNetwork(tenantId, sku);
          const now = deps.clock.now();
          const merged = mergeNetwork(base, group.map((g) => g.change), now);
          if (!merged.changed) break;
          if (await deps.networks.putIfVersion(merged.network, base.version)) {
            result.written++;
            if (merged.oldestApplied) result.lagsMs.push(Math.max(0, now.getTime() - Date.parse(merged.oldestApplied)));
            break;
          }
          if (attempt >= MAX_ATTEMPTS) throw new Error(`projection of ${sku} kept changing`);
          current = (await deps.networks.getMany(tenantId, [sku])).get(sku);
        }
      } catch {
        result.failed.add(key);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
  return result;
}
