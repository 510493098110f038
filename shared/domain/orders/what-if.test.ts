import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DecisionRecord } from './decision-record.ts';
import { planParcels } from './planning.ts';
import { aggregateShadowDeltas, compareDecisions, replayDecision, sameAllocation, shadowApplies, simulate, withShadowDecision, type ShadowRules } from './what-if.ts';
import { rulesOf, workload } from './what-if-fixtures.ts';

/** A candidate rule set that changes a lot at once: greener by default, marketplace orders in one parcel, a ranking. */
const candidate = rulesOf(7, [
  { id: 'marketplace', scope: { channels: ['marketplace'] }, split: { policy: 'single' }, preferences: { default: 'cheapest' } },
  { id: 'east-fragile', scope: { regions: ['us-east'], categories: ['fragile'] }, split: { policy: 'minimize' }, preferences: { default: 'fastest' } },
  {
    id: 'default',
    preferences: { default: 'greenest' },
    rankedLocations: { order: ['loc-3', 'loc-10'], penaltyPerRank: 0.8 },
    filters: { excludedLocations: ['loc-0'], locationTypes: ['warehouse', 'store'] },
  },
]);

function recorded(seed: number, orders: number) {
  const { inputs } = workload(seed, orders);
  const records = inputs.map((input) => planParcels(input).record!);
  return { inputs, records };
}

describe('what-if replay', { timeout: 60_000 }, () => {
  it('records every decision with ship lines, and a replay under the same rules decides exactly what was decided', () => {
    const { records } = recorded(11, 300);
    expect(records.every(Boolean)).toBe(true);
    const report = simulate(records, rulesOf(1, [{ id: 'default', preferences: { default: 'balanced' } }]));
    expect(report.comparison.decisions).toBe(300);
    expect(report.comparison.changed).toBe(0);
    expect(report.comparison.delta).toEqual({ shippingCost: 0, shippingCostPerOrder: 0, parcelsPerOrder: 0, co2KgPerOrder: 0, promisedDays: 0, unitsUnfilled: 0 });
    expect(report.biggestChanges).toEqual([]);
  });

  it('over 1,000 recorded orders reports the deltas of routing each order again individually under the candidate rules', { timeout: 60_000 }, () => {
    const { inputs, records } = recorded(2026, 1000);
    const report = simulate(records, candidate);
    // Each order routed again on the live path (planParcels) with the same inputs and the candidate rules.
    const again = inputs.map((input) => planParcels({ ...input, rules: candidate }).record!.decided);
    const pairs = records.map((r, i) => ({ before: r.decided, after: again[i]! }));
    expect(report.comparison).toEqual(compareDecisions(pairs));
    const changed = pairs.filter((p) => !sameAllocation(p.before, p.after));
    expect(report.comparison.changed).toBe(changed.length);
    // The candidate changes a lot: the test would not notice a replay that ignored the rules.
    expect(changed.length).toBeGreaterThan(100);
    expect(report.comparison.delta.parcelsPerOrder).toBeLessThan(0);
    // The top changes are the largest cost changes among those individual results, each with an explanation.
    const largest = Math.max(...changed.map((p) => Math.abs(p.after.cost - p.before.cost)));
    expect(report.biggestChanges).toHaveLength(20);
    expect(Math.abs(report.biggestChanges[0]!.delta.cost)).toBeCloseTo(largest, 4);
    for (const change of report.biggestChanges) {
      const i = records.findIndex((r) => r.orderId === change.orderId);
      expect(change.after).toEqual(again[i]);
      expect(change.explanation[0]).toMatch(/^rule set (marketplace|east-fragile|default)@v7/);
    }
  });

  it('replays a changed default preference with the carrier services that preference picks', () => {
    const { inputs, records } = recorded(5, 200);
    const fastest = rulesOf(2, [{ id: 'default', preferences: { default: 'fastest' } }]);
    const undecided = records.filter((r) => !r.request.customer?.preference);
    expect(undecided.length).toBeGreaterThan(20);
    for (const record of undecided) {
      const input = inputs.find((i) => i.order.orderId === record.orderId)!;
      expect(replayDecision(record, fastest).summary).toEqual(planParcels({ ...input, rules: fastest }).record!.decided);
    }
    expect(simulate(records, fastest).comparison.delta.promisedDays).toBeLessThan(0);
  });

  it('filters by channel, SKU and first attempt', () => {
    const { records } = recorded(9, 200);
    const web = simulate(records, candidate, { filter: { channels: ['web'] } });
    expect(web.comparison.decisions).toBe(records.filter((r) => r.request.channel === 'web').length);
    const sku = simulate(records, candidate, { filter: { skus: ['SKU-3'] } });
    expect(sku.comparison.decisions).toBe(records.filter((r) => r.request.lines.some((l) => l.sku === 'SKU-3')).length);
    const reRouted = records.map((r, i) => (i % 2 ? { ...r, attempt: 2 } : r));
    expect(simulate(reRouted, candidate, { filter: { firstAttemptOnly: true } }).comparison.decisions).toBe(100);
  });

  it('an empty period reports zeros, not NaN', () => {
    const report = simulate([], candidate);
    expect(report.comparison).toMatchObject({ decisions: 0, changed: 0, shareChanged: 0 });
    expect(Object.values(report.comparison.after).every(Number.isFinite)).toBe(true);
  });

  it('is deterministic and compact for any order of the workload (property)', () => {
    const { records } = recorded(3, 120);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: records.length - 1 }), (i) => {
        const record = records[i]!;
        const stored = JSON.parse(JSON.stringify(record)) as DecisionRecord;
        // A record survives its JSON round trip (as stored) and replays the same.
        expect(replayDecision(stored, candidate).summary).toEqual(replayDecision(record, candidate).summary);
        expect(Buffer.byteLength(JSON.stringify(record))).toBeLessThan(20_000);
      }),
      { numRuns: 60 },
    );
  });
});

