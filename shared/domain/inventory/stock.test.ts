import { describe, expect, it } from 'vitest';
import { applyAdjustment, atp, channelAvailable, emptyLevel, explainRefusal, mergeLines, minimumAvailableFor, planAdjustment, type StockLevel } from './stock.ts';

const now = new Date('2025-01-01T00:00:00.000Z');
const level = (over: Partial<StockLevel> = {}): StockLevel => ({ ...emptyLevel('t_0123456789', 'L1', 'S1', now), ...over });

describe('available to promise', () => {
  it('is on-hand minus reserved minus safety stock, never below zero', () => {
    expect(atp(10, 3, 2)).toBe(5);
    expect(atp(3, 2, 5)).toBe(0);
  });
});

describe('applyAdjustment', () => {
  it('sets an absolute count and keeps available in step', () => {
    const out = applyAdjustment(level({ onHand: 5, reserved: 2, available: 3, version: 4 }), { locationId: 'L1', sku: 'S1', set: 10 }, now);
    expect(out).toMatchObject({ kind: 'applied', level: { onHand: 10, reserved: 2, available: 8, version: 5 } });
  });

  it('moves on-hand by a delta', () => {
    const out = applyAdjustment(level({ onHand: 5, available: 5 }), { locationId: 'L1', sku: 'S1', delta: -2 }, now);
    expect(out).toMatchObject({ kind: 'applied', level: { onHand: 3, available: 3 } });
  });

  it('changes the safety stock alone', () => {
    const out = applyAdjustment(level({ onHand: 5, available: 5 }), { locationId: 'L1', sku: 'S1', safetyStock: 2 }, now);
    expect(out).toMatchObject({ kind: 'applied', level: { onHand: 5, safetyStock: 2, available: 3 } });
  });

  it('refuses a count below the reserved units', () => {
    const out = applyAdjustment(level({ onHand: 5, reserved: 4, available: 1 }), { locationId: 'L1', sku: 'S1', set: 3 }, now);
    expect(out).toMatchObject({ kind: 'rejected', code: 'BELOW_RESERVED', field: 'set' });
  });

  it('refuses a delta that would make on-hand negative', () => {
    const out = applyAdjustment(level({ onHand: 1, available: 1 }), { locationId: 'L1', sku: 'S1', delta: -2 }, now);
    expect(out).toMatchObject({ kind: 'rejected', code: 'NEGATIVE_ON_HAND', field: 'delta' });
  });

  it('ignores a sequence at or below the last applied one', () => {
    const current = level({ onHand: 5, available: 5, lastSequence: 7 });
    expect(applyAdjustment(current, { locationId: 'L1', sku: 'S1', set: 1, sequence: 6 }, now)).toEqual({ kind: 'ignored', reason: 'STALE_SEQUENCE', lastSequence: 7 });
    expect(applyAdjustment(current, { locationId: 'L1', sku: 'S1', set: 1, sequence: 7 }, now).kind).toBe('ignored');
    expect(applyAdjustment(current, { locationId: 'L1', sku: 'S1', set: 1, sequence: 8 }, now)).toMatchObject({ kind: 'applied', level: { onHand: 1, lastSequence: 8 } });
  });

  it('ends in the newest state whatever order sequenced sets arrive in', () => {
    const updates = [3, 1, 5, 2, 4].map((sequence) => ({ locationId: 'L1', sku: 'S1', set: sequence * 10, sequence }));
    let current = level();
    for (const update of updates) {
      const out = applyAdjustment(current, update, now);
      if (out.kind === 'applied') current = out.level;
    }
    expect(current).toMatchObject({ onHand: 50, lastSequence: 5 });
  });
});

