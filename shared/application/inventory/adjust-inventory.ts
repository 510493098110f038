import { applyAdjustment, emptyLevel, type StockLevel } from '#domain/inventory/stock';
import type { Adjustment } from '#domain/inventory/schemas';
import type { Clock, LocationStore, StockStore } from '../ports.ts';

export interface AdjustmentError {
  index: number;
  /** Path of the failing field in the request, e.g. `adjustments[3].locationId`. */
  field: string;
  code: 'UNKNOWN_LOCATION' | 'BELOW_RESERVED' | 'NEGATIVE_ON_HAND' | 'TEMPORARY_FAILURE';
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

/**
 * Applies a batch of adjustments, each on its own: one item's failure does not hold back the others, and the report
 * says exactly which took effect. Adjustments of the same location+sku are applied in request order and written
 * together. Every write is a put guarded by the version it was computed from (reservations move the same items
 * concurrently): on a lost race the item is read again and the adjustments recomputed.
 */
export async function adjustInventory(
  deps: { locations: LocationStore; stock: StockStore; clock: Clock },
  tenantId: string,
  adjustments: Adjustment[],
): Promise<AdjustmentReport> {
  const report: AdjustmentReport = { applied: 0, ignored: [], errors: [] };
  const known = await deps.locations.existing(tenantId, adjustments.map((a) => a.locationId));
  const groups = new Map<string, number[]>();
  adjustments.forEach((adjustment, index) => {
    if (!known.has(adjustment.locationId)) {
      report.errors.push({ index, field: `adjustments[${index}].locationId`, code: 'UNKNOWN_LOCATION', message: `location ${adjustment.locationId} does not exist` });
      return;
    }
    const key = `${adjustment.locationId} ${adjustment.sku}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(index);
  });

  const initial = await deps.stock.getMany(tenantId, [...groups.keys()].map((key) => adjustments[groups.get(key)![0]!]!));
  const queue = [...groups.entries()];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [key, indexes] = next;
      try {
        await applyGroup(deps, tenantId, adjustments, indexes, initial.get(key), report);
      } catch (error) {
        for (const index of indexes) {
          report.errors.push({ index, field: `adjustments[${index}]`, code: 'TEMPORARY_FAILURE', message: `not applied, safe to retry: ${(error as Error).message}` });
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
  report.errors.sort((a, b) => a.index - b.index);
  report.ignored.sort((a, b) => a.index - b.index);
  return report;
}

async function applyGroup(
  deps: { stock: StockStore; clock: Clock },
  tenantId: string,
  adjustments: Adjustment[],
  indexes: number[],
  first: StockLevel | undefined,
  report: AdjustmentReport,
): Promise<void> {
  const { locationId, sku } = adjustments[indexes[0]!]!;
  let current = first;
  for (let attempt = 1; ; attempt++) {
    const now = deps.clock.now();
    const base = current ?? emptyLevel(tenantId, locationId, sku, now);
    let level = base;
    const applied: number[] = [];
    const ignored: IgnoredAdjustment[] = [];
    const errors: AdjustmentError[] = [];
    for (const index of indexes) {
      const adjustment = adjustments[index]!;
      const outcome = applyAdjustment(level, adjustment, now);
      if (outcome.kind === 'applied') {
        // Several adjustments of one item in one request make one write, so one version step.
        level = { ...outcome.level, version: base.version + 1 };
        applied.push(index);
      } else if (outcome.kind === 'ignored') {
        ignored.push({ index, locationId, sku, reason: outcome.reason, sequence: adjustment.sequence!, lastSequence: outcome.lastSequence });
      } else {
        errors.push({ index, field: `adjustments[${index}].${outcome.field}`, code: outcome.code, message: outcome.message });
      }
    }
    if (applied.length === 0 || (await deps.stock.putIfVersion(level, base.version))) {
      report.applied += applied.length;
      report.ignored.push(...ignored);
      report.errors.push(...errors);
      return;
    }
    if (attempt >= MAX_ATTEMPTS) throw new Error(`location ${locationId} sku ${sku} kept changing under ${MAX_ATTEMPTS} attempts`);
    current = (await deps.stock.getMany(tenantId, [{ locationId, sku }])).get(`${locationId} ${sku}`);
  }
}
