import { describe, expect, it } from 'vitest';
import { MemoryDb, SortedKeys, type RangeOptions } from './memory-db.ts';

const keysOf = (count: number): string[] => Array.from({ length: count }, (_, i) => `k${String(i).padStart(5, '0')}`);

/** The answer a plain sorted array gives, to compare the chunked structure against. */
function expected(all: string[], range: RangeOptions): string[] {
  let keys = [...all].sort().filter(
    (k) =>
      (range.gte === undefined || k >= range.gte) &&
      (range.gt === undefined || k > range.gt) &&
      (range.lte === undefined || k <= range.lte) &&
      (range.lt === undefined || k < range.lt),
  );
  if (range.reverse) keys = keys.reverse();
  return range.limit !== undefined && range.limit >= 0 ? keys.slice(0, range.limit) : keys;
}

describe('SortedKeys', () => {
  it('keeps thousands of keys inserted in random order sorted across its chunks', () => {
    const all = keysOf(3000);
    const shuffled = [...all].sort(() => Math.random() - 0.5);
    const sorted = new SortedKeys();
    for (const key of shuffled) sorted.insert(key);
    sorted.insert(all[10]!);

    expect([...sorted.range({})]).toEqual(all);
    expect(sorted.size).toBe(3000);
  });

  it('answers every kind of bound, forwards and in reverse, with and without a limit, as a sorted array does', () => {
    const all = keysOf(1200);
    const sorted = new SortedKeys();
    for (const key of all) sorted.insert(key);
    const bounds = ['k00000', 'k00511', 'k00512', 'k00600x', 'k01199', 'a', 'z'];
    for (const low of bounds) {
      for (const high of bounds) {
        for (const reverse of [false, true]) {
          for (const limit of [undefined, 1, 7]) {
            for (const range of [
              { gte: low, lt: high },
              { gt: low, lte: high },
              { gte: low },
              { lt: high },
            ] as RangeOptions[]) {
              const options = { ...range, reverse, ...(limit ? { limit } : {}) };
              expect([...sorted.range(options)], JSON.stringify(options)).toEqual(expected(all, options));
            }
          }
        }
      }
    }
  });

  it('removes keys, emptying whole chunks, and keeps the rest in order', () => {
    const all = keysOf(2000);
    const sorted = new SortedKeys();
    for (const key of all) sorted.insert(key);
    const kept = all.filter((_, i) => i % 3 === 0 || i > 1500);
    for (const key of all) if (!kept.includes(key)) sorted.delete(key);
    sorted.delete('missing');

    expect([...sorted.range({})]).toEqual(kept);
    expect([...sorted.range({ reverse: true, gte: 'k01400' })]).toEqual(expected(kept, { reverse: true, gte: 'k01400' }));
  });

  it('continues a suspended range after the last key it gave, when keys were added and removed meanwhile', () => {
    const sorted = new SortedKeys();
    for (const key of keysOf(1000)) sorted.insert(key);
    const walk = sorted.range({ gte: 'k00100' });
    const seen = [walk.next().value, walk.next().value];
    // Remove the next key and the one just handed out, add one just ahead and one already passed.
    sorted.delete('k00102');
    sorted.delete('k00101');
    sorted.insert('k00101x');
    sorted.insert('k00050x');
    for (let next = walk.next(); !next.done && seen.length < 5; next = walk.next()) seen.push(next.value);

    expect(seen).toEqual(['k00100', 'k00101', 'k00101x', 'k00103', 'k00104']);
  });
});

describe('MemoryDb', () => {
  it('applies a batch of puts and deletes in order and reads ranges of entries', () => {
    const db = MemoryDb.open();
    db.batch([
      { type: 'put', key: 'a~1', value: { n: 1 } },
      { type: 'put', key: 'a~2', value: { n: 2 } },
      { type: 'put', key: 'b~1', value: { n: 3 } },
      { type: 'del', key: 'a~1' },
      { type: 'put', key: 'a~3', value: { n: 4 } },
    ]);

    expect([...db.iterator({ gte: 'a~', lt: 'a~\xff' })]).toEqual([
      ['a~2', { n: 2 }],
      ['a~3', { n: 4 }],
    ]);
    expect(db.get('a~1')).toBeUndefined();
    expect(db.size).toBe(3);
  });

  it('hands out the stored value itself under keys it does not pack', () => {
    const db = MemoryDb.open();
    const item = { pk: { S: 'x' } };
    db.put('item', item);

    expect(db.get('item')).toBe(item);
  });

  it('iterates only the packed rows whose text holds a needle, and every unpacked value', () => {
    const db = MemoryDb.open({ packed: (key) => key.startsWith('row~') });
    db.batch([
      { type: 'put', key: 'row~1', value: { pk: { S: '1' }, expiresAt: { N: '100' } } },
      { type: 'put', key: 'row~2', value: { pk: { S: '2' } } },
      { type: 'put', key: 'row~3', value: { pk: { S: '3' }, expiresAt: { N: '300' } } },
      { type: 'put', key: 'rox~4', value: { pk: { S: '4' } } },
    ]);
    const found = [...db.iteratorContaining('"expiresAt":{"N":', { gte: 'row~' })];
    expect(found).toEqual([
      ['row~1', { pk: { S: '1' }, expiresAt: { N: '100' } }],
      ['row~3', { pk: { S: '3' }, expiresAt: { N: '300' } }],
      ['rox~4', { pk: { S: '4' } }],
    ]);
  });

  it('keeps packed values as text and hands out a fresh equal object on every read, without undefined members', () => {
    const db = MemoryDb.open({ packed: (key) => key.startsWith('row~') });
    const item = { pk: { S: 'x' }, note: undefined };
    db.batch([
      { type: 'put', key: 'row~1', value: item },
      { type: 'put', key: 'row~2', value: item },
    ]);
    item.pk.S = 'changed after the write';

    const first = db.get('row~1');
    const again = db.get('row~1');

    expect(first).toEqual({ pk: { S: 'x' } });
    expect(again).not.toBe(first);
    expect([...db.values({ gte: 'row~' })]).toEqual([{ pk: { S: 'x' } }, { pk: { S: 'x' } }]);
  });
});
