// Calendar effects shared by many series: days the business was closed, the day-of-week profile and the yearly cycle.
import { dayOfWeek, formatIsoDay } from './calendar.ts';

/**
 * Days on which the whole panel sold nothing although the days around it sold plenty (a store-wide closure such as
 * Christmas). `total[d]` is the panel's demand on day `first + d`. A zero total is only read as a closure when the
 * surrounding fortnight averages at least `minExpected` units a day, so that chance alone would almost never give it,
 * and when the same weekday sold the week before and the week after (a weekly closing day is the weekday profile's job).
 */
export function closedDays(total: ArrayLike<number>, minExpected = 20): Uint8Array {
  const n = total.length;
  const closed = new Uint8Array(n);
  for (let d = 0; d < n; d++) {
    if (total[d]! > 0) continue;
    let s = 0;
    let c = 0;
    for (let k = Math.max(0, d - 7); k <= Math.min(n - 1, d + 7); k++) {
      if (k === d) continue;
      s += total[k]!;
      c++;
    }
    // The same weekday a week before and after must have sold: a weekday that never sells is weekly, not a holiday.
    const weekBefore = d >= 7 ? total[d - 7]! : 1;
    const weekAfter = d + 7 < n ? total[d + 7]! : 1;
    if (c > 0 && s / c >= minExpected && weekBefore > 0 && weekAfter > 0) closed[d] = 1;
  }
  return closed;
}

/**
 * Which future days will be closed: those whose month and day were a closure in every earlier year the history
 * covers (fixed-date holidays). `closed[d]` is day `first + d`; returns one flag per day origin + 1 .. origin + horizon.
 */
export function futureClosures(closed: Uint8Array, first: number, origin: number, horizon: number): Uint8Array {
  const out = new Uint8Array(horizon);
  const closedMonthDays = new Map<string, { closed: number; seen: number }>();
  for (let d = 0; d < closed.length; d++) {
    const md = formatIsoDay(first + d).slice(5);
    const e = closedMonthDays.get(md) ?? { closed: 0, seen: 0 };
    e.seen++;
    e.closed += closed[d]!;
    closedMonthDays.set(md, e);
  }
  for (let j = 0; j < horizon; j++) {
    const e = closedMonthDays.get(formatIsoDay(origin + 1 + j).slice(5));
    if (e && e.closed > 0 && e.closed === e.seen) out[j] = 1;
  }
  return out;
}

/** Demand by day of week over the last `weeks` whole weeks of y[0..n) (open days only): sums and day counts. */
export function weekdaySums(y: ArrayLike<number>, n: number, start: number, skip: ArrayLike<number> | undefined, weeks: number) {
  const sums = new Float64Array(7);
  const counts = new Float64Array(7);
  const from = Math.max(0, n - 7 * weeks);
  for (let t = from; t < n; t++) {
    if (skip && skip[t]) continue;
    const w = dayOfWeek(start + t);
    sums[w]! += y[t]!;
    counts[w]!++;
  }
  return { sums, counts };
}

/**
 * Multiplicative day-of-week indices (mean 1) from weekday sums, shrunk toward `prior` (another profile, e.g. the
 * whole panel's) with the weight of `priorUnits` units of demand: a SKU selling a few units a week keeps mostly the
 * prior, a SKU selling thousands its own shape.
 */
export function weekdayProfile(sums: ArrayLike<number>, counts: ArrayLike<number>, prior: ArrayLike<number> | undefined, priorUnits: number): Float64Array {
  const out = new Float64Array(7).fill(1);
  let total = 0;
  let meanOfMeans = 0;
  let days = 0;
  const means = new Float64Array(7);
  for (let w = 0; w < 7; w++) {
    if (counts[w]! > 0) {
      means[w] = sums[w]! / counts[w]!;
      meanOfMeans += means[w]!;
      days++;
    }
    total += sums[w]!;
  }
  const weight = prior ? total / (total + priorUnits) : 1;
  for (let w = 0; w < 7; w++) {
    const own = days === 7 && meanOfMeans > 0 ? (7 * means[w]!) / meanOfMeans : 1;
    out[w] = weight * own + (1 - weight) * (prior ? prior[w]! : 1);
  }
  return out;
}

/** A series for the yearly ratio: y[t] is day start + t; skip marks closed days. */
export interface YearlySeries {
  readonly y: ArrayLike<number>;
  readonly start: number;
  readonly skip: ArrayLike<number>;
}

/**
 * The yearly cycle as seen a year (52 weeks, so weekdays line up) before the origin: for each horizon day, demand in
 * the fortnight around that day last year over demand in the 4 weeks before last year's origin. Each SKU total gives
 * its own ratio; the factor is their volume-weighted median, so one SKU launched, discontinued or promoted last year
 * cannot move it. Undefined when fewer than `minSeries` series sold enough a year before.
 */
export function yearlyFactors(series: readonly YearlySeries[], origin: number, horizon: number, minSeries = 10): Float64Array | undefined {
  const lag = 364;
  const HALF = 14;
  const BASE = 56;
  const ref = origin - lag;
  const usable: { s: YearlySeries; base: number; weight: number }[] = [];
  const meanOpen = (s: YearlySeries, a: number, b: number) => {
    let sum = 0;
    let c = 0;
    for (let d = a - s.start; d <= b - s.start; d++) {
      if (s.skip[d]) continue;
      sum += s.y[d]!;
      c++;
    }
    return c > 0 ? sum / c : NaN;
  };
  for (const s of series) {
    if (s.start > ref - BASE + 1 || ref + horizon + HALF > origin) continue;
    const base = meanOpen(s, ref - BASE + 1, ref);
    // Fewer than ~30 units in the base weeks make a ratio mostly noise.
    if (!(base * BASE >= 30)) continue;
    usable.push({ s, base, weight: base });
  }
  if (usable.length < minSeries) return undefined;
  // One huge SKU must not be the whole vote: weights are capped at the 90th percentile.
  const ws = usable.map((u) => u.weight).sort((a, b) => a - b);
  const cap = ws[Math.floor(0.9 * (ws.length - 1))]!;
  for (const u of usable) u.weight = Math.min(u.weight, cap);
  const out = new Float64Array(horizon);
  const pairs: [number, number][] = usable.map(() => [0, 0]);
  for (let j = 0; j < horizon; j++) {
    const d = ref + 1 + j;
    usable.forEach((u, i) => {
      const r = meanOpen(u.s, d - HALF, d + HALF) / u.base;
      pairs[i]![0] = Number.isFinite(r) ? r : 1;
      pairs[i]![1] = u.weight;
    });
    out[j] = weightedMedian(pairs);
  }
  return out;
}

/** Weighted median of [value, weight] pairs (sorts them in place). */
export function weightedMedian(pairs: [number, number][]): number {
  pairs.sort((a, b) => a[0] - b[0]);
  let total = 0;
  for (const p of pairs) total += p[1];
  let acc = 0;
  for (const p of pairs) {
    acc += p[1];
    if (acc >= total / 2) return p[0];
  }
  return pairs.length ? pairs[pairs.length - 1]![0] : NaN;
}
