import { setTimeout as sleep } from 'node:timers/promises';
import { explainRefusal, isPlainDelta, planAdjustment, type AdjustmentOutcome, type StockLevel } from '#domain/inventory/stock';
import { planShardedAdjustment, shardCountOf, type ShardedAdjustmentPlan } from '#domain/inventory/stock-shards';
import type { Adjustment } from '#domain/inventory/schemas';
import type { Clock, LocationStore, StockStore } from '../ports.ts';
import { AdjustmentsUnavailableError } from './errors.ts';

export interface AdjustmentError {
  index: number;
  /** Path of the failing field in the request, e.g. `adjustments[3].locationId`. */
  field: string;
  code: 'UNKNOWN_LOCATION' | 'BELOW_RESERVED' | 'NEGATIVE_ON_HAND' | 'SHARDS_IN_USE' | 'TEMPORARY_FAILURE';
  message: string;
}

export interface IgnoredAdjustment {
  index: number;
  locationId: string;
  sku: string;
  reason: 'STALE_SEQUENCE';
  sequence: number;
  lastSequence: number;
}

export interface AdjustmentReport {
  /** How many adjustments took effect; every index not in `ignored` or `errors` did. */
  applied: number;
  ignored: IgnoredAdjustment[];
  errors: AdjustmentError[];
}

const MAX_ATTEMPTS = 8;
const CONCURRENCY = 16;
/** What a 503 asks the caller to wait before retrying the whole request. */
const RETRY_AFTER_SECONDS = 1;

/**
 * Applies a batch of adjustments, each on its own: one item's failure does not hold back the others, and the report
 * says exactly which took effect. Adjustments of the same location+sku are applied in request order, one conditional
 * update each (StockWrite): a plain delta is added where it lands, with no read first, so concurrent movements of one
 * item never lose a race; a count or safety-stock change is computed from the item as read and written only if the
 * reserved units and safety stock it was computed from are unchanged (else computed again from the item the refusal
 * returned). When nothing could be applied because writes kept failing (throttling, contention), the request as a whole
 * is refused with AdjustmentsUnavailableError, so a caller never takes a 200 for work that was not done.
 */
