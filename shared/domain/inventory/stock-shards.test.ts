import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deltaShard, MAX_STOCK_SHARDS, needsRebalance, planRebalance, planTakes, shardStart, spreadShards, sumShards, type ShardCounts } from './stock-shards.ts';

/** Shards as stored: reserved <= onHand, available = onHand - reserved - safetyStock (safety stock on shard 0 only). */
const shardsArb = fc
  .array(fc.record({ reserved: fc.integer({ min: 0, max: 50 }), free: fc.integer({ min: 0, max: 60 }) }), { minLength: 1, maxLength: 8 })
  .chain((raw) =>
    fc.tuple(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 10 })).map(([safety, short]): ShardCounts[] =>
      raw.map(({ reserved, free }, shard) => {
        const safetyStock = shard === 0 ? safety : 0;
        // Shard 0 may be counted below its safety stock (available < 0), never below its reserved units.
        const available = shard === 0 && short > 0 ? -Math.min(short, safety) : free;
        return { shard, onHand: reserved + safetyStock + available, reserved, safetyStock, available };
      }),
    ),
  );

describe('planTakes', () => {
  it('takes the whole line from the shard the id hashes to when it can give it', () => {
    const shards = [0, 1, 2, 3].map((shard) => ({ shard, available: 10 }));
    const start = shardStart('res-1', 4);
    expect(planTakes('res-1', 5, shards)).toEqual({ kind: 'take', takes: [{ shard: start, quantity: 5 }], minAvailable: [5] });
  });

  it('spreads reservation ids over the shards', () => {
    const seen = new Set(Array.from({ length: 200 }, (_, i) => shardStart(`order-${i}:1`, 4)));
    expect(seen).toEqual(new Set([0, 1, 2, 3]));
  });

  it('takes from several shards when no one shard holds the line, in one plan', () => {
    const plan = planTakes('r', 25, [{ shard: 0, available: 10 }, { shard: 1, available: 10 }, { shard: 2, available: 10 }]);
    expect(plan.kind).toBe('take');
    if (plan.kind !== 'take') return;
    expect(plan.takes.reduce((sum, t) => sum + t.quantity, 0)).toBe(25);
    expect(plan.minAvailable).toEqual(plan.takes.map((t) => t.quantity));
  });

  it('answers short with what all shards could give', () => {
    expect(planTakes('r', 31, [{ shard: 0, available: 10 }, { shard: 1, available: -2 }, { shard: 2, available: 20 }])).toEqual({ kind: 'short', available: 30 });
  });

  it('keeps a channel hold-back (the margin) on every shard it takes from', () => {
    const plan = planTakes('r', 8, [{ shard: 0, available: 5 }, { shard: 1, available: 5 }], 1);
    expect(plan).toEqual({ kind: 'take', takes: [{ shard: expect.any(Number), quantity: 4 }, { shard: expect.any(Number), quantity: 4 }], minAvailable: [5, 5] });
    expect(planTakes('r', 9, [{ shard: 0, available: 5 }, { shard: 1, available: 5 }], 1)).toEqual({ kind: 'short', available: 8 });
  });

  it('never plans more than a shard can give, and covers the line exactly (property)', () => {
    fc.assert(
      fc.property(shardsArb, fc.integer({ min: 1, max: 200 }), fc.string({ maxLength: 12 }), fc.integer({ min: 0, max: 5 }), (shards, quantity, id, margin) => {
        const plan = planTakes(id, quantity, shards, margin);
        const giveable = shards.reduce((sum, s) => sum + Math.max(0, s.available - margin), 0);
        if (plan.kind === 'short') {
          expect(giveable).toBeLessThan(quantity);
          expect(plan.available).toBe(giveable);
          return;
        }
        expect(plan.takes.reduce((sum, t) => sum + t.quantity, 0)).toBe(quantity);
        expect(new Set(plan.takes.map((t) => t.shard)).size).toBe(plan.takes.length);
        plan.takes.forEach((take, i) => {
          const shard = shards.find((s) => s.shard === take.shard)!;
          expect(take.quantity).toBeGreaterThan(0);
          // The condition the write carries holds on the shard as planned, and taking leaves available >= 0.
          expect(shard.available).toBeGreaterThanOrEqual(plan.minAvailable[i]!);
          expect(plan.minAvailable[i]).toBe(take.quantity + margin);
          expect(shard.available - take.quantity).toBeGreaterThanOrEqual(margin);
        });
      }),
    );
  });
});

