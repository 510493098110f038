// Syntetos-Boylan-Croston classes of demand: ADI (mean interval between non-zero demands) against 1.32 and CV²
// (squared coefficient of variation of the non-zero sizes) against 0.49 (Syntetos, Boylan and Croston, 2005).

export type DemandPattern = 'smooth' | 'erratic' | 'intermittent' | 'lumpy';
export const DEMAND_PATTERNS: readonly DemandPattern[] = ['smooth', 'erratic', 'intermittent', 'lumpy'];

export const ADI_CUTOFF = 1.32;
export const CV2_CUTOFF = 0.49;

export interface PatternStats {
  /** Mean number of days per non-zero demand, from the first non-zero day on (Infinity without demand). */
  readonly adi: number;
  /** Squared coefficient of variation of the non-zero demand sizes (0 with fewer than two). */
  readonly cv2: number;
  readonly nonZero: number;
}

/** ADI and CV² of y[from..to), skipping the days `skip` marks (days the business was closed). */
export function patternStats(y: ArrayLike<number>, from = 0, to = y.length, skip?: ArrayLike<number>): PatternStats {
  let first = -1;
  let days = 0;
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  for (let t = from; t < to; t++) {
    if (skip && skip[t]) continue;
    const v = y[t]!;
    if (first < 0 && v > 0) first = t;
    if (first < 0) continue;
    days++;
    if (v > 0) {
      n++;
      sum += v;
      sumSq += v * v;
    }
  }
  if (n === 0) return { adi: Infinity, cv2: 0, nonZero: 0 };
  const mean = sum / n;
  const variance = n > 1 ? (sumSq - n * mean * mean) / (n - 1) : 0;
  return { adi: days / n, cv2: Math.max(0, variance) / (mean * mean), nonZero: n };
}

export function classifyDemand(stats: PatternStats): DemandPattern {
  const intermittent = stats.adi > ADI_CUTOFF;
  const variable = stats.cv2 > CV2_CUTOFF;
  if (intermittent) return variable ? 'lumpy' : 'intermittent';
  return variable ? 'erratic' : 'smooth';
}
