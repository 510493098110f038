// Level estimators: each reads a (deseasonalised) daily series x[0..n) and returns the expected daily demand at its end.
// Days marked in `skip` (the business was closed) neither update the state nor count as errors.
// Smoothing constants are picked per series from small grids by the in-sample one-step squared error, as the
// classical methods do; the grids stop where daily retail data stops needing them (no series wants alpha 0.9).

export type Skip = ArrayLike<number> | undefined;

const SES_ALPHAS = [0.005, 0.01, 0.02, 0.04, 0.08, 0.15, 0.3];

/** Mean of the first `k` open days from `from` (the usual start for a smoothed level). */
function headMean(x: ArrayLike<number>, from: number, n: number, skip: Skip, k: number): number {
  let s = 0;
  let c = 0;
  for (let t = from; t < n && c < k; t++) {
    if (skip && skip[t]) continue;
    s += x[t]!;
    c++;
  }
  return c > 0 ? s / c : 0;
}

/** Simple exponential smoothing, alpha from SES_ALPHAS by in-sample one-step error. */
export function sesLevel(x: ArrayLike<number>, n: number, skip: Skip, from = 0): number {
  const m = SES_ALPHAS.length;
  const level = new Float64Array(m).fill(headMean(x, from, n, skip, 7));
  const sse = new Float64Array(m);
  for (let t = from; t < n; t++) {
    if (skip && skip[t]) continue;
    const v = x[t]!;
    for (let i = 0; i < m; i++) {
      const e = v - level[i]!;
      sse[i]! += e * e;
      level[i]! += SES_ALPHAS[i]! * e;
    }
  }
  let best = 0;
  for (let i = 1; i < m; i++) if (sse[i]! < sse[best]!) best = i;
  return level[best]!;
}

/** Mean of the last `k` open days. */
export function movingAverageLevel(x: ArrayLike<number>, n: number, skip: Skip, k: number, from = 0): number {
  let s = 0;
  let c = 0;
  for (let t = n - 1; t >= from && c < k; t--) {
    if (skip && skip[t]) continue;
    s += x[t]!;
    c++;
  }
  return c > 0 ? s / c : 0;
}

const CROSTON_ALPHAS = [0.05, 0.1, 0.2, 0.3];

/**
 * Croston's method (sizes and intervals smoothed separately, updated on demand days only), with the
 * Syntetos-Boylan correction (1 - alpha / 2) when `sba`, which removes Croston's upward bias.
 */
export function crostonLevel(x: ArrayLike<number>, n: number, skip: Skip, sba: boolean, from = 0): number {
  const m = CROSTON_ALPHAS.length;
  const z = new Float64Array(m);
  const p = new Float64Array(m);
  const sse = new Float64Array(m);
  let seen = false;
  let q = 0;
  for (let t = from; t < n; t++) {
    if (skip && skip[t]) continue;
    q++;
    const v = x[t]!;
    if (seen) {
      for (let i = 0; i < m; i++) {
        const a = CROSTON_ALPHAS[i]!;
        const e = v - (sba ? 1 - a / 2 : 1) * (z[i]! / p[i]!);
        sse[i]! += e * e;
      }
    }
    if (v <= 0) continue;
    if (!seen) {
      z.fill(v);
      p.fill(q);
      seen = true;
    } else {
      for (let i = 0; i < m; i++) {
        const a = CROSTON_ALPHAS[i]!;
        z[i]! += a * (v - z[i]!);
        p[i]! += a * (q - p[i]!);
      }
    }
    q = 0;
  }
  if (!seen) return 0;
  let best = 0;
  for (let i = 1; i < m; i++) if (sse[i]! < sse[best]!) best = i;
  const a = CROSTON_ALPHAS[best]!;
  return (sba ? 1 - a / 2 : 1) * (z[best]! / p[best]!);
}

const TSB_SIZE_ALPHAS = [0.05, 0.15];
const TSB_PROB_BETAS = [0.02, 0.05, 0.15];

/**
 * Teunter-Syntetos-Babai: the probability of a demand day is smoothed every day (so it decays through a run of
 * zeros, which Croston cannot see), the size on demand days; forecast = probability x size.
 */
export function tsbLevel(x: ArrayLike<number>, n: number, skip: Skip, from = 0): number {
  const ma = TSB_SIZE_ALPHAS.length;
  const mb = TSB_PROB_BETAS.length;
  let first = -1;
  for (let t = from; t < n; t++) {
    if (skip && skip[t]) continue;
    if (x[t]! > 0) {
      first = t;
      break;
    }
  }
  if (first < 0) return 0;
  const z = new Float64Array(ma).fill(x[first]!);
  const p = new Float64Array(mb).fill(1 / (1 + first - from));
  const sse = new Float64Array(ma * mb);
  for (let t = first + 1; t < n; t++) {
    if (skip && skip[t]) continue;
    const v = x[t]!;
    for (let i = 0; i < ma; i++) {
      for (let j = 0; j < mb; j++) {
        const e = v - p[j]! * z[i]!;
        sse[i * mb + j]! += e * e;
      }
    }
    const hit = v > 0 ? 1 : 0;
    for (let j = 0; j < mb; j++) p[j]! += TSB_PROB_BETAS[j]! * (hit - p[j]!);
    if (hit) for (let i = 0; i < ma; i++) z[i]! += TSB_SIZE_ALPHAS[i]! * (v - z[i]!);
  }
  let best = 0;
  for (let k = 1; k < ma * mb; k++) if (sse[k]! < sse[best]!) best = k;
  return p[best % mb]! * z[Math.floor(best / mb)]!;
}
