// Percentage rollouts of a rule set: an order is in when a stable hash of its id falls below the rollout share.
// Stable: the same order id and rule set give the same answer in every process, version and retry (an order routed
// again after a rejection stays on the rules it started with), and raising the share only adds orders (an order in
// at 10 % is still in at 50 %). The rule set's id salts the hash, so two rollouts at 10 % do not pick the same orders.

/** Buckets of the hash: shares are honoured to 0.01 %. */
export const ROLLOUT_BUCKETS = 10_000;

const encoder = new TextEncoder();

/**
 * 32-bit FNV-1a over the UTF-8 bytes of `ruleSetId \0 orderId`, finished with murmur3's fmix32 so that ids differing in
 * their last characters (o_…01, o_…02) spread over all buckets. Reproducible in any language from this description.
 */
export function rolloutHash(orderId: string, ruleSetId: string): number {
  let h = 0x811c9dc5;
  for (const byte of encoder.encode(`${ruleSetId}\u0000${orderId}`)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The order's bucket for this rule set, 0 to ROLLOUT_BUCKETS - 1. */
export function rolloutBucket(orderId: string, ruleSetId: string): number {
  return rolloutHash(orderId, ruleSetId) % ROLLOUT_BUCKETS;
}

/** Whether the order is among the `sharePercent` % (0-100, two decimals) of orders the rule set is rolled out to. */
export function inRollout(orderId: string, ruleSetId: string, sharePercent: number): boolean {
  return rolloutBucket(orderId, ruleSetId) < Math.round(sharePercent * (ROLLOUT_BUCKETS / 100));
}
