import type { SkuNetwork } from '#domain/inventory/projection';
import type { NetworkWriteOutcome, SkuNetworkStore } from '../ports.ts';

/**
 * A SkuNetworkStore that remembers the projections it wrote. A stream shard has one consumer at a time, so the
 * projection it wrote last is almost always the stored one and re-reading it costs a round trip on the lag's critical
 * path. Writes stay conditioned on the version: a stale entry (another shard wrote the item: a Sku change) fails its
 * write, is forgotten, and is read again. Least-recently-used entries go first.
 */
export function cachedSkuNetworks(inner: SkuNetworkStore, maxEntries = 10_000): SkuNetworkStore {
  const cache = new Map<string, SkuNetwork>();
  const keyOf = (tenantId: string, sku: string) => `${tenantId} ${sku}`;
  const remember = (network: SkuNetwork) => {
    const key = keyOf(network.tenantId, network.sku);
    cache.delete(key);
    cache.set(key, network);
    if (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
  };
  return {
    async getMany(tenantId, skus) {
      const found = new Map<string, SkuNetwork>();
      const missing: string[] = [];
      for (const sku of new Set(skus)) {
        const hit = cache.get(keyOf(tenantId, sku));
        if (hit) found.set(sku, hit);
        else missing.push(sku);
      }
      if (missing.length) {
        for (const [sku, network] of await inner.getMany(tenantId, missing)) {
          found.set(sku, network);
          remember(network);
        }
      }
      return found;
    },
    async putManyIfVersion(writes) {
      let outcomes: NetworkWriteOutcome[] = [];
      try {
        outcomes = await inner.putManyIfVersion(writes);
        return outcomes;
      } finally {
        // What was not written (or not known to be, after an error) is read again next time.
        writes.forEach(({ network }, i) => (outcomes[i] === 'written' ? remember(network) : cache.delete(keyOf(network.tenantId, network.sku))));
      }
    },
  };
}
