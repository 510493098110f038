import { describe, expect, it } from 'vitest';
import { makeDay, makeWorld, simulateDay } from './simulate-day.ts';

// The day simulation behind `npm run bench:batch -- --simulate-day`, on a small day: what its table rests on.
describe('simulateDay', () => {
  const world = makeWorld(11, 150);
  const day = makeDay(world, 11_000, 150);
  const daily = { 'ST-1-1': { 'SKU-1': 2, 'SKU-2': 1 }, 'ST-2-1': { 'SKU-1': 3 }, 'WH-1': { 'SKU-1': 40 } };
  const configs = [
    { windowMinutes: 0 },
    { windowMinutes: 0, lookAhead: { daily, unitPremium: 5 } },
    { windowMinutes: 10 },
    { windowMinutes: 10, lookAhead: { daily, unitPremium: 5 } },
  ];

  it('never ships more than a location holds nor more than was ordered, and fills as far as stock goes', () => {
    const initial = new Map(world.locations.map((l) => [l.id, l.stock]));
    for (const options of configs) {
      const r = simulateDay(world, day, options);
      for (const [loc, skus] of r.shipped) for (const [sku, units] of skus) expect(units).toBeLessThanOrEqual(initial.get(loc)![sku] ?? 0);
      expect(r.unitsShipped).toBeLessThanOrEqual(r.unitsOrdered);
      expect(r.unitsShipped).toBeGreaterThan(0.8 * r.unitsOrdered);
      expect(r.parcels).toBeGreaterThanOrEqual(r.orders * 0.9);
    }
  });

  it('is the same day for the same seed, and another day for another seed', () => {
    expect(makeDay(world, 11_000, 150)).toEqual(day);
    expect(makeDay(world, 11_001, 150)).not.toEqual(day);
    const a = simulateDay(world, day, configs[3]!);
    const b = simulateDay(world, day, configs[3]!);
    expect([a.shipping, a.parcels, a.unitsShipped]).toEqual([b.shipping, b.parcels, b.unitsShipped]);
  });

  it('routes exactly as without look-ahead when the premium is 0', () => {
    for (const windowMinutes of [0, 10]) {
      const off = simulateDay(world, day, { windowMinutes });
      const free = simulateDay(world, day, { windowMinutes, lookAhead: { daily, unitPremium: 0 } });
      expect(free.shipping).toBeCloseTo(off.shipping, 9);
      expect(free.shipped).toEqual(off.shipped);
    }
  });
});
