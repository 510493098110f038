// A seeded generator of M5-like daily demand (what ../shared/bench/forecast/README.md describes: intermittent and
// smooth series, weekday uplift by product group, a mild yearly cycle with a December peak and Christmas closed,
// growing and declining products, unannounced promotions, launches, discontinuations, stock-outs, store sizes,
// over-dispersed noise, locations of a SKU moving together) with held-out actuals from the same process.
// Used by `npm run bench:forecast -- --scale` and to check that the method choices hold on other mixtures and calendars.
import { seededRandom } from '../../infra/local/tools/demo-network.ts';
import { formatIsoDay, parseIsoDay } from '../../shared/domain/forecasting/calendar.ts';

export interface GeneratorOptions {
  readonly seed: number;
  readonly skus: number;
  readonly locations: number;
  readonly historyDays: number;
  readonly horizon: number;
  /** First day of the history, YYYY-MM-DD. */
  readonly firstDate: string;
  /** Share of SKUs with a low base rate (intermittent at most locations). */
  readonly slowShare: number;
  /** Amplitude of the yearly cycle (0.15 = +-15 %). */
  readonly yearlyAmplitude: number;
}

export const DEFAULT_GENERATOR: GeneratorOptions = {
  seed: 1,
  skus: 2000,
  locations: 5,
  historyDays: 365,
  horizon: 28,
  firstDate: '2023-03-01',
  slowShare: 0.6,
  yearlyAmplitude: 0.12,
};

function normal(r: () => number): number {
  const u = Math.max(r(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

/** Gamma(shape, 1) by Marsaglia-Tsang. */
function gamma(r: () => number, shape: number): number {
  if (shape < 1) return gamma(r, shape + 1) * Math.pow(Math.max(r(), 1e-12), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal(r);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = r();
    if (Math.log(Math.max(u, 1e-300)) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

function poisson(r: () => number, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 60) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(r)));
  const l = Math.exp(-mean);
  let k = 0;
  let p = r();
  while (p > l) {
    k++;
    p *= r();
  }
  return k;
}

export interface GeneratedSet {
  readonly history: string;
  readonly actuals: string;
  readonly series: number;
}

export function generateDemand(options: GeneratorOptions): GeneratedSet {
  const o = options;
  const r = seededRandom(o.seed);
  const day0 = parseIsoDay(o.firstDate);
  if (day0 === undefined) throw new RangeError(`bad firstDate ${o.firstDate}`);
  const days = o.historyDays + o.horizon;
  const groups = Array.from({ length: 6 }, () => {
    const weekend = 0.1 + 0.5 * r();
    const friday = 0.05 + 0.15 * r();
    // Sunday .. Saturday
    return [1 + weekend, 1 - 0.05 * r(), 1, 1, 1 + 0.05 * r(), 1 + friday, 1 + weekend * (0.8 + 0.4 * r())];
  });
  const sizes = Array.from({ length: o.locations }, () => Math.exp(0.5 * normal(r)));
  const hist: string[] = ['date,sku,locationId,units'];
  const act: string[] = ['date,sku,locationId,units'];
  const dates = Array.from({ length: days }, (_, t) => formatIsoDay(day0 + t));
  const dow = Array.from({ length: days }, (_, t) => (((day0 + t + 4) % 7) + 7) % 7);
  const yearly = Array.from({ length: days }, (_, t) => {
    const date = dates[t]!;
    const doy = (Date.parse(date) - Date.parse(date.slice(0, 4) + '-01-01')) / 86_400_000;
    // Peak in mid December, trough in summer.
    return 1 + o.yearlyAmplitude * Math.cos((2 * Math.PI * (doy - 350)) / 365.25);
  });
  const closedDay = dates.map((d) => d.endsWith('-12-25'));
  let series = 0;
  const common = new Float64Array(days);
  const promo = new Float64Array(days);
  for (let k = 0; k < o.skus; k++) {
    const sku = `SKU-${String(k + 1).padStart(5, '0')}`;
    const group = groups[Math.floor(r() * groups.length)]!;
    const slow = r() < o.slowShare;
    const base = slow ? Math.exp(-2.3 + 1.0 * normal(r)) : Math.exp(0.6 + 0.8 * normal(r));
    const trendPerYear = r() < 0.3 ? 0.6 * normal(r) : 0;
    const launch = r() < 0.1 ? Math.floor(r() * (o.historyDays - 60)) : 0;
    const discontinue = r() < 0.05 ? Math.floor(o.historyDays * (0.5 + 0.5 * r())) : days;
    const dispersion = 1 + 4 * r(); // NB shape
    // SKU-level day shocks shared by its locations (weather, a mention online...): gamma with mean 1.
    const shockShape = 8 + 20 * r();
    for (let t = 0; t < days; t++) common[t] = gamma(r, shockShape) / shockShape;
    promo.fill(1);
    const promos = poisson(r, (days / 365) * 5);
    for (let p = 0; p < promos; p++) {
      const at = Math.floor(r() * days);
      const len = 2 + Math.floor(r() * 5);
      const lift = 1.5 + 2 * r();
      for (let t = at; t < Math.min(days, at + len); t++) promo[t] = lift;
    }
    for (let l = 0; l < o.locations; l++) {
      const loc = `LOC-${String(l + 1).padStart(2, '0')}`;
      const size = sizes[l]! * Math.exp(0.3 * normal(r));
      const start = launch > 0 ? launch + Math.floor(r() * 14) : 0;
      if (start >= o.historyDays) continue;
      series++;
      let outUntil = -1;
      for (let t = start; t < days; t++) {
        if (t > outUntil && r() < 1 / 200) outUntil = t + 2 + Math.floor(r() * 12); // a stock-out
        let u = 0;
        if (!closedDay[t] && t < discontinue && t > outUntil) {
          const years = (t - o.historyDays) / 365;
          const mean = base * size * group[dow[t]!]! * yearly[t]! * Math.exp(trendPerYear * years) * promo[t]! * common[t]!;
          u = poisson(r, (mean * gamma(r, dispersion)) / dispersion);
        }
        const row = `${dates[t]},${sku},${loc},${u}`;
        (t < o.historyDays ? hist : act).push(row);
      }
    }
  }
  return { history: hist.join('\n') + '\n', actuals: act.join('\n') + '\n', series };
}
