import { describe, expect, it } from 'vitest';
import { dayOfWeek, parseIsoDay } from './calendar.ts';
import { forecastPanel } from './engine.ts';
import type { DemandPanel, DemandSeries } from './history.ts';
import { lcg, poisson } from './test-draws.ts';


interface PanelSpec {
  origin: string;
  days: number;
  skus: number;
  locations: number;
  /** Mean daily demand of SKU k at location l on day number d (before noise). */
  mean: (k: number, l: number, day: number) => number;
}

/** A small panel of Poisson demand around the given means, one row per day, seeded. */
function makePanel(spec: PanelSpec, seed = 7): DemandPanel {
  const r = lcg(seed);
  const origin = parseIsoDay(spec.origin)!;
  const start = origin - spec.days + 1;
  const series: DemandSeries[] = [];
  for (let k = 0; k < spec.skus; k++) {
    for (let l = 0; l < spec.locations; l++) {
      const units = Float64Array.from({ length: spec.days }, (_, t) => poisson(r, spec.mean(k, l, start + t)));
      series.push({ sku: `S${k}`, locationId: `L${l}`, start, units });
    }
  }
  return { origin, series };
}

const weekendShape = (day: number) => ([0, 6].includes(dayOfWeek(day)) ? 1.6 : 0.85);
const steady: PanelSpec = { origin: '2024-05-19', days: 400, skus: 6, locations: 3, mean: (k, l, d) => (1 + k) * (1 + l) * 0.7 * weekendShape(d) };

