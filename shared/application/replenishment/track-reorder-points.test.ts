import { describe, expect, it } from 'vitest';
import { ConflictError } from '#application/errors';
import type { StoredForecast } from '#domain/demand/forecast-run';
import type { ReorderState } from '#domain/replenishment/reorder';
import { skuAtKey, type ReorderStateStore, type ReplenishmentReads } from './ports.ts';
import { trackReorderPoints } from './track-reorder-points.ts';

/** In-memory fakes of the ports: states guarded by version as the table's condition guards them. */
function world(available: number) {
  const states = new Map<string, ReorderState>();
  const saves: ReorderState[] = [];
  const forecast: StoredForecast = {
    tenantId: 't_1', sku: 'TEE', locationId: 'brooklyn', origin: '2026-12-02', daily: Array(28).fill(1), leadTimeDays: 7, serviceLevel: 0.95,
    leadTimeDemand: 7, reorderPoint: 10, safetyStock: 3, historyDays: 90, runId: 'r', generatedAt: '2026-12-03T00:00:00.000Z',
  };
  const store: ReorderStateStore = {
    async getMany(_t, pairs) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return new Map(pairs.flatMap((p) => (states.has(skuAtKey(p)) ? [[skuAtKey(p), structuredClone(states.get(skuAtKey(p))!)] as const] : [])));
    },
    async save(state, expectedVersion) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if ((states.get(skuAtKey(state))?.version ?? 0) !== expectedVersion) throw new ConflictError('moved');
      states.set(skuAtKey(state), state);
      saves.push(state);
    },
    async listBelow() {
      return { items: [] };
    },
  };
  const reads: ReplenishmentReads = {
    forecastsOf: async () => new Map([[skuAtKey(forecast), forecast]]),
    listForecasts: async () => ({ items: [forecast] }),
    availableOf: async () => new Map([['TEE brooklyn', available]]),
    hasForecasts: async () => true,
    locationExists: async () => true,
  };
  const deps = { states: store, reads, reviewDaysOf: async () => 7, clock: { now: () => new Date('2026-12-03T10:00:00.000Z') } };
  return { deps, states, saves };
}

const pair = { tenantId: 't_1', sku: 'TEE', locationId: 'brooklyn' };

describe('tracking reorder points from the stream', () => {
  it('flips a SKU at its reorder point once, however many records and readers ask at once', async () => {
    const { deps, states, saves } = world(10);
    const results = await Promise.all([trackReorderPoints(deps, [pair, pair]), trackReorderPoints(deps, [pair]), trackReorderPoints(deps, [pair])]);
    expect(results.reduce((n, r) => n + r.flipped, 0)).toBe(1);
    expect(results.every((r) => r.failed.size === 0)).toBe(true);
    expect(saves.filter((s) => s.below)).toHaveLength(1);
    expect(states.get('TEE brooklyn')).toMatchObject({ below: true, crossings: 1, suggestedQuantity: 7 });
    // A replay later: nothing to write.
    expect((await trackReorderPoints(deps, [pair])).flipped).toBe(0);
    expect(saves).toHaveLength(1);
  });

  it('writes nothing for a pair above its reorder point that was never assessed below, but keeps its levels', async () => {
    const { deps, states } = world(11);
    await trackReorderPoints(deps, [pair]);
    expect(states.get('TEE brooklyn')).toMatchObject({ below: false, reorderPoint: 10, orderUpTo: 17, crossings: 0 });
  });

  it('reports the pairs of a tenant whose reads fail, for the stream to deliver again', async () => {
    const { deps } = world(10);
    const failing = { ...deps, reads: { ...deps.reads, availableOf: async () => Promise.reject(new Error('throttled')) } };
    expect([...(await trackReorderPoints(failing, [pair])).failed]).toEqual(['t_1 TEE brooklyn']);
  });
});