describe('channel hold-back', () => {
  it('keeps the last units back from a channel', () => {
    expect(channelAvailable(10, { units: 3 })).toBe(7);
    expect(channelAvailable(2, { units: 3 })).toBe(0);
  });

  it('keeps a share back, rounding in favour of the protected channel', () => {
    expect(channelAvailable(10, { share: 0.25 })).toBe(7);
  });

  it('applies the stricter of units and share', () => {
    expect(channelAvailable(100, { units: 5, share: 0.1 })).toBe(90);
    expect(channelAvailable(20, { units: 5, share: 0.1 })).toBe(15);
  });

  it('sees everything without a rule, and never a negative count', () => {
    expect(channelAvailable(4, undefined)).toBe(4);
    expect(channelAvailable(-3, undefined)).toBe(0);
  });

  it('turns a hold-back into the smallest stored availability a reservation needs', () => {
    for (const holdBack of [undefined, { units: 3 }, { share: 0.3 }, { units: 2, share: 0.5 }, { share: 0.99 }]) {
      for (let quantity = 1; quantity <= 30; quantity++) {
        const min = minimumAvailableFor(quantity, holdBack);
        expect(channelAvailable(min, holdBack)).toBeGreaterThanOrEqual(quantity);
        expect(channelAvailable(min - 1, holdBack)).toBeLessThan(quantity);
      }
    }
    expect(minimumAvailableFor(1, { share: 1 })).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('mergeLines', () => {
  it('sums the same location and SKU into one line, in a stable order', () => {
    expect(
      mergeLines([
        { locationId: 'B', sku: 'S2', quantity: 1 },
        { locationId: 'A', sku: 'S1', quantity: 2 },
        { locationId: 'B', sku: 'S2', quantity: 3 },
      ]),
    ).toEqual([
      { locationId: 'A', sku: 'S1', quantity: 2 },
      { locationId: 'B', sku: 'S2', quantity: 4 },
    ]);
  });
});

describe('planAdjustment', () => {
  it('writes a plain delta as an add, without needing the item', () => {
    expect(planAdjustment('t_0123456789', undefined, { locationId: 'L1', sku: 'S1', delta: -2, sequence: 7 }, now)).toEqual({
      kind: 'write',
      write: { kind: 'add', delta: -2, sequence: 7 },
    });
  });

  it('writes a count from the item as read, guarded by its reserved units and safety stock', () => {
    const plan = planAdjustment('t_0123456789', level({ onHand: 5, reserved: 2, safetyStock: 1, available: 2 }), { locationId: 'L1', sku: 'S1', set: 9 }, now);
    expect(plan).toMatchObject({ kind: 'write', write: { kind: 'put', level: { onHand: 9, available: 6 }, basis: { reserved: 2, safetyStock: 1 } } });
  });

  it('writes a count of a new item only if it still does not exist', () => {
    const plan = planAdjustment('t_0123456789', undefined, { locationId: 'L1', sku: 'S1', set: 4 }, now);
    expect(plan).toMatchObject({ kind: 'write', write: { kind: 'put', level: { tenantId: 't_0123456789', onHand: 4 }, basis: 'absent' } });
  });

  it('reads first for a delta that also sets the safety stock', () => {
    const plan = planAdjustment('t_0123456789', level({ onHand: 5, available: 5 }), { locationId: 'L1', sku: 'S1', delta: 1, safetyStock: 2 }, now);
    expect(plan).toMatchObject({ kind: 'write', write: { kind: 'put', level: { onHand: 6, safetyStock: 2, available: 4 } } });
  });

  it('answers a refusal without writing when the item as read refuses it', () => {
    const plan = planAdjustment('t_0123456789', level({ onHand: 5, reserved: 4 }), { locationId: 'L1', sku: 'S1', set: 3 }, now);
    expect(plan).toMatchObject({ kind: 'rejected', code: 'BELOW_RESERVED' });
  });
});

describe('explainRefusal', () => {
  it('says a decrement was refused because the units are reserved', () => {
    expect(explainRefusal(level({ onHand: 5, reserved: 4 }), { locationId: 'L1', sku: 'S1', delta: -2 }, now)).toMatchObject({ kind: 'rejected', code: 'BELOW_RESERVED' });
  });

  it('says a decrement of a missing item would take on-hand below zero', () => {
    expect(explainRefusal(undefined, { locationId: 'L1', sku: 'S1', delta: -1 }, now)).toMatchObject({ kind: 'rejected', code: 'NEGATIVE_ON_HAND' });
  });

  it('says a stale sequence is ignored, with the last one applied', () => {
    expect(explainRefusal(level({ onHand: 5, lastSequence: 9 }), { locationId: 'L1', sku: 'S1', delta: 1, sequence: 9 }, now)).toEqual({ kind: 'ignored', reason: 'STALE_SEQUENCE', lastSequence: 9 });
  });

  it('asks for another attempt when the adjustment would apply to the item as it was', () => {
    expect(explainRefusal(level({ onHand: 5 }), { locationId: 'L1', sku: 'S1', delta: -2 }, now)).toEqual({ kind: 'retry' });
  });
});
