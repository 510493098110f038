import { describe, expect, it } from 'vitest';
import { reorderPoints, type ReorderPointInput } from './reorder-point.ts';
import { lcg, poisson } from './test-draws.ts';


/** Series whose L-day demand is Poisson with a level that itself wanders by `shock` (an over-dispersed count). */
function panel(count: number, shock: number, seed: number): ReorderPointInput[] {
  const r = lcg(seed);
  return Array.from({ length: count }, (_, i) => {
    const mu = 2 + (i % 20);
    const backtests = Array.from({ length: 12 }, (_, o) => {
      const level = mu * Math.exp(shock * (r() - 0.5));
      const actual = Array.from({ length: 22 }, () => poisson(r, level));
      return { daysBefore: 28 + 7 * o, mu, actual, forecast: new Array(22).fill(mu) };
    });
    return { mu, volume: mu / 7, backtests };
  });
}

describe('reorderPoints', () => {
  it('covers the backtest demand with at least the service level in every volume band', () => {
    const { report } = reorderPoints(panel(200, 0.8, 1), 0.95, 28);
    for (const s of report.bandService) expect(s).toBeGreaterThanOrEqual(0.95);
  });

  it('keeps more stock for series whose backtest errors were larger', () => {
    const calm = reorderPoints(panel(200, 0.1, 2), 0.95, 28);
    const wild = reorderPoints(panel(200, 1.5, 2), 0.95, 28);
    const total = (x: typeof calm) => x.points.reduce((a, p) => a + p.reorderPoint, 0);
    expect(total(wild)).toBeGreaterThan(1.1 * total(calm));
  });

  it('asks for more stock at a higher service level', () => {
    const inputs = panel(100, 0.5, 3);
    const at = (s: number) => reorderPoints(inputs, s, 28).points.reduce((a, p) => a + p.reorderPoint, 0);
    expect(at(0.99)).toBeGreaterThan(at(0.95));
    expect(at(0.95)).toBeGreaterThan(at(0.8));
  });

  it('falls back to its band for a series without backtest', () => {
    const inputs = [...panel(50, 0.5, 4), { mu: 5, volume: 5 / 7, backtests: [] }];
    const { points } = reorderPoints(inputs, 0.95, 28);
    expect(points.at(-1)!.reorderPoint).toBeGreaterThanOrEqual(8);
  });

  it('holds no stock for a series expected to sell nothing', () => {
    const inputs = [...panel(20, 0.5, 5), { mu: 0, volume: 0, backtests: [] }];
    expect(reorderPoints(inputs, 0.95, 28).points.at(-1)!.reorderPoint).toBe(0);
  });
});
