import { describe, expect, it } from 'vitest';
import { idleCompactionPolicy } from './heap.ts';

describe('idleCompactionPolicy', () => {
  it('compacts once after a busy spell, when the thread has been quiet three windows in a row', () => {
    const policy = idleCompactionPolicy();
    const decisions = [0.9, 0.8, 0.2, 0.1, 0.08, 0.0, 0.0, 0.01].map((u) => policy.observe(u));
    expect(decisions).toEqual([false, false, false, false, false, true, false, false]);
  });

  it('never compacts a thread that was never busy', () => {
    const policy = idleCompactionPolicy();
    expect([0.01, 0.0, 0.25, 0.0, 0.0, 0.0, 0.0].some((u) => policy.observe(u))).toBe(false);
  });

  it('waits for an unbroken quiet spell, and compacts again after the next busy one', () => {
    const policy = idleCompactionPolicy();
    const decisions = [0.5, 0.0, 0.0, 0.2, 0.0, 0.0, 0.0, 0.7, 0.0, 0.0, 0.0].map((u) => policy.observe(u));
    expect(decisions).toEqual([false, false, false, false, false, false, true, false, false, false, true]);
  });
});