export async function adjustInventory(
  deps: { locations: LocationStore; stock: StockStore; clock: Clock },
  tenantId: string,
  adjustments: Adjustment[],
  caller: { locationIds?: readonly string[] } = {},
): Promise<AdjustmentReport> {
  const report: AdjustmentReport = { applied: 0, ignored: [], errors: [] };
  // A scoped API key adjusts only its own locations; another one is answered as if it did not exist.
  const visible = (locationId: string) => caller.locationIds === undefined || caller.locationIds.includes(locationId);
  const existing = await deps.locations.existing(tenantId, adjustments.map((a) => a.locationId).filter(visible));
  const known = { has: (locationId: string) => visible(locationId) && existing.has(locationId) };
  const groups = new Map<string, number[]>();
  adjustments.forEach((adjustment, index) => {
    if (!known.has(adjustment.locationId)) {
      report.errors.push({ index, field: `adjustments[${index}].locationId`, code: 'UNKNOWN_LOCATION', message: `location ${adjustment.locationId} does not exist` });
      return;
    }
    const key = `${adjustment.locationId} ${adjustment.sku}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(index);
  });

  // Only counts and safety-stock changes need the item first: one read for all of them.
  const toRead = [...groups.values()].filter((indexes) => indexes.some((i) => !isPlainDelta(adjustments[i]!))).map((indexes) => adjustments[indexes[0]!]!);
  const initial = toRead.length ? await deps.stock.getMany(tenantId, toRead) : new Map<string, StockLevel>();
  const queue = [...groups.entries()];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [key, indexes] = next;
      await applyGroup(deps, tenantId, adjustments, indexes, initial.get(key), report);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
  report.errors.sort((a, b) => a.index - b.index);
  report.ignored.sort((a, b) => a.index - b.index);
  if (report.applied === 0 && report.errors.some((e) => e.code === 'TEMPORARY_FAILURE')) {
    throw new AdjustmentsUnavailableError(report, RETRY_AFTER_SECONDS);
  }
  return report;
}

/** One location+sku's adjustments, in request order; the item each write returns is the next one's starting point. */
async function applyGroup(
  deps: { stock: StockStore; clock: Clock },
  tenantId: string,
  adjustments: Adjustment[],
  indexes: number[],
  first: StockLevel | undefined,
  report: AdjustmentReport,
): Promise<void> {
  let current = first;
  for (const [position, index] of indexes.entries()) {
    const adjustment = adjustments[index]!;
    try {
      current = await applyOne(deps, tenantId, adjustment, index, current, report);
    } catch (error) {
      // The rest of the group waited on this one (request order): none of them was applied.
      for (const rest of indexes.slice(position)) {
        report.errors.push({ index: rest, field: `adjustments[${rest}]`, code: 'TEMPORARY_FAILURE', message: `not applied, safe to retry: ${(error as Error).message}` });
      }
      return;
    }
  }
}

async function applyOne(
  deps: { stock: StockStore; clock: Clock },
  tenantId: string,
  adjustment: Adjustment,
  index: number,
  known: StockLevel | undefined,
  report: AdjustmentReport,
): Promise<StockLevel | undefined> {
  const { locationId, sku } = adjustment;
  let current = known;
  let readFirst = false;
  for (let attempt = 1; ; attempt++) {
    // A sharded location+SKU, or one being split: every shard is read and the adjustment planned over all of them.
    if ((adjustment.shards ?? 1) > 1 || shardCountOf(current) > 1) return applySharded(deps, tenantId, adjustment, index, report);
    const now = deps.clock.now();
    const plan = planAdjustment(tenantId, current, adjustment, now, readFirst);
    if (plan.kind !== 'write') return refuse(report, adjustment, index, plan, current);
    const result = await deps.stock.adjust(tenantId, locationId, sku, plan.write, now);
    if (result.applied) {
      report.applied++;
      return result.level;
    }
    current = result.current;
    // Refused because the location+SKU is sharded (the write expected one counter): adjust it shard-wise.
    if (shardCountOf(current) > 1) continue;
    const why = explainRefusal(current, adjustment, now);
    if (why.kind !== 'retry') return refuse(report, adjustment, index, why, current);
    // The item moved under a count, or a delta met a missing or stale `unreserved`: write it from this item.
    readFirst = true;
    if (attempt >= MAX_ATTEMPTS) throw new Error(`location ${locationId} sku ${sku} kept changing under ${MAX_ATTEMPTS} attempts`);
    await sleep(Math.random() * Math.min(100, 2 ** attempt));
  }
}

/**
 * An adjustment of a sharded location+SKU (or one that changes its shard count): all its shards read, the write planned
 * over them (planShardedAdjustment: a movement added to one shard, anything else every shard rewritten in one
 * transaction) and written under the conditions of what was read; a write that finds a shard moved reads again.
 */
async function applySharded(
  deps: { stock: StockStore; clock: Clock },
  tenantId: string,
  adjustment: Adjustment,
  index: number,
  report: AdjustmentReport,
): Promise<StockLevel | undefined> {
  const { locationId, sku } = adjustment;
  for (let attempt = 1; ; attempt++) {
    const now = deps.clock.now();
    const shards = await deps.stock.getShards(tenantId, locationId, sku);
    const plan = planShardedAdjustment(tenantId, shards, adjustment, now);
    if (plan.kind !== 'add' && plan.kind !== 'rewrite') return refuse(report, adjustment, index, plan, shards[0]);
    const written =
      plan.kind === 'add'
        ? (await deps.stock.adjust(tenantId, locationId, sku, { kind: 'add', delta: plan.delta }, now, plan.shard)).applied
        : await deps.stock.rewriteShards(tenantId, locationId, sku, { shards: plan.shards, count: plan.count, basis: shards, ...(adjustment.sequence !== undefined ? { sequence: adjustment.sequence } : {}) }, now);
    if (written) {
      report.applied++;
      // The next adjustment of this location+SKU reads its shards again: it only needs to know it is sharded.
      return { ...(shards[0] ?? { tenantId, locationId, sku, onHand: 0, reserved: 0, safetyStock: 0, available: 0, version: 0, updatedAt: now.toISOString() }), shardCount: plan.kind === 'rewrite' ? plan.count : shardCountOf(shards[0]) };
    }
    if (attempt >= MAX_ATTEMPTS) throw new Error(`location ${locationId} sku ${sku} kept changing under ${MAX_ATTEMPTS} attempts`);
    await sleep(Math.random() * Math.min(100, 2 ** attempt));
  }
}

function refuse(
  report: AdjustmentReport,
  adjustment: Adjustment,
  index: number,
  outcome: Exclude<AdjustmentOutcome, { kind: 'applied' }> | Extract<ShardedAdjustmentPlan, { kind: 'refused' }>,
  current: StockLevel | undefined,
): StockLevel | undefined {
  if (outcome.kind === 'ignored') {
    report.ignored.push({ index, locationId: adjustment.locationId, sku: adjustment.sku, reason: outcome.reason, sequence: adjustment.sequence!, lastSequence: outcome.lastSequence });
  } else {
    report.errors.push({ index, field: `adjustments[${index}].${outcome.field}`, code: outcome.code, message: outcome.message });
  }
  return current;
}
