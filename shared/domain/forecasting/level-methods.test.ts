import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crostonLevel, movingAverageLevel, sesLevel, tsbLevel } from './level-methods.ts';

const series = fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 8, maxLength: 120 });

describe('level methods', () => {
  it('return the level of a constant series', () => {
    const x = new Array(60).fill(4);
    expect(sesLevel(x, x.length, undefined)).toBeCloseTo(4, 9);
    expect(movingAverageLevel(x, x.length, undefined, 28)).toBe(4);
    expect(tsbLevel(x, x.length, undefined)).toBeCloseTo(4, 9);
    // SBA's (1 - alpha / 2) deflates a series with no zeros; that bias is the price of unbiasedness on intermittent data.
    expect(crostonLevel(x, x.length, undefined, false)).toBeCloseTo(4, 9);
  });

  it('stay within the range of the data (SES and moving averages are weighted means)', () => {
    fc.assert(
      fc.property(series, (x) => {
        const lo = Math.min(...x);
        const hi = Math.max(...x);
        const ses = sesLevel(x, x.length, undefined);
        const ma = movingAverageLevel(x, x.length, undefined, 28);
        return ses >= lo - 1e-9 && ses <= hi + 1e-9 && ma >= lo && ma <= hi;
      }),
    );
  });

  it('are never negative and are 0 without demand', () => {
    fc.assert(
      fc.property(series, (x) => [sesLevel, tsbLevel].every((f) => f(x, x.length, undefined) >= 0) && crostonLevel(x, x.length, undefined, true) >= 0),
    );
    const zeros = new Array(30).fill(0);
    expect(crostonLevel(zeros, 30, undefined, true)).toBe(0);
    expect(tsbLevel(zeros, 30, undefined)).toBe(0);
  });

  it('SBA estimates size over interval for regular intermittent demand, less its bias correction', () => {
    const x = Array.from({ length: 200 }, (_, t) => (t % 4 === 3 ? 8 : 0));
    const level = crostonLevel(x, x.length, undefined, true);
    expect(level).toBeGreaterThan(0.85 * 2);
    expect(level).toBeLessThanOrEqual(2);
  });

  it('TSB lets the level decay through a run of zeros, where Croston keeps its last estimate', () => {
    const x = [...Array.from({ length: 120 }, (_, t) => (t % 2 ? 3 : 0)), ...new Array(60).fill(0)];
    expect(tsbLevel(x, x.length, undefined)).toBeLessThan(0.5 * crostonLevel(x, x.length, undefined, true));
  });

  it('ignore closed days', () => {
    const x = [5, 5, 5, 5, 0, 5, 5, 5];
    const skip = [0, 0, 0, 0, 1, 0, 0, 0];
    expect(sesLevel(x, x.length, skip)).toBeCloseTo(5, 9);
    expect(movingAverageLevel(x, x.length, skip, 7)).toBe(5);
  });
});
