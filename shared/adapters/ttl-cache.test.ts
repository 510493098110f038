import { describe, expect, it } from 'vitest';
import { ttlCache } from './ttl-cache.ts';

describe('ttlCache', () => {
  it('answers from memory within the TTL and looks up again after it', async () => {
    let clock = 0;
    let calls = 0;
    const cached = ttlCache(async (key) => `${key}-${++calls}`, 1000, () => clock);
    expect(await cached('a')).toBe('a-1');
    clock = 999;
    expect(await cached('a')).toBe('a-1');
    clock = 1000;
    expect(await cached('a')).toBe('a-2');
  });

  it('does not keep a failed lookup', async () => {
    let fail = true;
    const cached = ttlCache(async () => {
      if (fail) throw new Error('down');
      return 'up';
    }, 60_000);
    await expect(cached('k')).rejects.toThrow('down');
    fail = false;
    expect(await cached('k')).toBe('up');
  });
});