describe('spreadShards', () => {
  it('spreads available units evenly and keeps the safety stock on shard 0', () => {
    expect(spreadShards([{ shard: 0, reserved: 0 }], 105, 5, 4)).toEqual({
      kind: 'spread',
      shards: [
        { shard: 0, onHand: 30, reserved: 0, safetyStock: 5, available: 25 },
        { shard: 1, onHand: 25, reserved: 0, safetyStock: 0, available: 25 },
        { shard: 2, onHand: 25, reserved: 0, safetyStock: 0, available: 25 },
        { shard: 3, onHand: 25, reserved: 0, safetyStock: 0, available: 25 },
      ],
    });
  });

  it('keeps reserved units on the shard their reservations took them from', () => {
    const plan = spreadShards([{ shard: 0, reserved: 3 }, { shard: 1, reserved: 7 }], 14, 0, 2);
    expect(plan).toEqual({ kind: 'spread', shards: [
      { shard: 0, onHand: 5, reserved: 3, safetyStock: 0, available: 2 },
      { shard: 1, onHand: 9, reserved: 7, safetyStock: 0, available: 2 },
    ] });
  });

  it('refuses a count below the reserved units', () => {
    expect(spreadShards([{ shard: 0, reserved: 3 }, { shard: 1, reserved: 7 }], 9, 0, 2)).toMatchObject({ kind: 'refused', code: 'BELOW_RESERVED' });
  });

  it('refuses to remove a shard that still holds reserved units', () => {
    expect(spreadShards([{ shard: 0, reserved: 0 }, { shard: 1, reserved: 2 }], 50, 0, 1)).toMatchObject({ kind: 'refused', code: 'SHARDS_IN_USE' });
  });

  it('goes back to one shard when the others hold nothing reserved', () => {
    expect(spreadShards([{ shard: 0, reserved: 4 }, { shard: 1, reserved: 0 }, { shard: 2, reserved: 0 }], 50, 2, 1)).toEqual({
      kind: 'spread', shards: [{ shard: 0, onHand: 50, reserved: 4, safetyStock: 2, available: 44 }],
    });
  });

  it('puts a count below the safety stock on shard 0 as a shortfall', () => {
    expect(spreadShards([{ shard: 0, reserved: 0 }, { shard: 1, reserved: 1 }], 3, 5, 2)).toEqual({ kind: 'spread', shards: [
      { shard: 0, onHand: 2, reserved: 0, safetyStock: 5, available: -3 },
      { shard: 1, onHand: 1, reserved: 1, safetyStock: 0, available: 0 },
    ] });
  });

  it('refuses a shard count out of 1..32', () => {
    expect(() => spreadShards([], 1, 0, 0)).toThrow();
    expect(() => spreadShards([], 1, 0, MAX_STOCK_SHARDS + 1)).toThrow();
  });

  it('preserves the sums, never puts a shard below its reserved units, never makes available negative above the safety stock (property)', () => {
    fc.assert(
      fc.property(shardsArb, fc.integer({ min: 1, max: MAX_STOCK_SHARDS }), fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 20 }), (shards, count, onHand, safetyStock) => {
        const plan = spreadShards(shards, onHand, safetyStock, count);
        const reserved = shards.reduce((sum, s) => sum + s.reserved, 0);
        if (plan.kind === 'refused') {
          expect(plan.code === 'BELOW_RESERVED' ? onHand < reserved : shards.some((s) => s.shard >= count && s.reserved > 0)).toBe(true);
          return;
        }
        const sum = sumShards(plan.shards);
        expect(plan.shards).toHaveLength(count);
        expect(sum).toEqual({ onHand, reserved, safetyStock, available: onHand - reserved - safetyStock });
        for (const s of plan.shards) {
          expect(s.onHand).toBeGreaterThanOrEqual(s.reserved);
          expect(s.available).toBe(s.onHand - s.reserved - s.safetyStock);
          if (s.shard > 0 || onHand - reserved >= safetyStock) expect(s.available).toBeGreaterThanOrEqual(0);
        }
        const spare = plan.shards.map((s) => s.available);
        if (onHand - reserved >= safetyStock) expect(Math.max(...spare) - Math.min(...spare)).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('deltaShard', () => {
  const shards = [{ shard: 0, available: 9 }, { shard: 1, available: 2 }, { shard: 2, available: 2 }];
  it('adds to the emptiest shard', () => expect(deltaShard(shards, 5)).toEqual({ kind: 'shard', shard: 1 }));
  it('takes a decrease from the fullest shard', () => expect(deltaShard(shards, -9)).toEqual({ kind: 'shard', shard: 0 }));
  it('rewrites every shard when no one shard can take a decrease', () => expect(deltaShard(shards, -10)).toEqual({ kind: 'rewrite' }));
});

describe('planRebalance', () => {
  it('moves available units from full shards to a dry one, summing to zero', () => {
    const moves = planRebalance([{ shard: 0, available: 12 }, { shard: 1, available: 0 }, { shard: 2, available: 6 }]);
    expect(moves).toEqual([{ shard: 0, units: -6 }, { shard: 1, units: 6 }]);
  });

  it('does nothing to shards within one unit of even', () => {
    expect(planRebalance([{ shard: 0, available: 3 }, { shard: 1, available: 2 }])).toEqual([]);
  });

  it('covers a shortfall below the safety stock on shard 0 first', () => {
    expect(planRebalance([{ shard: 0, available: -4 }, { shard: 1, available: 8 }, { shard: 2, available: 0 }])).toEqual([{ shard: 0, units: 6 }, { shard: 1, units: -7 }, { shard: 2, units: 1 }]);
    expect(planRebalance([{ shard: 0, available: -4 }, { shard: 1, available: 3 }])).toEqual([{ shard: 0, units: 3 }, { shard: 1, units: -3 }]);
  });

  it('preserves the sum, never takes a shard below 0 available (hence never below its reserved units), ends even (property)', () => {
    fc.assert(
      fc.property(shardsArb, (shards) => {
        const moves = planRebalance(shards);
        expect(moves.reduce((sum, m) => sum + m.units, 0)).toBe(0);
        const after = shards.map((s) => {
          const units = moves.find((m) => m.shard === s.shard)?.units ?? 0;
          return { ...s, onHand: s.onHand + units, available: s.available + units };
        });
        expect(sumShards(after)).toEqual(sumShards(shards));
        const total = shards.reduce((sum, s) => sum + s.available, 0);
        for (const [i, s] of after.entries()) {
          expect(s.onHand).toBeGreaterThanOrEqual(s.reserved);
          // A shard gives only down to 0; only shard 0 may stay below 0, when the whole location is.
          if (moves.find((m) => m.shard === s.shard && m.units < 0)) expect(s.available).toBeGreaterThanOrEqual(0);
          if (i > 0 && moves.length) expect(s.available).toBeGreaterThanOrEqual(0);
        }
        if (moves.length) {
          const spare = after.map((s) => s.available);
          if (total >= 0) expect(Math.max(...spare) - Math.min(...spare)).toBeLessThanOrEqual(1);
          else expect(after.slice(1).every((s) => s.available === 0)).toBe(true);
        }
      }),
    );
  });

  it('calls for a rebalance when a shard is dry and the others can share', () => {
    expect(needsRebalance([{ shard: 0, available: 5 }, { shard: 1, available: 0 }])).toBe(true);
    expect(needsRebalance([{ shard: 0, available: 1 }, { shard: 1, available: 0 }])).toBe(false);
    expect(needsRebalance([{ shard: 0, available: -2 }, { shard: 1, available: 1 }])).toBe(true);
    expect(needsRebalance([{ shard: 0, available: 5 }])).toBe(false);
  });
});
