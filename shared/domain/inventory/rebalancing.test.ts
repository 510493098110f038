import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_TABLE } from '../carriers/rate-table.ts';
import { deficitOf, rateTableEconomics, suggestRebalancing, suggestionIdOf, surplusOf, type Economics, type RebalanceLocation, type RebalanceSku } from './rebalancing.ts';

const at = (locationId: string, available: number, demand: number, inTransit = 0, safetyStock = 0): RebalanceLocation => ({ locationId, available, demand, inTransit, safetyStock });
/** Every lane saves 4 a unit and costs 10 a transfer. */
const flat: Economics = () => ({ unitSaving: 4, daysSaved: 3, transferCost: 10, transitDays: 2 });

describe('deficit and surplus', () => {
  it('a deficit is the demand over the horizon, rounded up, beyond what it holds and has coming', () => {
    expect(deficitOf(at('B', 3, 10.2))).toBe(8);
    expect(deficitOf(at('B', 3, 10.2, 5))).toBe(3);
    expect(deficitOf(at('B', 11, 10.2))).toBe(0);
    expect(deficitOf(at('B', 11, 11))).toBe(0);
  });

  it('a surplus is what it holds now beyond the horizon\'s demand and its safety stock, never more than it holds', () => {
    expect(surplusOf(at('A', 50, 10, 0, 4))).toBe(36);
    expect(surplusOf(at('A', 50, 10, 0, -3))).toBe(40);
    expect(surplusOf(at('A', 5, 10, 100))).toBe(5);
    expect(surplusOf(at('A', 10, 10.5))).toBe(0);
  });
});

describe('suggestRebalancing', () => {
  it('moves the surplus to the deficit when the saving beats the transfer cost', () => {
    const [suggestion, ...rest] = suggestRebalancing([{ sku: 'TEE', weightLb: 1, origin: '2026-12-02', locations: [at('A', 50, 10), at('B', 2, 12)] }], flat);
    expect(rest).toEqual([]);
    expect(suggestion).toMatchObject({ sku: 'TEE', fromLocationId: 'A', toLocationId: 'B', quantity: 10, expectedSaving: 40, transferCost: 10, netSaving: 30, daysSavedPerOrder: 3 });
    expect(suggestion!.suggestionId).toBe(suggestionIdOf('2026-12-02', 'TEE', 'A', 'B'));
  });

  it('suggests nothing when the transfer costs more than it saves, or no service connects the two', () => {
    const sku: RebalanceSku = { sku: 'TEE', weightLb: 1, origin: 'o', locations: [at('A', 50, 10), at('B', 2, 4)] };
    expect(suggestRebalancing([sku], flat)).toEqual([]); // 2 units x 4 = 8 < 10
    expect(suggestRebalancing([{ ...sku, locations: [at('A', 50, 10), at('B', 2, 12)] }], () => undefined)).toEqual([]);
  });

  it('gives the best lane first and never more than one origin\'s surplus across destinations', () => {
    const economics: Economics = (from, to) => ({ unitSaving: to === 'FAR' ? 9 : 3, daysSaved: 1, transferCost: 5, transitDays: 1 });
    const suggestions = suggestRebalancing([{ sku: 'TEE', weightLb: 1, origin: 'o', locations: [at('A', 30, 10), at('NEAR', 0, 15), at('FAR', 0, 15)] }], economics);
    expect(suggestions.map((s) => [s.toLocationId, s.quantity])).toEqual([['FAR', 15], ['NEAR', 5]]);
  });

  it('property: never moves more than a location\'s surplus nor into more than its deficit, never to a location without a deficit, always with a positive net saving', () => {
    const location = (id: string) =>
      fc.record({ locationId: fc.constant(id), available: fc.integer({ min: -5, max: 200 }), inTransit: fc.integer({ min: 0, max: 50 }), demand: fc.double({ min: 0, max: 200, noNaN: true }), safetyStock: fc.double({ min: -5, max: 30, noNaN: true }) });
    const economics = fc.func(fc.option(fc.record({ unitSaving: fc.double({ min: -5, max: 20, noNaN: true }), daysSaved: fc.integer({ min: -2, max: 5 }), transferCost: fc.double({ min: 0, max: 500, noNaN: true }), transitDays: fc.integer({ min: 1, max: 6 }) }), { nil: undefined }));
    fc.assert(
      fc.property(fc.tuple(location('A'), location('B'), location('C'), location('D')), fc.double({ min: 0.1, max: 40, noNaN: true }), economics, (locations, weightLb, lane) => {
        const sku = { sku: 'S', weightLb, origin: 'o', locations: [...locations] };
        const suggestions = suggestRebalancing([sku], (f, t, w, u) => lane(f, t, w, u));
        for (const l of locations) {
          const out = suggestions.filter((s) => s.fromLocationId === l.locationId).reduce((n, s) => n + s.quantity, 0);
          const into = suggestions.filter((s) => s.toLocationId === l.locationId).reduce((n, s) => n + s.quantity, 0);
          expect(out).toBeLessThanOrEqual(surplusOf(l));
          expect(into).toBeLessThanOrEqual(deficitOf(l));
          if (into > 0) expect(deficitOf(l)).toBeGreaterThan(0);
          if (into > 0) expect(out).toBe(0);
        }
        for (const s of suggestions) {
          expect(s.quantity).toBeGreaterThan(0);
          expect(Number.isInteger(s.quantity)).toBe(true);
          expect(s.fromLocationId).not.toBe(s.toLocationId);
          expect(s.netSaving).toBeGreaterThan(0);
        }
      }),
    );
  });
});

describe('rateTableEconomics (the routing cost model, cheapest service)', () => {
  const shipDate = new Date('2026-12-03T15:00:00Z');
  const locations = [
    { locationId: 'NJ', type: 'warehouse' as const, geo: { lat: 40.73, lon: -74.17 } },
    { locationId: 'LA', type: 'warehouse' as const, geo: { lat: 34.05, lon: -118.24 } },
    { locationId: 'NYC', type: 'store' as const, geo: { lat: 40.75, lon: -73.99 } },
  ];
  const economics = rateTableEconomics(DEFAULT_RATE_TABLE, locations, shipDate);

  it('a coast-to-coast parcel costs more and takes longer than a local one, so moving stock saves per unit', () => {
    const lane = economics('LA', 'NYC', 1, 20)!;
    expect(lane.unitSaving).toBeGreaterThan(0);
    expect(lane.daysSaved).toBeGreaterThan(0);
    expect(lane.transferCost).toBeGreaterThan(0);
    expect(lane.transitDays).toBeGreaterThan(0);
  });

  it('a transfer in cartons costs less per unit than the units\' parcels would', () => {
    const lane = economics('LA', 'NYC', 1, 40)!;
    const perParcelFar = lane.unitSaving; // far parcel minus near parcel: a lower bound of the far parcel
    expect(lane.transferCost / 40).toBeLessThan(perParcelFar + 10);
    // 40 lb is one carton, 120 lb three
    expect(economics('LA', 'NYC', 3, 40)!.transferCost).toBeGreaterThan(lane.transferCost);
  });

  it('next door saves little: a nearby lane is worth less per unit than a far one', () => {
    expect(economics('NJ', 'NYC', 1, 20)!.unitSaving).toBeLessThan(economics('LA', 'NYC', 1, 20)!.unitSaving);
  });
});
