import { describe, expect, it } from 'vitest';
import type { DemandCount, DemandStore, OrderRegions } from './ports.ts';
import { DEMAND_SKUS_PER_WRITE, rollUpDemand, type KeyedDemandChange } from './roll-up-demand.ts';

/** An in-memory demand store with the adapter's once-only semantics (a marker per shipment and chunk). */
function memoryDemand(failOn: (entry: DemandCount) => boolean = () => false) {
  const markers = new Map<string, { entry: DemandCount; status: 'COUNTED' | 'REVERSED' }>();
  /** Entries per count call: a batch's counts go together. */
  const calls: number[] = [];
  const units = new Map<string, number>();
  const add = (entry: DemandCount, sign: number) => {
    for (const line of entry.lines) {
      const key = `${line.sku} ${entry.locationId} ${entry.region} ${entry.day}`;
      units.set(key, (units.get(key) ?? 0) + sign * line.units);
    }
  };
  const store: Pick<DemandStore, 'count' | 'reverse'> = {
    async count(entries) {
      calls.push(entries.length);
      const keys = entries.map((entry) => `${entry.tenantId} ${entry.shipmentId} ${entry.chunk}`);
      expect(new Set(keys).size).toBe(keys.length);
      return entries.map((entry, i) => {
        if (failOn(entry)) return 'failed';
        if (markers.has(keys[i]!)) return 'already';
        markers.set(keys[i]!, { entry, status: 'COUNTED' });
        add(entry, 1);
        return 'counted';
      });
    },
    async reverse(tenantId, shipmentId) {
      let n = 0;
      for (const [key, marker] of markers) {
        if (!key.startsWith(`${tenantId} ${shipmentId} `) || marker.status !== 'COUNTED') continue;
        marker.status = 'REVERSED';
        add(marker.entry, -1);
        n++;
      }
      return n;
    },
  };
  return { demand: store as DemandStore, units, markers, calls };
}

const regions: OrderRegions = { regionsOf: async (_t, ids) => new Map(ids.map((id) => [id, id === 'o_west' ? 'US-CA' : 'US-NY'])) };

const count = (id: string, shipmentId: string, lines: Array<{ sku: string; units: number }>, orderId = 'o_east'): KeyedDemandChange => ({
  id, change: { kind: 'count', tenantId: 't_1', orderId, shipmentId, locationId: 'wh', day: '2026-03-01', lines },
});
const reverse = (id: string, shipmentId: string): KeyedDemandChange => ({ id, change: { kind: 'reverse', tenantId: 't_1', shipmentId } });

describe('rolling up a batch of shipment demand', () => {
  it('counts each shipment once in its order\'s region, whatever the redeliveries in and across batches', async () => {
    const memory = memoryDemand();
    const batch = [count('1', 's1', [{ sku: 'A', units: 2 }]), count('2', 's2', [{ sku: 'A', units: 3 }], 'o_west'), count('3', 's1', [{ sku: 'A', units: 2 }])];
    const first = await rollUpDemand({ demand: memory.demand, regions }, batch);
    const again = await rollUpDemand({ demand: memory.demand, regions }, batch);
    expect([first.counted, first.repeated, again.counted, again.repeated]).toEqual([2, 1, 0, 3]);
    expect(Object.fromEntries(memory.units)).toEqual({ 'A wh US-NY 2026-03-01': 2, 'A wh US-CA 2026-03-01': 3 });
    // The batch's two shipments go to the store together; the redelivery of s1 in the same batch after them.
    expect(memory.calls).toEqual([2, 1, 2, 1]);
  });

  it('applies a shipment\'s count before its reversal in one batch, and reverses once', async () => {
    const memory = memoryDemand();
    const result = await rollUpDemand({ demand: memory.demand, regions }, [count('1', 's1', [{ sku: 'A', units: 2 }]), reverse('2', 's1'), reverse('3', 's1')]);
    expect([result.counted, result.reversed, result.repeated]).toEqual([1, 1, 1]);
    expect(memory.units.get('A wh US-NY 2026-03-01')).toBe(0);
  });

  it('writes a shipment of many SKUs in chunks, each with its own marker', async () => {
    const memory = memoryDemand();
    const lines = Array.from({ length: DEMAND_SKUS_PER_WRITE * 2 + 1 }, (_, i) => ({ sku: `S${i}`, units: 1 }));
    expect((await rollUpDemand({ demand: memory.demand, regions }, [count('1', 's1', lines)])).counted).toBe(3);
    expect([...memory.markers.keys()]).toEqual(['t_1 s1 0', 't_1 s1 1', 't_1 s1 2']);
  });

  it('reports a failed change and the later changes of its shipment for redelivery, and goes on with other shipments', async () => {
    const memory = memoryDemand((entry) => entry.shipmentId === 's1');
    const result = await rollUpDemand({ demand: memory.demand, regions }, [count('1', 's1', [{ sku: 'A', units: 1 }]), count('2', 's2', [{ sku: 'A', units: 1 }]), reverse('3', 's1')]);
    expect([...result.failed].sort()).toEqual(['1', '3']);
    expect(result.counted).toBe(1);
  });

  it('reports every count of a tenant whose orders\' regions could not be read, and counts nothing for it', async () => {
    const memory = memoryDemand();
    const failing: OrderRegions = { regionsOf: async () => { throw new Error('throttled'); } };
    const result = await rollUpDemand({ demand: memory.demand, regions: failing }, [count('1', 's1', [{ sku: 'A', units: 1 }]), count('2', 's2', [{ sku: 'B', units: 1 }])]);
    expect([...result.failed].sort()).toEqual(['1', '2']);
    expect(memory.units.size).toBe(0);
  });
});
