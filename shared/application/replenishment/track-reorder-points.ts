import type { Clock } from '#application/ports';
import { ConflictError, retryOnConflict } from '#application/errors';
import { decideReorder, emptyReorderState } from '#domain/replenishment/reorder';
import { skuAtKey, type ReorderStateStore, type ReplenishmentReads, type SkuAt } from './ports.ts';

export interface TrackDeps {
  states: ReorderStateStore;
  reads: ReplenishmentReads;
  /** The tenant's review period (cached by the caller: it changes rarely). */
  reviewDaysOf(tenantId: string): Promise<number>;
  clock: Clock;
}

/**
 * The stream's side of replenishment: every SKU x location whose stock, units on order or forecast changed is assessed
 * again from what is stored now (its forecast, live availability, its state); a state is written only when `below`
 * flips or its levels moved, guarded by its version, so a replayed record, or two readers at once, flip it once (the
 * outbox turns the flip into ReorderSuggested). A tenant without forecasts costs one cached read. Returns the pairs
 * that could not be assessed (the caller reports their records for a retry).
 */
export async function trackReorderPoints(deps: TrackDeps, pairs: readonly SkuAt[]): Promise<{ failed: Set<string>; flipped: number }> {
  const failed = new Set<string>();
  let flipped = 0;
  const byTenant = new Map<string, Map<string, SkuAt>>();
  for (const p of pairs) {
    const tenant = byTenant.get(p.tenantId) ?? byTenant.set(p.tenantId, new Map()).get(p.tenantId)!;
    tenant.set(skuAtKey(p), p);
  }
  await Promise.all(
    [...byTenant].map(async ([tenantId, tenantPairs]) => {
      const list = [...tenantPairs.values()];
      try {
        if (!(await deps.reads.hasForecasts(tenantId))) return;
        const reviewDays = await deps.reviewDaysOf(tenantId);
        const run = async (batch: SkuAt[]) => {
          const [states, forecasts, available] = await Promise.all([deps.states.getMany(tenantId, batch), deps.reads.forecastsOf(tenantId, batch), deps.reads.availableOf(tenantId, batch)]);
          const conflicts: SkuAt[] = [];
          await Promise.all(
            batch.map(async (p) => {
              const key = skuAtKey(p);
              const state = states.get(key) ?? emptyReorderState(tenantId, p.sku, p.locationId);
              const forecast = forecasts.get(key);
              // Never assessed and nothing to assess: no item for it.
              if (!forecast && state.version === 0) return;
              const next = decideReorder(state, forecast, available.get(key) ?? 0, reviewDays, deps.clock.now());
              if (!next) return;
              try {
                await deps.states.save(next, state.version);
                if (next.below !== state.below) flipped++;
              } catch (error) {
                if (!(error instanceof ConflictError)) throw error;
                conflicts.push(p);
              }
            }),
          );
          // Lost a race (an inbound moved the units on order, another reader flipped it): read again and decide again.
          if (conflicts.length) throw Object.assign(new ConflictError(`${conflicts.length} reorder state(s) moved`), { pairs: conflicts });
        };
        let batch = list;
        await retryOnConflict(async () => {
          try {
            await run(batch);
          } catch (error) {
            if (error instanceof ConflictError && 'pairs' in error) batch = error.pairs as SkuAt[];
            throw error;
          }
        });
      } catch {
        for (const p of list) failed.add(`${tenantId} ${skuAtKey(p)}`);
      }
    }),
  );
  return { failed, flipped };
}
