// Quantiles of lead-time demand. Demand over L days is a count whose variance exceeds its mean in retail data
// (promotions, shocks shared by days, uncertainty in the level), so it is modelled as negative binomial with the
// forecast's mean and a variance learnt from the series' own backtest errors; Poisson when the variance is no larger
// than the mean. Counts make the reorder point a whole number: the smallest k with P(D <= k) >= s.

/** Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability must be in (0, 1), got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) => {
    const r = Math.sqrt(-2 * Math.log(q));
    return (((((c[0]! * r + c[1]!) * r + c[2]!) * r + c[3]!) * r + c[4]!) * r + c[5]!) / ((((d[0]! * r + d[1]!) * r + d[2]!) * r + d[3]!) * r + 1);
  };
  if (p < 0.02425) return tail(p);
  if (p > 1 - 0.02425) return -tail(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/** Past this many expected units the pmf recursion from zero underflows; the Cornish-Fisher expansion is exact enough. */
const LARGE_MEAN = 400;

/**
 * The s-quantile of a count with the given mean and variance: negative binomial when over-dispersed, Poisson
 * otherwise; 0 for a zero mean.
 */
export function countQuantile(mean: number, variance: number, s: number): number {
  if (!(s > 0 && s < 1)) throw new RangeError(`service level must be in (0, 1), got ${s}`);
  if (!(mean > 0)) return 0;
  const v = Math.max(variance, mean);
  const overdispersed = v > mean * (1 + 1e-9);
  if (mean > LARGE_MEAN) {
    // Cornish-Fisher with the NB's skewness (2 - p) / sqrt(r (1 - p)) = (2v - m) / (m sqrt(v)); 1 / sqrt(m) for Poisson.
    const sd = Math.sqrt(v);
    const skew = (2 * v - mean) / (sd * mean);
    const z = normalQuantile(s);
    return Math.max(0, Math.ceil(mean + sd * (z + ((z * z - 1) * skew) / 6) - 1e-9));
  }
  // P(0), then P(k + 1) = P(k) x step(k), with step = (k + r) / (k + 1) x (1 - p) for the NB, mean / (k + 1) for Poisson.
  const r = overdispersed ? (mean * mean) / (v - mean) : 0;
  const q = mean / v; // the NB's p = r / (r + mean)
  let pk = overdispersed ? Math.exp(r * Math.log(q)) : Math.exp(-mean);
  let cdf = pk;
  let k = 0;
  // The tail beyond mean + 60 sd holds nothing a service level below 1 can ask for.
  const limit = mean + 60 * Math.sqrt(v) + 10;
  while (cdf < s && k < limit) {
    pk *= overdispersed ? ((k + r) / (k + 1)) * (1 - q) : mean / (k + 1);
    k++;
    cdf += pk;
  }
  return k;
}
