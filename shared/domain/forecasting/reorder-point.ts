// Reorder points: the s-quantile of the next L days' demand, per series.
//
// Lead-time demand is modelled as negative binomial (lead-time-demand.ts) with the forecast's L-day mean mu and a
// variance d x mu. The dispersion d of a series is what its own backtest says: the mean squared error of its L-day
// forecasts over their mean, which holds everything that makes stock run out (noise, promotions, a wrong level).
// Two corrections, both measured on the backtest and never on the future:
// - shrinkage: a series with few backtest windows borrows from series of similar volume (log-scale average);
// - calibration: per volume band (quintiles), one multiplier of the variance, the smallest that makes the backtest's
//   reorder points cover the backtest's demand with probability s. Each backtest origin is judged with a dispersion
//   learnt from the origins whose horizons do not overlap its own, so the calibration does not grade its own homework.

import { countQuantile } from './lead-time-demand.ts';

/** One backtest origin of one series: its L-day mean at that origin, and the L-day windows that followed. */
export interface LeadTimeBacktest {
  /** Days between this backtest origin and the real one. */
  readonly daysBefore: number;
  /** Sum of the origin's forecast over its first L days. */
  readonly mu: number;
  /** Actual demand of each L-day window of the backtest horizon. */
  readonly actual: ArrayLike<number>;
  /** Forecast sum of each of those windows. */
  readonly forecast: ArrayLike<number>;
}

export interface ReorderPointInput {
  /** Expected demand over the next L days (the forecast's first L days). */
  readonly mu: number;
  /** Recent mean daily demand, to band series by volume. */
  readonly volume: number;
  readonly backtests: readonly LeadTimeBacktest[];
}

export interface ReorderPointResult {
  readonly reorderPoint: number;
  /** Variance over mean of lead-time demand that was used. */
  readonly dispersion: number;
}

export interface ReorderPointReport {
  /** Variance multiplier chosen for each volume band, lowest volume first. */
  readonly bandMultipliers: readonly number[];
  /** Backtest service per volume band, after calibration. */
  readonly bandService: readonly number[];
  /** Share of backtest windows covered by the backtest reorder points, after calibration. */
  readonly backtestService: number;
}

const BANDS = 5;
const PRIOR_ORIGINS = 3;
const MULTIPLIERS = Array.from({ length: 40 }, (_, k) => 0.3 * Math.pow(1.1, k));

interface Sums {
  se: number;
  fs: number;
}

function sumsOf(b: LeadTimeBacktest, into: Sums): void {
  for (let j = 0; j < b.actual.length; j++) {
    const e = b.actual[j]! - b.forecast[j]!;
    into.se += e * e;
    into.fs += b.forecast[j]!;
  }
}

export function reorderPoints(inputs: readonly ReorderPointInput[], serviceLevel: number, backtestHorizon: number): { points: ReorderPointResult[]; report: ReorderPointReport } {
  const N = inputs.length;
  // Volume bands by rank.
  const order = [...inputs.keys()].sort((a, b) => inputs[a]!.volume - inputs[b]!.volume);
  const band = new Int32Array(N);
  order.forEach((i, r) => {
    band[i] = Math.min(BANDS - 1, Math.floor((r * BANDS) / Math.max(1, N)));
  });
  // Per series and origin sums, so any origin can be left out.
  const perOrigin: Sums[][] = inputs.map((x) =>
    x.backtests.map((b) => {
      const s = { se: 0, fs: 0 };
      sumsOf(b, s);
      return s;
    }),
  );
  const totals: Sums[] = perOrigin.map((o) => o.reduce((a, s) => ({ se: a.se + s.se, fs: a.fs + s.fs }), { se: 0, fs: 0 }));
  // The band's typical dispersion (median on the log scale) is the prior a series is shrunk to.
  const bandPrior = new Float64Array(BANDS).fill(1);
  for (let b = 0; b < BANDS; b++) {
    const logs: number[] = [];
    for (let i = 0; i < N; i++) if (band[i] === b && totals[i]!.fs > 0) logs.push(Math.log(Math.max(1, totals[i]!.se / totals[i]!.fs)));
    logs.sort((x, y) => x - y);
    if (logs.length) bandPrior[b] = Math.exp(logs[Math.floor(logs.length / 2)]!);
  }
  const shrunk = (i: number, s: Sums, origins: number) => {
    const prior = bandPrior[band[i]!]!;
    if (!(s.fs > 0) || origins === 0) return prior;
    const own = Math.max(1, s.se / s.fs);
    return Math.exp((origins * Math.log(own) + PRIOR_ORIGINS * Math.log(prior)) / (origins + PRIOR_ORIGINS));
  };
  // Calibration: each backtest origin gets the dispersion learnt without it (and without the origins overlapping it).
  const held: { i: number; b: LeadTimeBacktest; d: number }[][] = Array.from({ length: BANDS }, () => []);
  for (let i = 0; i < N; i++) {
    const x = inputs[i]!;
    x.backtests.forEach((b) => {
      const others = { se: 0, fs: 0 };
      let count = 0;
      x.backtests.forEach((other, q) => {
        if (Math.abs(other.daysBefore - b.daysBefore) < backtestHorizon) return;
        others.se += perOrigin[i]![q]!.se;
        others.fs += perOrigin[i]![q]!.fs;
        count++;
      });
      held[band[i]!]!.push({ i, b, d: shrunk(i, others, count) });
    });
  }
  const coverage = (cases: readonly { b: LeadTimeBacktest; d: number }[], multiplier: number) => {
    let covered = 0;
    let windows = 0;
    for (const { b, d } of cases) {
      const rop = countQuantile(b.mu, multiplier * d * b.mu, serviceLevel);
      for (let j = 0; j < b.actual.length; j++) if (b.actual[j]! <= rop) covered++;
      windows += b.actual.length;
    }
    return { covered, windows };
  };
  // The smallest multiplier whose coverage reaches s, by bisection (coverage grows with the multiplier, but for the
  // odd tiny mean where more variance means more zeros; bisection lands on a multiplier that covers all the same).
  const bandMultipliers: number[] = [];
  const bandService: number[] = [];
  let coveredAll = 0;
  let windowsAll = 0;
  for (let band = 0; band < BANDS; band++) {
    const cases = held[band]!;
    if (cases.length === 0) {
      bandMultipliers.push(1);
      bandService.push(NaN);
      continue;
    }
    let lo = 0;
    let hi = MULTIPLIERS.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = coverage(cases, MULTIPLIERS[mid]!);
      if (c.covered >= serviceLevel * c.windows) hi = mid;
      else lo = mid + 1;
    }
    const at = coverage(cases, MULTIPLIERS[hi]!);
    bandMultipliers.push(MULTIPLIERS[hi]!);
    bandService.push(at.covered / at.windows);
    coveredAll += at.covered;
    windowsAll += at.windows;
  }
  const points = inputs.map((x, i) => {
    const dispersion = Math.max(1, bandMultipliers[band[i]!]! * shrunk(i, totals[i]!, x.backtests.length));
    return { reorderPoint: countQuantile(x.mu, dispersion * x.mu, serviceLevel), dispersion };
  });
  return { points, report: { bandMultipliers, bandService, backtestService: windowsAll > 0 ? coveredAll / windowsAll : NaN } };
}
