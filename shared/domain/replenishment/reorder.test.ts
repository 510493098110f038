import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assessReorder, becameBelow, decideReorder, emptyReorderState, reorderLevels, reorderTriggerOf } from './reorder.ts';

const now = new Date('2026-12-03T10:00:00.000Z');
const forecast = (daily: number[], leadTimeDays: number, reorderPoint: number) => ({ daily, leadTimeDays, reorderPoint, origin: '2026-12-02' });

describe('reorder levels', () => {
  it('orders up to the reorder point plus the review period\'s expected demand after the lead time, rounded up', () => {
    // 2 a day, lead time 7, review 7: the week after the lead time expects 14.
    expect(reorderLevels(forecast(Array(28).fill(2), 7, 20), 7)).toEqual({ reorderPoint: 20, orderUpTo: 34 });
    expect(reorderLevels(forecast(Array(28).fill(0.3), 7, 4), 7)).toEqual({ reorderPoint: 4, orderUpTo: 7 });
  });

  it('extends a forecast beyond its horizon with its last week\'s mean', () => {
    const daily = [...Array(21).fill(0), ...Array(7).fill(3)];
    // Lead time 25 and review 7: days 25..27 are 3 each, days 28..31 continue at 3: 21 in all.
    expect(reorderLevels(forecast(daily, 25, 10), 7).orderUpTo).toBe(31);
  });

  it('asks for nothing when no demand is expected, and at least one unit when any is', () => {
    expect(reorderLevels(forecast(Array(28).fill(0), 7, 0), 7)).toEqual({ reorderPoint: 0, orderUpTo: 0 });
    expect(reorderLevels(forecast(Array(28).fill(0.0001), 7, 1), 7)).toEqual({ reorderPoint: 1, orderUpTo: 2 });
  });

  it('does not round a 4-decimal sum that is a whole number up to the next unit', () => {
    expect(reorderLevels(forecast(Array(28).fill(0.1429), 7, 2), 7).orderUpTo).toBe(3);
  });
});

describe('assessing a SKU at a location', () => {
  const levels = { reorderPoint: 10, orderUpTo: 25 };

  it('is below when the position reaches the reorder point exactly, and not one unit above it', () => {
    expect(assessReorder(levels, { available: 10, onOrder: 0 })).toEqual({ position: 10, below: true, suggestedQuantity: 15 });
    expect(assessReorder(levels, { available: 11, onOrder: 0 })).toEqual({ position: 11, below: false, suggestedQuantity: 0 });
  });

  it('counts units on order against the suggestion', () => {
    expect(assessReorder(levels, { available: 3, onOrder: 5 })).toEqual({ position: 8, below: true, suggestedQuantity: 17 });
    expect(assessReorder(levels, { available: 3, onOrder: 8 })).toEqual({ position: 11, below: false, suggestedQuantity: 0 });
  });

  it('reads availability below zero (a count under the safety stock) as zero', () => {
    expect(assessReorder(levels, { available: -4, onOrder: 0 }).position).toBe(0);
  });

  it('never brings the position above the order-up-to level, and always back to it when below (property)', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(200), fc.integer({ min: -50, max: 2000 }), fc.nat(500), (rop, cycle, available, onOrder) => {
        const l = { reorderPoint: rop, orderUpTo: rop + 1 + cycle };
        const a = assessReorder(l, { available, onOrder });
        expect(a.suggestedQuantity).toBeGreaterThanOrEqual(0);
        expect(a.below).toBe(a.position <= rop);
        if (a.below) expect(a.position + a.suggestedQuantity).toBe(l.orderUpTo);
        else expect(a.suggestedQuantity).toBe(0);
        expect(a.position + a.suggestedQuantity).toBeLessThanOrEqual(Math.max(l.orderUpTo, a.position));
      }),
    );
  });

  it('orders up to at least the reorder point plus one whenever demand is expected (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 50, noNaN: true }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 30 }), fc.nat(500), fc.integer({ min: 1, max: 60 }), (daily, L, rop, review) => {
        const l = reorderLevels(forecast(daily, L, rop), review);
        expect(Number.isInteger(l.orderUpTo)).toBe(true);
        if (l.orderUpTo > 0) expect(l.orderUpTo).toBeGreaterThan(l.reorderPoint);
        else expect(l.reorderPoint).toBe(0);
        // A longer review period never lowers the order-up-to level.
        expect(reorderLevels(forecast(daily, L, rop), review + 1).orderUpTo).toBeGreaterThanOrEqual(l.orderUpTo);
      }),
    );
  });
});

