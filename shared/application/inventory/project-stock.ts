import { emptyNetwork, mergeNetwork, type NetworkChange, type SkuNetwork } from '#domain/inventory/projection';
import type { Clock, NetworkWriteOutcome, SkuNetworkStore } from '../ports.ts';

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
 * Folds a batch of stream changes into the SKU network projections: all the changes of one SKU become one write (a
 * hot SKU's hundred changes in a batch cost one), and the batch's writes go to the store together, each guarded by
 * the projection's version. Entries keep the stock item's version, so replays and late records are no-ops and the
 * result is independent of redelivery. A write that finds the projection moved on (a Sku change from another shard)
 * is read again and merged again, a few times at most. A SKU whose changes move more locations than one write takes
 * (MAX_MOVED_PER_WRITE) is written in several versions, one after the other.
 */
export async function projectStockChanges(deps: { networks: SkuNetworkStore; clock: Clock }, changes: KeyedChange[]): Promise<ProjectionResult> {
  const bySku = new Map<string, KeyedChange[]>();
  for (const change of changes) {
    const key = networkKey(change.tenantId, change.sku);
    (bySku.get(key) ?? bySku.set(key, []).get(key)!).push(change);
  }
  const result: ProjectionResult = { failed: new Set(), written: 0, lagsMs: [] };
  const stored = new Map<string, SkuNetwork>();
  // `attempt` counts a SKU's lost races; a network moving more locations than one write takes goes on in new rounds.
  let pending = [...bySku.values()].map((group) => ({ group, attempt: 1 }));

  while (pending.length) {
    await readNetworks(deps.networks, pending.map((p) => p.group), stored, result.failed);
    const plans = pending.flatMap(({ group, attempt }) => {
      const { tenantId, sku } = group[0]!;
      const key = networkKey(tenantId, sku);
      if (result.failed.has(key)) return [];
      const base = stored.get(key) ?? emptyNetwork(tenantId, sku);
      const now = deps.clock.now();
      try {
        const merged = mergeNetwork(base, group.map((g) => g.change), now);
        return merged.changed ? [{ key, group, attempt, merged, base, now }] : [];
      } catch {
        // A network beyond what can be stored (NetworkTooLargeError): its records fail, and end in the stream's DLQ.
        result.failed.add(key);
        return [];
      }
    });
    if (!plans.length) break;

    let outcomes: NetworkWriteOutcome[];
    try {
      outcomes = await deps.networks.putManyIfVersion(
        plans.map(({ merged, base }) => ({ network: merged.network, expectedVersion: base.version, ...(base.version ? { previous: base } : {}) })),
      );
    } catch {
      for (const { key } of plans) result.failed.add(key);
      break;
    }
    pending = [];
    plans.forEach(({ key, group, attempt, merged, now }, i) => {
      if (outcomes[i] === 'written') {
        result.written++;
        if (merged.oldestApplied) result.lagsMs.push(Math.max(0, now.getTime() - Date.parse(merged.oldestApplied)));
        if (merged.rest.length) {
          stored.set(key, merged.network);
          const { tenantId, sku } = group[0]!;
          pending.push({ group: merged.rest.map((change) => ({ tenantId, sku, change })), attempt });
        }
      } else if (outcomes[i] === 'stale' && attempt < MAX_ATTEMPTS) {
        stored.delete(key);
        pending.push({ group, attempt: attempt + 1 });
      } else {
        result.failed.add(key);
      }
    });
  }
  return result;
}

/** Reads the projections of the groups not already at hand (one call per tenant); a failed read fails its SKUs. */
async function readNetworks(networks: SkuNetworkStore, groups: KeyedChange[][], stored: Map<string, SkuNetwork>, failed: Set<string>): Promise<void> {
  const byTenant = new Map<string, string[]>();
  for (const group of groups) {
    const { tenantId, sku } = group[0]!;
    if (stored.has(networkKey(tenantId, sku))) continue;
    (byTenant.get(tenantId) ?? byTenant.set(tenantId, []).get(tenantId)!).push(sku);
  }
  await Promise.all(
    [...byTenant].map(async ([tenantId, skus]) => {
      try {
        for (const [sku, network] of await networks.getMany(tenantId, skus)) stored.set(networkKey(tenantId, sku), network);
      } catch {
        for (const sku of skus) failed.add(networkKey(tenantId, sku));
      }
    }),
  );
}
