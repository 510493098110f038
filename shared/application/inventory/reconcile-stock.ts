import { decideReconcile, heldByPair, pairKey, type DriftSighting, type StockDrift } from '#domain/inventory/reconcile';
import { needsRebalance, shardCountOf, shardOf } from '#domain/inventory/stock-shards';
import type { Clock } from '../ports.ts';
import type { ReconcilerState, StockReconcileStore } from './reconcile-ports.ts';

/** Drift on an item changed more recently than this waits for the next run (the reservation index may lag). */
export const SETTLE_MS = 5 * 60_000;
/** Over-reservation is corrected when a run at least this much later sees it again at the same item version. */
export const CONFIRM_AFTER_MS = 30 * 60_000;
/** Stock items read per tenant and run; a larger tenant's pass continues where the last run stopped. */
export const STOCK_ITEMS_PER_RUN = 20_000;
/** Pages of the one-time backfill of the open-reservation index read per run (a large table takes several runs). */
export const BACKFILL_PAGES_PER_RUN = 200;
/** Sightings kept per tenant: drift on more items than this is a systemic fault, for a person to look at. */
const MAX_SIGHTINGS = 1_000;

/**
 * What the run did with an item that drifted: `corrected`; `moved` (its version changed between read and write: a
 * live reservation won, nothing written, the next run looks again); `watching` (over-reservation seen once, corrected
 * when confirmed); `unsettled` (changed too recently); `reported` (a dry run).
 */
export type DriftAction = 'corrected' | 'moved' | 'watching' | 'unsettled' | 'reported';

export interface DriftReport extends StockDrift {
  tenantId: string;
  action: DriftAction;
}

export interface ReconcileResult {
  tenants: number;
  /** Stock items compared with their open reservations. */
  checked: number;
  openReservations: number;
  drifts: DriftReport[];
  corrected: number;
  /** Tenants whose pass did not finish in this run (more items than STOCK_ITEMS_PER_RUN): it continues next run. */
  unfinished: string[];
  failed: Array<{ tenantId: string; error: unknown }>;
  /** Whether every PENDING reservation is in the open-reservation index (until then over-reservation is only watched). */
  indexComplete: boolean;
  /** Reservations from before the index added to it by this run. */
  backfilled: number;
  /** Sharded location+SKUs whose shards this run evened out (a dry shard next to full ones: planRebalance). */
  rebalanced: number;
}

export interface ReconcileDeps {
  stock: StockReconcileStore;
  clock: Clock;
}

export interface ReconcileOptions {
  /** Only this tenant (the CLI); default: every tenant. */
  tenantId?: string;
  /** Report drift without writing anything (no corrections, no state). */
  dryRun?: boolean;
  itemsPerRun?: number;
}

/**
 * The scheduled stock reconciler: per tenant, recomputes each stock item's `reserved` from the lines of its PENDING
 * reservations, reports the items that drifted and corrects them with a write guarded by the item's version, so it
 * never overwrites a reservation, release or adjustment that happened since it read (see the domain's rules in
 * `#domain/inventory/reconcile` for what waits). One tenant's failure never stops the others.
 */
/**
 * The periodic rebalance of sharded stock: each sharded location+SKU of the page whose shards look uneven (a dry shard
 * while others hold units) is evened out by the store (read consistently, planRebalance, one transaction). A shortage
 * in a reservation does the same at once; this catches shards that drained without a reservation being refused.
 */
async function rebalanceShards(deps: ReconcileDeps, tenantId: string, items: readonly { locationId: string; sku: string; shard?: number; shardCount?: number; available: number }[]): Promise<number> {
  const groups = new Map<string, Array<{ shard: number; available: number }>>();
  for (const item of items) {
    if (shardCountOf(item) <= 1) continue;
    const key = pairKey(item.locationId, item.sku);
    (groups.get(key) ?? groups.set(key, []).get(key)!).push({ shard: shardOf(item), available: item.available });
  }
  let rebalanced = 0;
  for (const [key, shards] of groups) {
    if (!needsRebalance(shards)) continue;
    const [locationId, sku] = key.split('\u0000') as [string, string];
    if (await deps.stock.rebalance(tenantId, locationId, sku, deps.clock.now())) rebalanced++;
  }
  return rebalanced;
}

