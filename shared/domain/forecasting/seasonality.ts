// Calendar effects shared by many series: days the business was closed, the day-of-week profile and the yearly cycle.
import { dayOfWeek, formatIsoDay } from './calendar.ts';

/**
 * Days on which the whole panel sold nothing although the days around it sold plenty (a store-wide closure such as
 * Christmas). `total[d]` is the panel's demand on day `first + d`. A zero total is only read as a closure when the
 * surrounding fortnight averages at least `minExpected` units a day, so that chance alone would almost never give it.
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
    if (c > 0 && s / c >= minExpected) closed[d] = 1;
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

/**
 * The yearly cycle as seen a year (52 weeks, so weekdays line up) before: for each horizon day, demand around that
 * day last year over the demand of the 4 weeks before last year's origin. `total[d]` is day `first + d` of a panel
 * total over series that existed all that time; undefined when the history is too short.
 */
export function yearlyFactors(
  total: ArrayLike<number>,
  first: number,
  origin: number,
  horizon: number,
  closed: ArrayLike<number>,
): Float64Array | undefined {
  const lag = 364;
  const ref = origin - lag - first; // index of last year's origin
  if (ref - 27 < 0 || ref + horizon + 3 >= total.length) return undefined;
  const meanOpen = (a: number, b: number) => {
    let s = 0;
    let c = 0;
    for (let d = a; d <= b; d++) {
      if (closed[d]) continue;
      s += total[d]!;
      c++;
    }
    return c > 0 ? s / c : NaN;
  };
  const base = meanOpen(ref - 27, ref);
  if (!(base > 0)) return undefined;
  const out = new Float64Array(horizon);
  for (let j = 0; j < horizon; j++) {
    const d = ref + 1 + j;
    const r = meanOpen(d - 3, d + 3) / base;
    out[j] = Number.isFinite(r) ? r : 1;
  }
  return out;
}
