import { describe, expect, it } from 'vitest';
import type { StoredForecast } from '#domain/demand/forecast-run';
import { expectedDemandReader, HOUR_MS } from './expected-demand.ts';

function fakes() {
  const reads: string[] = [];
  let clock = 0;
  const forecasts = new Map<string, Array<Pick<StoredForecast, 'locationId' | 'daily'>>>([['MUG', [{ locationId: 'ST-1', daily: [2, 2, 4, 4] }]]]);
  const history = new Map([['TEE', [{ sku: 'TEE', locationId: 'ST-1', days: new Map([['2026-12-02', 14], ['2026-12-03', 99]]) }, { sku: 'TEE', locationId: 'WH', days: new Map<string, number>() }]]]);
  const read = expectedDemandReader(
    {
      forecasts: { get: async (_t, sku) => (reads.push(`forecast ${sku}`), { locations: (forecasts.get(sku) ?? []) as StoredForecast[] }) },
      demand: { locationHistory: async (_t, sku) => (reads.push(`history ${sku}`), history.get(sku) ?? []) },
    },
    () => clock,
  );
  return { read, reads, tick: (ms: number) => (clock += ms) };
}

describe('expectedDemandReader', () => {
  it('takes the forecast when one exists, else the 28 days of roll-ups before today, keeping only positive rates', async () => {
    const { read } = fakes();
    expect(await read('t1', ['MUG', 'TEE', 'NONE'], '2026-12-03')).toEqual({ 'ST-1': { MUG: 3, TEE: 0.5 } });
  });

  it('reads a SKU once an hour per tenant, and again after the hour or on another day', async () => {
    const { read, reads, tick } = fakes();
    await read('t1', ['TEE'], '2026-12-03');
    await read('t1', ['TEE'], '2026-12-03');
    expect(reads).toEqual(['forecast TEE', 'history TEE']);
    await read('t2', ['TEE'], '2026-12-03');
    expect(reads).toHaveLength(4);
    tick(HOUR_MS - 1);
    await read('t1', ['TEE'], '2026-12-03');
    expect(reads).toHaveLength(4);
    tick(1);
    await read('t1', ['TEE'], '2026-12-03');
    expect(reads).toHaveLength(6);
    await read('t1', ['TEE'], '2026-12-04');
    expect(reads).toHaveLength(8);
  });
});
