import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideReconcile, driftOf, heldByPair, pairKey, type DriftSighting } from './reconcile.ts';
import type { StockLevel } from './stock.ts';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const timing = { now: NOW, settleMs: 5 * 60_000, confirmAfterMs: 10 * 60_000 };
const HOUR_AGO = new Date(NOW.getTime() - 3_600_000).toISOString();

function stock(partial: Partial<StockLevel> = {}): StockLevel {
  const onHand = partial.onHand ?? 10;
  const reserved = partial.reserved ?? 0;
  const safetyStock = partial.safetyStock ?? 0;
  return {
    tenantId: 't_1', locationId: 'DC1', sku: 'SKU-1', onHand, reserved, safetyStock,
    available: partial.available ?? onHand - reserved - safetyStock, version: 7, updatedAt: HOUR_AGO, ...partial,
  };
}

const lines = fc.array(
  fc.record({ locationId: fc.constantFrom('DC1', 'DC2'), sku: fc.constantFrom('SKU-1', 'SKU-2'), quantity: fc.integer({ min: 1, max: 20 }) }),
  { maxLength: 30 },
);

describe('heldByPair', () => {
  it('sums the open reservation lines of each location and SKU', () => {
    fc.assert(
      fc.property(lines, (all) => {
        const held = heldByPair(all);
        for (const line of all) {
          const expected = all.filter((l) => l.locationId === line.locationId && l.sku === line.sku).reduce((sum, l) => sum + l.quantity, 0);
          expect(held.get(pairKey(line.locationId, line.sku))).toBe(expected);
        }
      }),
    );
  });
});

describe('decideReconcile', () => {
  it('leaves an item whose counts match its open reservations alone', () => {
    expect(decideReconcile(stock({ reserved: 4 }), 4, undefined, timing)).toEqual({ kind: 'inStep' });
  });

  it('corrects a settled item to the open reservations: reserved is their sum, available follows, and stays >= 0 when they fit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: -50, max: 50 }), lines,
        (onHand, reserved, safetyStock, availableSkew, all) => {
          const held = heldByPair(all).get(pairKey('DC1', 'SKU-1')) ?? 0;
          const item = stock({ onHand, reserved, safetyStock, available: onHand - reserved - safetyStock + availableSkew });
          // A previous sighting at this version, old enough: over-reservation is confirmed too.
          const seen: DriftSighting = { version: item.version, reserved, expectedReserved: held, seenAt: HOUR_AGO };
          const decision = decideReconcile(item, held, seen, timing);
          if (!driftOf(item, held)) {
            // Not `return expect(...)`: fast-check fails a property whose predicate returns anything but true or nothing.
            expect(decision.kind).toBe('inStep');
            return;
          }
          expect(decision.kind).toBe('correct');
          if (decision.kind !== 'correct') return;
          expect(decision.correction.reserved).toBe(held);
          expect(decision.correction.available).toBe(onHand - held - safetyStock);
          expect(decision.correction.unreserved).toBe(onHand - held);
          expect(decision.expectedVersion).toBe(item.version);
          if (held <= onHand - safetyStock) expect(decision.correction.available).toBeGreaterThanOrEqual(0);
          else expect(decision.correction.available).toBeLessThan(0);
          expect(decision.drift.oversold).toBe(held > onHand);
        },
      ),
    );
  });

  it('never corrects an item changed within the settle time (the reservation index may lag)', () => {
    const recent = stock({ reserved: 1, updatedAt: new Date(NOW.getTime() - 1_000).toISOString() });
    expect(decideReconcile(recent, 3, undefined, timing).kind).toBe('unsettled');
  });

  it('corrects under-reservation (an oversell risk) on first sight', () => {
    const decision = decideReconcile(stock({ reserved: 1 }), 3, undefined, timing);
    expect(decision).toMatchObject({ kind: 'correct', correction: { reserved: 3, available: 7 }, drift: { reservedDrift: -2 } });
  });

  it('corrects an available that does not match the counts on first sight', () => {
    expect(decideReconcile(stock({ reserved: 2, available: 9 }), 2, undefined, timing)).toMatchObject({ kind: 'correct', correction: { reserved: 2, available: 8 } });
  });

  it('only watches over-reservation first seen (a TTL-deleted reservation may be giving its units back)', () => {
    const decision = decideReconcile(stock({ reserved: 5 }), 2, undefined, timing);
    expect(decision).toMatchObject({ kind: 'watch', sighting: { version: 7, reserved: 5, expectedReserved: 2, seenAt: NOW.toISOString() } });
  });

  it('corrects over-reservation seen unchanged at the same version long enough ago', () => {
    const seen: DriftSighting = { version: 7, reserved: 5, expectedReserved: 2, seenAt: HOUR_AGO };
    expect(decideReconcile(stock({ reserved: 5 }), 2, seen, timing)).toMatchObject({ kind: 'correct', correction: { reserved: 2 } });
  });

  it('never frees units while the open-reservation index is incomplete (reservations from before it may be missing)', () => {
    const seen: DriftSighting = { version: 7, reserved: 5, expectedReserved: 2, seenAt: HOUR_AGO };
    expect(decideReconcile(stock({ reserved: 5 }), 2, seen, { ...timing, indexComplete: false })).toMatchObject({ kind: 'watch' });
    // Under-reservation (the oversell side) is still corrected: raising reserved never frees a unit.
    expect(decideReconcile(stock({ reserved: 1 }), 2, undefined, { ...timing, indexComplete: false })).toMatchObject({ kind: 'correct', correction: { reserved: 2 } });
  });

  it('keeps watching when the earlier sighting is too recent, and starts again when the item moved', () => {
    const recent: DriftSighting = { version: 7, reserved: 5, expectedReserved: 2, seenAt: new Date(NOW.getTime() - 60_000).toISOString() };
    expect(decideReconcile(stock({ reserved: 5 }), 2, recent, timing)).toMatchObject({ kind: 'watch', sighting: recent });
    const older: DriftSighting = { ...recent, version: 6, seenAt: HOUR_AGO };
    expect(decideReconcile(stock({ reserved: 5 }), 2, older, timing)).toMatchObject({ kind: 'watch', sighting: { version: 7, seenAt: NOW.toISOString() } });
  });
});