describe('deciding a reorder state', () => {
  const f = forecast(Array(28).fill(2), 7, 20); // reorder point 20, order up to 34
  const base = emptyReorderState('t_1', 'TEE', 'brooklyn');

  it('flips below once when the position reaches the reorder point, and counts the crossing', () => {
    const first = decideReorder({ ...base, version: 1 }, f, 20, 7, now)!;
    expect(first).toMatchObject({ below: true, crossings: 1, crossedAt: now.toISOString(), suggestedQuantity: 14, version: 2, forecastOrigin: '2026-12-02' });
    // The same look again (a replayed record, a second reader): nothing to write, no second crossing.
    expect(decideReorder(first, f, 20, 7, now)).toBeUndefined();
    expect(decideReorder(first, f, 5, 7, now)).toBeUndefined();
  });

  it('rearms above the reorder point, so the next fall is a new crossing', () => {
    const below = decideReorder({ ...base, version: 1 }, f, 3, 7, now)!;
    const above = decideReorder(below, f, 21, 7, now)!;
    expect(above).toMatchObject({ below: false, crossings: 1 });
    expect(decideReorder(above, f, 19, 7, now)).toMatchObject({ below: true, crossings: 2 });
  });

  it('counts units on order: an inbound that lifts the position above the reorder point clears it', () => {
    const below = decideReorder({ ...base, version: 1 }, f, 3, 7, now)!;
    expect(decideReorder({ ...below, onOrder: 30, version: below.version + 1 }, f, 3, 7, now)).toMatchObject({ below: false, position: 33 });
  });

  it('writes new levels from a new forecast without a crossing, and clears a state whose forecast is gone', () => {
    const state = decideReorder({ ...base, version: 1 }, f, 50, 7, now)!;
    expect(state).toMatchObject({ below: false, reorderPoint: 20, orderUpTo: 34 });
    const below = decideReorder(state, f, 1, 7, now)!;
    expect(decideReorder(below, undefined, 1, 7, now)).toMatchObject({ below: false, reorderPoint: 0, orderUpTo: 0 });
  });

  it('flips exactly when the position crosses the reorder point, whatever the path (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 60 }), { minLength: 1, maxLength: 40 }), (levels) => {
        let state = { ...base, version: 1 };
        let events = 0;
        let wasBelow = false;
        for (const available of levels) {
          const next = decideReorder(state, f, available, 7, now);
          if (next) {
            if (becameBelow(state, next)) events++;
            state = next;
          }
          const isBelow = Math.max(0, available) <= 20;
          expect(state.below).toBe(isBelow);
          wasBelow = isBelow;
        }
        expect(events).toBe(state.crossings);
        expect(wasBelow).toBe(state.below);
      }),
    );
  });
});

describe('which changes ask for a new look', () => {
  const stock = { entity: 'Stock', tenantId: 't_1', sku: 'TEE', locationId: 'brooklyn', available: 4 };

  it('a stock item whose availability moved, a forecast written, units on order moved', () => {
    expect(reorderTriggerOf('MODIFY', { ...stock, available: 5 }, stock)).toEqual({ tenantId: 't_1', sku: 'TEE', locationId: 'brooklyn' });
    expect(reorderTriggerOf('INSERT', undefined, stock)).toBeDefined();
    expect(reorderTriggerOf('MODIFY', { ...stock, entity: 'Forecast' }, { ...stock, entity: 'Forecast' })).toBeDefined();
    expect(reorderTriggerOf('MODIFY', { ...stock, entity: 'ReorderState', onOrder: 0 }, { ...stock, entity: 'ReorderState', onOrder: 12 })).toBeDefined();
  });

  it('not a stock change that left availability alone, nor an assessment\'s own write, nor a removal', () => {
    expect(reorderTriggerOf('MODIFY', { ...stock, damaged: 1 }, stock)).toBeUndefined();
    expect(reorderTriggerOf('MODIFY', { ...stock, entity: 'ReorderState', onOrder: 3, below: false }, { ...stock, entity: 'ReorderState', onOrder: 3, below: true })).toBeUndefined();
    expect(reorderTriggerOf('REMOVE', stock, undefined)).toBeUndefined();
    expect(reorderTriggerOf('MODIFY', { entity: 'Order' }, { entity: 'Order' })).toBeUndefined();
  });
});