describe('forecastPanel', () => {
  const panel = makePanel(steady);
  const result = forecastPanel(panel, { horizon: 28, leadTimeDays: 7, serviceLevel: 0.95 });

  it('forecasts every series for every horizon day, finite and non-negative', () => {
    expect(result.forecasts).toHaveLength(panel.series.length);
    for (const f of result.forecasts) {
      expect(f).toHaveLength(28);
      for (const v of f) expect(Number.isFinite(v) && v >= 0).toBe(true);
    }
  });

  it('splits each SKU total over its locations without losing or adding demand', () => {
    for (const { sku, forecast } of result.skuForecasts) {
      const members = panel.series.map((s, i) => (s.sku === sku ? i : -1)).filter((i) => i >= 0);
      for (let j = 0; j < 28; j++) {
        const sum = members.reduce((a, i) => a + result.forecasts[i]![j]!, 0);
        expect(sum).toBeCloseTo(forecast[j]!, 9);
      }
    }
  });

  it('forecasts close to the true mean demand', () => {
    panel.series.forEach((s, i) => {
      const k = Number(s.sku.slice(1));
      const l = Number(s.locationId.slice(1));
      let truth = 0;
      let ours = 0;
      for (let j = 0; j < 28; j++) {
        truth += steady.mean(k, l, panel.origin + 1 + j);
        ours += result.forecasts[i]![j]!;
      }
      expect(Math.abs(ours - truth) / truth).toBeLessThan(0.25);
    });
  });

  it('carries the weekend uplift into the forecast', () => {
    const f = result.forecasts.at(-1)!;
    const sat = Array.from({ length: 28 }, (_, j) => j).find((j) => dayOfWeek(panel.origin + 1 + j) === 6)!;
    expect(f[sat]! / f[sat - 3]!).toBeGreaterThan(1.5);
  });

  it('sets reorder points at or above the expected lead-time demand, with safety stock = reorder point - that demand', () => {
    result.policy.forEach((p, i) => {
      const mu = result.forecasts[i]!.slice(0, 7).reduce((a, b) => a + b, 0);
      expect(p.reorderPoint).toBeGreaterThanOrEqual(mu);
      expect(p.safetyStock).toBeCloseTo(p.reorderPoint - mu, 9);
    });
  });

  it('gives the same answer twice', () => {
    const again = forecastPanel(panel, { horizon: 28, leadTimeDays: 7, serviceLevel: 0.95 });
    expect(again.forecasts).toEqual(result.forecasts);
    expect(again.policy).toEqual(result.policy);
  });

  it('holds more stock for a higher service level and a longer lead time', () => {
    const sum = (r: typeof result) => r.policy.reduce((a, p) => a + p.reorderPoint, 0);
    expect(sum(forecastPanel(panel, { horizon: 28, serviceLevel: 0.99 }))).toBeGreaterThan(sum(result));
    expect(sum(forecastPanel(panel, { horizon: 28, leadTimeDays: 14 }))).toBeGreaterThan(sum(result));
  });

  it('forecasts nothing for a SKU that stopped selling months ago', () => {
    const spec = { ...steady, mean: (k: number, l: number, d: number) => (k === 0 && d > parseIsoDay(steady.origin)! - 120 ? 0 : steady.mean(k, l, d)) };
    const p = makePanel(spec);
    const r = forecastPanel(p, { horizon: 28 });
    const total = r.skuForecasts.find((s) => s.sku === 'S0')!.forecast.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThan(0.5);
  });

  it('does not take a location opened two months ago for a small one', () => {
    const spec = { ...steady, mean: (k: number, _l: number, d: number) => 3 + k + 0 * d };
    const p = makePanel(spec);
    const origin = p.origin;
    const late = p.series.map((s) => (s.locationId === 'L2' ? { ...s, start: origin - 59, units: s.units.slice(-60) } : s));
    const r = forecastPanel({ origin, series: late }, { horizon: 28 });
    late.forEach((s, i) => {
      if (s.locationId !== 'L2') return;
      const peer = late.findIndex((x) => x.sku === s.sku && x.locationId === 'L0');
      const sum = (f: Float64Array) => f.reduce((a, b) => a + b, 0);
      expect(sum(r.forecasts[i]!)).toBeGreaterThan(0.75 * sum(r.forecasts[peer]!));
    });
  });

  it('expects the stores closed on a Christmas they were closed on last year', () => {
    const closed = (d: number) => ['2022-12-25', '2023-12-25'].some((x) => parseIsoDay(x) === d);
    const spec: PanelSpec = { origin: '2024-12-20', days: 760, skus: 8, locations: 3, mean: (k, l, d) => (closed(d) ? 0 : (2 + k) * (1 + l)) };
    const p = makePanel(spec);
    const r = forecastPanel(p, { horizon: 10 });
    const christmas = parseIsoDay('2024-12-25')! - p.origin - 1;
    for (const f of r.forecasts) {
      expect(f[christmas]).toBe(0);
      expect(f[christmas + 1]!).toBeGreaterThan(0);
    }
  });

  it('forecasts nothing on a weekday the stores never open, and the right level on the others', () => {
    const spec = { ...steady, mean: (k: number, l: number, d: number) => (dayOfWeek(d) === 0 ? 0 : 2 + k + l) };
    const p = makePanel(spec);
    const r = forecastPanel(p, { horizon: 14 });
    p.series.forEach((s, i) => {
      const truth = 2 + Number(s.sku.slice(1)) + Number(s.locationId.slice(1));
      const f = r.forecasts[i]!;
      for (let j = 0; j < 14; j++) {
        if (dayOfWeek(p.origin + 1 + j) === 0) expect(f[j]!).toBeLessThan(0.05 * truth);
        else expect(Math.abs(f[j]! - truth) / truth).toBeLessThan(0.3);
      }
    });
  });

  it('copes with a panel too short for any backtest', () => {
    const p = makePanel({ ...steady, days: 10 });
    const r = forecastPanel(p, { horizon: 5 });
    for (const f of r.forecasts) for (const v of f) expect(Number.isFinite(v)).toBe(true);
    for (const row of r.policy) expect(Number.isFinite(row.reorderPoint) && Number.isFinite(row.safetyStock)).toBe(true);
  });

  it('works for a horizon shorter than the lead time and for a series one day old', () => {
    const p: DemandPanel = { ...panel, series: [...panel.series, { sku: 'NEW', locationId: 'L0', start: panel.origin, units: Float64Array.of(3) }] };
    const r = forecastPanel(p, { horizon: 3, leadTimeDays: 7 });
    expect(r.forecasts.every((f) => f.length === 3)).toBe(true);
    expect(r.policy.at(-1)!.reorderPoint).toBeGreaterThanOrEqual(0);
  });

  it('rejects a horizon, lead time or service level it cannot use', () => {
    expect(() => forecastPanel(panel, { horizon: 0 })).toThrow(RangeError);
    expect(() => forecastPanel(panel, { horizon: 7, leadTimeDays: 1.5 })).toThrow(RangeError);
    expect(() => forecastPanel(panel, { horizon: 7, serviceLevel: 1 })).toThrow(RangeError);
  });
});