describe('shadow mode', { timeout: 60_000 }, () => {
  const shadow: ShadowRules = { rules: candidate, scope: { channels: ['web', 'app'] }, installedAt: '2026-11-26T00:00:00.000Z' };

  it('takes only the orders in its scope', () => {
    const { records } = recorded(4, 100);
    for (const r of records) expect(shadowApplies(shadow, r)).toBe(r.request.channel === 'web' || r.request.channel === 'app');
    expect(shadowApplies({ ...shadow, scope: {} }, records[0]!)).toBe(true);
  });

  it('stores the shadow decision beside the live one, and the KPI aggregates their differences', () => {
    const { records } = recorded(8, 400);
    const shadowed = records.map((r) => withShadowDecision(r, shadow));
    const inScope = shadowed.filter((r) => r.shadow);
    expect(inScope.length).toBe(records.filter((r) => r.request.channel !== 'marketplace').length);
    // The live decision is untouched.
    expect(shadowed.map((r) => r.decided)).toEqual(records.map((r) => r.decided));
    const kpis = aggregateShadowDeltas(shadowed);
    expect(kpis.decisions).toBe(inScope.length);
    expect(Object.values(kpis.shadowedUnder).reduce((a, b) => a + b, 0)).toBe(inScope.length);
    expect(Object.keys(kpis.shadowedUnder).sort()).toEqual(['default@v7', 'east-fragile@v7']);
    // The same numbers as a simulation of the candidate over the same orders.
    const { shadowedUnder: _, ...comparison } = kpis;
    expect(comparison).toEqual(simulate(records, candidate, { filter: { channels: ['web', 'app'] } }).comparison);
    expect(withShadowDecision(records[0]!, undefined)).toBe(records[0]);
  });
});

describe('records too large to keep', () => {
  it('are counted apart and left out of the comparison, never replayed as if nothing were in stock', () => {
    const { records } = recorded(12, 20);
    const omitted = records.map((r, i) => (i < 5 ? { ...r, candidates: [], inputOmitted: true as const } : r));
    const report = simulate(omitted, candidate);
    expect(report.notReplayable).toBe(5);
    expect(report.comparison.decisions).toBe(15);
    expect(report.comparison).toEqual(simulate(records.slice(5), candidate).comparison);
  });
});
