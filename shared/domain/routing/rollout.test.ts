import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inRollout, ROLLOUT_BUCKETS, rolloutBucket, rolloutHash } from './rollout.ts';
import { seededRandom } from '../seeded-random.ts';

const PINNED = [7231, 7171, 2972];

/** Ids like the DOM's own (o_ + 20 base-36 characters), drawn from a seeded generator. */
function randomIds(seed: number, n: number): string[] {
  const next = seededRandom(seed);
  return Array.from({ length: n }, () => `o_${Array.from({ length: 20 }, () => Math.floor(next() * 36).toString(36)).join('')}`);
}
const orderIds = fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }).map((s) => `o_${s}`);

describe('the rollout hash', () => {
  it('is pinned: the same order id and rule set give the same bucket in every process and version', () => {
    // Changing these values moves orders between rule sets that are being rolled out: a breaking change.
    expect(rolloutHash('o_01jc8z3x5k2m', 'pilot')).toBe(rolloutHash('o_01jc8z3x5k2m', 'pilot'));
    expect([rolloutBucket('o_1', 'pilot'), rolloutBucket('o_2', 'pilot'), rolloutBucket('o_1', 'other')]).toEqual(PINNED);
  });

  it('is stable and in range for any order id, unicode included (property)', () => {
    fc.assert(
      fc.property(orderIds, fc.string({ minLength: 1, maxLength: 20 }), (orderId, ruleSetId) => {
        const bucket = rolloutBucket(orderId, ruleSetId);
        expect(bucket).toBe(rolloutBucket(`${orderId}`, ruleSetId));
        expect(Number.isInteger(bucket) && bucket >= 0 && bucket < ROLLOUT_BUCKETS).toBe(true);
      }),
    );
  });

  it('only adds orders as the share grows: in at p % means in at any q >= p (property)', () => {
    fc.assert(
      fc.property(orderIds, fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 }), (orderId, a, b) => {
        const [p, q] = [Math.min(a, b) / 100, Math.max(a, b) / 100];
        if (inRollout(orderId, 'pilot', p)) expect(inRollout(orderId, 'pilot', q)).toBe(true);
      }),
    );
    expect(inRollout('o_any', 'pilot', 0)).toBe(false);
    expect(inRollout('o_any', 'pilot', 100)).toBe(true);
  });

  it('takes the share of orders it is set to, within sampling error, for any share (property)', { timeout: 30_000 }, () => {
    // Order ids as the DOM makes them (o_ + random base-36) and as merchants may send them (sequential numbers).
    const sequential = Array.from({ length: 20_000 }, (_, i) => `o_${String(i).padStart(10, '0')}`);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9_999 }).map((n) => n / 100), fc.integer(), (share, seed) => {
        for (const ids of [sequential, randomIds(seed, 10_000)]) {
          const observed = ids.filter((id) => inRollout(id, 'pilot', share)).length / ids.length;
          const sigma = Math.sqrt((share / 100) * (1 - share / 100) / ids.length);
          expect(Math.abs(observed - share / 100)).toBeLessThan(5 * sigma + 1e-4);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('spreads sequential ids evenly over the buckets (chi-square over 20 bins)', () => {
    const bins = new Array<number>(20).fill(0);
    const n = 40_000;
    for (let i = 0; i < n; i++) bins[Math.floor(rolloutBucket(`o_${i}`, 'pilot') / (ROLLOUT_BUCKETS / 20))]! += 1;
    const expected = n / 20;
    const chi2 = bins.reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(43.8); // 19 degrees of freedom, p = 0.001
  });

  it('picks unrelated orders for two rule sets rolled out at the same share', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `o_${i}`);
    const both = ids.filter((id) => inRollout(id, 'pilot-a', 10) && inRollout(id, 'pilot-b', 10)).length / ids.length;
    expect(both).toBeGreaterThan(0.005);
    expect(both).toBeLessThan(0.015); // about 10 % of 10 %, not 10 %
  });
});