export async function reconcileStock(deps: ReconcileDeps, options: ReconcileOptions = {}): Promise<ReconcileResult> {
  // Reservations from before the index are added to it first (bounded per run); a dry run writes nothing, so it only
  // learns whether the index is complete.
  const index = await deps.stock.backfillOpenReservations(options.dryRun ? 0 : BACKFILL_PAGES_PER_RUN);
  const tenants = options.tenantId ? [options.tenantId] : await deps.stock.tenantIds();
  const result: ReconcileResult = { tenants: tenants.length, checked: 0, openReservations: 0, drifts: [], corrected: 0, unfinished: [], failed: [], indexComplete: index.complete, backfilled: index.indexed, rebalanced: 0 };
  for (const tenantId of tenants) {
    try {
      await reconcileTenant(deps, tenantId, { ...options, indexComplete: index.complete }, result);
    } catch (error) {
      result.failed.push({ tenantId, error });
    }
  }
  return result;
}

async function reconcileTenant(deps: ReconcileDeps, tenantId: string, options: ReconcileOptions & { indexComplete: boolean }, result: ReconcileResult): Promise<void> {
  const budget = options.itemsPerRun ?? STOCK_ITEMS_PER_RUN;
  const state = await deps.stock.loadState(tenantId);
  // Reservations first: one that starts after this read moves the item's version, so its write is refused below.
  const open = await deps.stock.openReservationLines(tenantId);
  result.openReservations += open.reservations;
  const held = heldByPair(open.lines);
  const sightings: Record<string, DriftSighting> = { ...state.sightings };
  const timing = { now: deps.clock.now(), settleMs: SETTLE_MS, confirmAfterMs: CONFIRM_AFTER_MS, indexComplete: options.indexComplete };

  let cursor = state.cursor;
  let read = 0;
  do {
    const page = await deps.stock.stockPage(tenantId, cursor, Math.min(1_000, budget - read));
    read += page.items.length;
    cursor = page.next;
    for (const listed of page.items) {
      result.checked++;
      const key = pairKey(listed.locationId, listed.sku, listed.shard);
      const units = held.get(key) ?? 0;
      if (decideReconcile(listed, units, sightings[key], timing).kind === 'inStep') {
        delete sightings[key];
        continue;
      }
      // The page comes from an index: decide again on the item as it is now.
      const item = await deps.stock.getStock(tenantId, listed.locationId, listed.sku, listed.shard ?? 0);
      const decision = item ? decideReconcile(item, units, sightings[key], timing) : { kind: 'inStep' as const };
      if (decision.kind === 'inStep') {
        delete sightings[key];
        continue;
      }
      let action: DriftAction;
      if (options.dryRun) action = 'reported';
      else if (decision.kind === 'unsettled') action = 'unsettled';
      else if (decision.kind === 'watch') {
        sightings[key] = decision.sighting;
        action = 'watching';
      } else {
        const written = await deps.stock.correct(tenantId, item!.locationId, item!.sku, decision.correction, decision.expectedVersion, deps.clock.now(), item!.shard ?? 0);
        action = written ? 'corrected' : 'moved';
        if (written) result.corrected++;
        delete sightings[key];
      }
      result.drifts.push({ tenantId, ...decision.drift, action });
    }
    if (!options.dryRun) result.rebalanced += await rebalanceShards(deps, tenantId, page.items);
  } while (cursor && read < budget);

  if (cursor) result.unfinished.push(tenantId);
  if (options.dryRun) return;
  const kept = Object.entries(sightings).slice(-MAX_SIGHTINGS);
  const next: ReconcilerState = { ...(cursor ? { cursor } : {}), sightings: Object.fromEntries(kept) };
  if (JSON.stringify(next) !== JSON.stringify(state)) await deps.stock.saveState(tenantId, next);
}
