import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countQuantile, normalQuantile } from './lead-time-demand.ts';

function poissonCdf(mean: number, k: number): number {
  let p = Math.exp(-mean);
  let c = p;
  for (let i = 1; i <= k; i++) {
    p *= mean / i;
    c += p;
  }
  return c;
}

describe('normalQuantile', () => {
  it('matches tabulated values', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.95)).toBeCloseTo(1.644854, 5);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
  });
});

describe('countQuantile', () => {
  it('is the smallest count whose Poisson cdf reaches s when the variance equals the mean', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 300, noNaN: true }), fc.double({ min: 0.5, max: 0.995, noNaN: true }), (mean, s) => {
        const k = countQuantile(mean, mean, s);
        return poissonCdf(mean, k) >= s - 1e-9 && (k === 0 || poissonCdf(mean, k - 1) < s + 1e-9);
      }),
    );
  });

  // Below a few units more variance can mean more zero days and a lower quantile: a property of the NB, not a bug.
  it('grows with the variance once the mean is a few units (over-dispersion needs more stock)', () => {
    fc.assert(
      fc.property(fc.double({ min: 5, max: 2000, noNaN: true }), fc.double({ min: 1, max: 20, noNaN: true }), (mean, d) => {
        return countQuantile(mean, mean * d * 1.5, 0.95) >= countQuantile(mean, mean * d, 0.95);
      }),
    );
  });

  it('agrees with the normal approximation for large means', () => {
    const k = countQuantile(10_000, 40_000, 0.95);
    expect(k).toBeGreaterThan(10_000 + 1.6 * 200);
    expect(k).toBeLessThan(10_000 + 1.75 * 200);
  });

  it('is 0 for no expected demand', () => {
    expect(countQuantile(0, 0, 0.95)).toBe(0);
  });

  it('is continuous across the switch to the large-mean approximation', () => {
    const below = countQuantile(399.9, 1200, 0.95);
    const above = countQuantile(400.1, 1200, 0.95);
    expect(Math.abs(above - below)).toBeLessThanOrEqual(2);
  });
});
