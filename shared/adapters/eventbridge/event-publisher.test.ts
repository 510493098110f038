import { describe, expect, it } from 'vitest';
import { entrySize, putEventsBatches } from './event-publisher.ts';

const entry = (id: number, detailBytes = 10) => ({ id, Source: 'dom', DetailType: 'T', Detail: 'x'.repeat(detailBytes) });

describe('putEventsBatches', () => {
  it('packs entries ten to a call, in order', () => {
    const batches = putEventsBatches(Array.from({ length: 23 }, (_, i) => entry(i)));
    expect(batches.map((b) => b.length)).toEqual([10, 10, 3]);
    expect(batches.flat().map((e) => e.id)).toEqual(Array.from({ length: 23 }, (_, i) => i));
  });

  it('starts a new call before 256 KiB, and sends an entry alone when it is that large', () => {
    const big = 100 * 1024;
    const batches = putEventsBatches([entry(0, big), entry(1, big), entry(2, big), entry(3, 250 * 1024), entry(4)]);
    expect(batches.map((b) => b.map((e) => e.id))).toEqual([[0, 1], [2], [3, 4]]);
    for (const batch of batches) expect(batch.reduce((sum, e) => sum + entrySize(e), 0)).toBeLessThanOrEqual(256 * 1024);
  });

  it('counts UTF-8 bytes, not characters', () => {
    expect(entrySize({ Source: 'dom', DetailType: 'T', Detail: 'é' })).toBe(14 + 3 + 1 + 2);
  });

  it('gives no call for no entries', () => {
    expect(putEventsBatches([])).toEqual([]);
  });
});
