import { describe, expect, it } from 'vitest';
import { buildSummary, SUMMARY_FIELDS, type MeasuredRun } from './summary.ts';

const run: MeasuredRun = {
  acceptedPerSec: 312.4567,
  allocatedPerSec: 48.04999,
  acceptP50Ms: 8.26,
  acceptP99Ms: 94.04,
  cost: { usdPerOrder: 0.000231234567, dynamodbCallsPerOrder: 6.2049, lambdaInvocationsPerOrder: 9.3333, transitionsPerOrder: 8 },
  rssBytes: 700.6 * 1024 * 1024,
  orders: 600,
  stuck: 0,
};

describe('buildSummary', () => {
  it('has exactly the fields issue 16 lists, in its order', () => {
    expect(Object.keys(buildSummary(run))).toEqual([
      'acceptedPerSec',
      'allocatedPerSec',
      'acceptP50Ms',
      'acceptP99Ms',
      'costPerOrderUsd',
      'dynamodbCallsPerOrder',
      'lambdaInvocationsPerOrder',
      'transitionsPerOrder',
      'rssMiB',
      'orders',
      'stuck',
    ]);
    expect(SUMMARY_FIELDS).toEqual(Object.keys(buildSummary(run)));
  });

  it('rounds rates and latencies to 0.1, per-order counts to 0.01, cost to 1e-9 USD and memory to whole MiB', () => {
    expect(buildSummary(run)).toEqual({
      acceptedPerSec: 312.5,
      allocatedPerSec: 48,
      acceptP50Ms: 8.3,
      acceptP99Ms: 94,
      costPerOrderUsd: 0.000231235,
      dynamodbCallsPerOrder: 6.2,
      lambdaInvocationsPerOrder: 9.33,
      transitionsPerOrder: 8,
      rssMiB: 701,
      orders: 600,
      stuck: 0,
    });
  });

  it('gives null and metered: false when the calls were not metered', () => {
    const summary = buildSummary({ ...run, cost: undefined });

    expect(summary).toMatchObject({ costPerOrderUsd: null, dynamodbCallsPerOrder: null, lambdaInvocationsPerOrder: null, transitionsPerOrder: null, metered: false });
    expect(Object.keys(summary)).toEqual([...SUMMARY_FIELDS, 'metered']);
  });

  it('gives null for figures the run did not measure or could not compute, never NaN', () => {
    const summary = buildSummary({ ...run, allocatedPerSec: undefined, acceptP99Ms: NaN, rssBytes: undefined, stuck: undefined });

    expect(summary).toMatchObject({ allocatedPerSec: null, acceptP99Ms: null, rssMiB: null, stuck: null });
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  });

  it('writes only numbers and nulls, on one line', () => {
    const line = JSON.stringify(buildSummary(run));

    expect(line).not.toContain('\n');
    expect(Object.values(JSON.parse(line)).every((v) => typeof v === 'number' || v === null)).toBe(true);
  });
});
