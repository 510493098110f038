import { describe, expect, it } from 'vitest';
import { dynaliteDb } from './dynalite.ts';
import { closeIteratorsWithTheirStreams } from './index.ts';

// A range read that stops early (a Query at its Limit) must close its leveldb iterator: an open one stays registered
// with the database and keeps a snapshot of the in-memory tree alive.
describe('range-read streams', () => {
  it('close their iterator when destroyed early and when they end', async () => {
    const store = dynaliteDb.create({});
    closeIteratorsWithTheirStreams(store);
    const db = store.db as unknown as { values(o: unknown): { close(): Promise<void> }; createValueStream(o: unknown): NodeJS.ReadableStream & { destroy(): void } };
    await Promise.all(['a', 'b', 'c'].map((k) => store.db.put(`k-${k}`, { k })));
    const closed: string[] = [];
    const values = db.values.bind(db);
    db.values = (options) => {
      const iterator = values(options);
      const close = iterator.close.bind(iterator);
      iterator.close = () => {
        closed.push(JSON.stringify(options));
        return close();
      };
      return iterator;
    };

    const early = db.createValueStream({ gte: 'k-' });
    const first = await new Promise((resolve) => early.once('data', resolve));
    early.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    expect(first).toEqual({ k: 'a' });
    expect(closed).toHaveLength(1);

    const all: unknown[] = [];
    const full = db.createValueStream({ gte: 'k-' });
    full.on('data', (v) => all.push(v));
    await new Promise((resolve) => full.once('close', resolve));
    expect(all).toHaveLength(3);
    expect(closed).toHaveLength(2);
    await new Promise<void>((resolve, reject) => store.lifecycleManager.gracefulClose((err) => (err ? reject(err) : resolve())));
  });
});
