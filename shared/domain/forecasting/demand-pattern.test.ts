import { describe, expect, it } from 'vitest';
import { classifyDemand, patternStats } from './demand-pattern.ts';

describe('demand patterns (ADI / CV²)', () => {
  it('calls steady daily demand smooth', () => {
    expect(classifyDemand(patternStats([5, 6, 5, 4, 5, 6, 5]))).toBe('smooth');
  });

  it('calls daily demand of very unequal sizes erratic', () => {
    expect(classifyDemand(patternStats([1, 20, 2, 1, 30, 1, 2]))).toBe('erratic');
  });

  it('calls rare demand of steady size intermittent', () => {
    expect(classifyDemand(patternStats([0, 0, 3, 0, 0, 3, 0, 0, 4, 0]))).toBe('intermittent');
  });

  it('calls rare demand of unequal sizes lumpy', () => {
    expect(classifyDemand(patternStats([0, 0, 1, 0, 0, 25, 0, 0, 2, 0]))).toBe('lumpy');
  });

  it('measures the interval from the first demand on, and skips closed days', () => {
    const s = patternStats([0, 0, 0, 2, 0, 2], 0, 6, [0, 0, 0, 0, 1, 0]);
    expect(s.adi).toBe(1);
    expect(s.nonZero).toBe(2);
  });

  it('reports no demand as an infinite interval', () => {
    expect(patternStats([0, 0, 0]).adi).toBe(Infinity);
  });
});
