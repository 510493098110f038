import { describe, expect, it } from 'vitest';
import { parseIsoDay } from './calendar.ts';
import { closedDays, futureClosures, weekdayProfile, weekdaySums, weightedMedian, yearlyFactors } from './seasonality.ts';

describe('closures', () => {
  it('reads a zero day among busy days as closed, and not a quiet zero', () => {
    const busy = [50, 60, 55, 0, 58, 52, 49];
    const quiet = [1, 0, 2, 0, 1, 0, 1];
    expect([...closedDays(busy)]).toEqual([0, 0, 0, 1, 0, 0, 0]);
    expect([...closedDays(quiet)]).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('leaves a weekday that never sells to the weekday profile', () => {
    const sundaysShut = Array.from({ length: 28 }, (_, d) => (d % 7 === 0 ? 0 : 50));
    expect([...closedDays(sundaysShut)].every((c) => c === 0)).toBe(true);
  });

  it('expects a fixed-date closure seen every year to come back', () => {
    const first = parseIsoDay('2022-12-01')!;
    const origin = parseIsoDay('2023-12-20')!;
    const closed = new Uint8Array(origin - first + 1);
    closed[parseIsoDay('2022-12-25')! - first] = 1;
    const ahead = futureClosures(closed, first, origin, 10);
    expect([...ahead].map((c, j) => (c ? j + 1 : 0)).filter(Boolean)).toEqual([5]);
  });
});

describe('weekday profile', () => {
  const start = parseIsoDay('2024-01-07')!; // a Sunday
  const weekendHeavy = Array.from({ length: 70 }, (_, t) => (t % 7 === 0 || t % 7 === 6 ? 20 : 10));

  it('has mean 1 and follows a SKU with plenty of demand', () => {
    const { sums, counts } = weekdaySums(weekendHeavy, weekendHeavy.length, start, undefined, 26);
    const p = weekdayProfile(sums, counts, new Float64Array(7).fill(1), 10);
    expect(p.reduce((a, b) => a + b, 0) / 7).toBeCloseTo(1, 9);
    expect(p[0]!).toBeGreaterThan(1.3);
    expect(p[3]!).toBeLessThan(0.85);
  });

  it('stays near the prior for a SKU that sold little', () => {
    const { sums, counts } = weekdaySums([0, 0, 0, 0, 0, 0, 3], 7, start, undefined, 26);
    const p = weekdayProfile(sums, counts, new Float64Array(7).fill(1), 700);
    for (const v of p) expect(Math.abs(v - 1)).toBeLessThan(0.1);
  });
});

describe('yearly factors', () => {
  it("see last year's rise over the weeks after the origin, whatever one SKU did", () => {
    const start = parseIsoDay('2022-01-01')!;
    const origin = parseIsoDay('2023-11-15')!;
    const n = origin - start + 1;
    const skip = new Uint8Array(n);
    // December sells half as much again; one SKU collapsed last November.
    const seasonal = (d: number) => (new Date((start + d) * 86_400_000).getUTCMonth() === 11 ? 15 : 10);
    const series = Array.from({ length: 12 }, (_, k) => ({
      start,
      skip,
      y: Float64Array.from({ length: n }, (_, d) => (k === 0 && d > n - 380 ? 0 : seasonal(d))),
    }));
    const f = yearlyFactors(series, origin, 28)!;
    expect(f[0]!).toBeCloseTo(1, 1);
    expect(f[27]!).toBeGreaterThan(1.35);
  });

  it('are undefined without a year of history', () => {
    const y = new Float64Array(200).fill(5);
    expect(yearlyFactors([{ y, start: 0, skip: new Uint8Array(200) }], 199, 28)).toBeUndefined();
  });

  it('take the weighted median', () => {
    expect(weightedMedian([[3, 1], [1, 1], [100, 1]])).toBe(3);
    expect(weightedMedian([[3, 1], [1, 5], [100, 1]])).toBe(1);
  });
});
