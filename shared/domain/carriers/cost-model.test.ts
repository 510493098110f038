import { describe, expect, it } from 'vitest';
import { chooseService, PREFERENCES } from './choose-service.ts';
import { costModelFor, type CostModelInput, type CostModelLocation } from './cost-model.ts';
import { DEFAULT_RATE_TABLE } from './rate-table.ts';
import { rateAllServices } from './rating.ts';
import { at, ORIGIN, testTable } from './test-fixtures.ts';

const NYC = { lat: 40.7128, lon: -74.006 };
const LOCATIONS: CostModelLocation[] = [
  { id: 'brooklyn-store', type: 'store', lat: 40.6782, lon: -73.9442, timeZone: 'America/New_York' },
  { id: 'philly-3pl', type: '3pl', lat: 39.9526, lon: -75.1652, timeZone: 'America/New_York' },
  { id: 'chicago-dc', type: 'warehouse', lat: 41.8781, lon: -87.6298 },
  { id: 'dallas-dc', type: 'warehouse', lat: 32.7767, lon: -96.797 },
  { id: 'reno-dropship', type: 'dropship', lat: 39.5296, lon: -119.8138, timeZone: 'America/Los_Angeles' },
];
// Wednesday 10:00 in New York.
const SHIP = new Date('2026-03-04T15:00:00Z');
const base = (over: Partial<CostModelInput> = {}): CostModelInput => ({
  table: DEFAULT_RATE_TABLE,
  preference: 'cheapest',
  destination: NYC,
  shipDate: SHIP,
  locations: LOCATIONS,
  typicalWeightLb: 3.4,
  ...over,
});

const quotesFrom = (loc: CostModelLocation, weightLb: number, table = DEFAULT_RATE_TABLE) =>
  rateAllServices(table, { originLatLon: loc, destLatLon: NYC, weightLb, shipDate: SHIP, ...(loc.timeZone ? { originTimeZone: loc.timeZone } : {}) });

describe('cost model for the routing engine', () => {
  it('picks, per location, the service the preference would pick from full quotes', () => {
    for (const preference of PREFERENCES) {
      const model = costModelFor(base({ preference }));
      for (const loc of LOCATIONS) {
        const choice = chooseService(quotesFrom(loc, 3.4), { preference });
        expect(model.get(loc.id)?.serviceCode, `${preference} from ${loc.id}`).toBe(choice.ok ? choice.quote.serviceCode : undefined);
      }
    }
  });

  it('equals handling plus the exact carrier price at the typical weight', () => {
    const model = costModelFor(base({ preference: 'fastest' }));
    for (const loc of LOCATIONS) {
      const m = model.get(loc.id)!;
      const exact = quotesFrom(loc, 3.4).find((q) => q.serviceCode === m.serviceCode)!;
      const handling = DEFAULT_RATE_TABLE.handlingCost.byType[loc.type];
      expect(m.shipmentCost + m.unitCostPerLb * 3.4 - handling, loc.id).toBeCloseTo(exact.cost, 2);
    }
  });

  it('reports CO2 per lb that reproduces the quote at the typical weight', () => {
    const m = costModelFor(base({ preference: 'greenest' })).get('dallas-dc')!;
    const exact = quotesFrom(LOCATIONS[3]!, 3.4).find((q) => q.serviceCode === m.serviceCode)!;
    expect(m.co2KgPerParcel).toBe(0);
    expect(m.co2KgPerLb * 3.4 * 1000).toBeCloseTo(exact.co2Grams, 0);
  });

  it('uses the per-lb rate of the band above the typical weight, fuel included, as the slope', () => {
    const table = testTable((t) => (t.carriers[0]!.fuelSurchargePct = 10));
    const loc: CostModelLocation = { id: 'a', type: 'dropship', ...ORIGIN };
    const below = costModelFor(base({ table, destination: at(300), locations: [loc], typicalWeightLb: 4 })).get('a')!;
    const above = costModelFor(base({ table, destination: at(300), locations: [loc], typicalWeightLb: 12 })).get('a')!;
    expect(below.unitCostPerLb).toBeCloseTo(1.1, 10);
    expect(above.unitCostPerLb).toBeCloseTo(0.55, 10);
    // 11 + 3 x 1 = 14 x 1.1 = 15.4 at 4 lb, so the fixed part is 15.4 - 4 x 1.1
    expect(below.shipmentCost).toBeCloseTo(11, 10);
  });

  it('falls back to a line through zero when the tangent would give a negative fixed cost', () => {
    const steep = testTable((t) => {
      const p = t.carriers[0]!.services[0]!.pricing;
      if (p.kind === 'per-lb') p.breaks = [{ aboveLb: 1, perLb: [20, 20, 20, 20, 20, 20, 20, 20] }];
    });
    const loc: CostModelLocation = { id: 'a', type: 'dropship', ...ORIGIN };
    // At 1 lb the price is the 11 base, but the next lb costs 20.
    const m = costModelFor(base({ table: steep, destination: at(300), locations: [loc], typicalWeightLb: 1 })).get('a')!;
    expect(m.shipmentCost).toBe(0);
    expect(m.unitCostPerLb).toBeCloseTo(11, 10);
  });

  it('takes handling from the location, else the table by location, else the table by type', () => {
    const table = testTable((t) => (t.handlingCost = { byLocation: { b: 0.4 } }));
    const locs: CostModelLocation[] = [
      { id: 'a', type: 'store', ...ORIGIN, handlingCost: 9 },
      { id: 'b', type: 'store', ...ORIGIN },
      { id: 'c', type: 'store', ...ORIGIN },
    ];
    const m = costModelFor(base({ table, destination: at(300), locations: locs, typicalWeightLb: 1 }));
    // ACME_GROUND zone 2 at 1 lb: 11, no fuel; the slope of 1/lb is taken back out of the fixed part.
    expect(m.get('a')!.shipmentCost).toBeCloseTo(9 + 10, 10);
    expect(m.get('b')!.shipmentCost).toBeCloseTo(0.4 + 10, 10);
    expect(m.get('c')!.shipmentCost).toBeCloseTo(3.5 + 10, 10);
  });

  it('counts promised days in calendar days, weekends included', () => {
    const table = testTable();
    const loc: CostModelLocation = { id: 'a', type: 'warehouse', ...ORIGIN };
    // Friday after the cut-off: ground leaves Monday and, two zone-2 transit days later, arrives Wednesday.
    const m = costModelFor(base({ table, destination: at(150), locations: [loc], shipDate: new Date('2026-03-06T18:00:00Z') }));
    expect(m.get('a')).toMatchObject({ serviceCode: 'ACME_GROUND', promisedDays: 2 + 3 });
  });

  it('leaves out locations that no service can serve by the promise date', () => {
    const model = costModelFor(base({ preference: 'cheapest', promiseBy: '2026-03-05' }));
    expect([...model.keys()].sort()).toEqual(LOCATIONS.map((l) => l.id).sort());
    expect(costModelFor(base({ promiseBy: '2026-03-04' })).has('dallas-dc')).toBe(false);
    expect(costModelFor(base({ promiseBy: '2026-03-04' })).get('brooklyn-store')?.serviceCode).toBe('METRO_COURIER_SAME_DAY');
  });

  it('gives the same answer whatever the order of the locations', () => {
    const forward = costModelFor(base({ preference: 'balanced' }));
    const backward = costModelFor(base({ preference: 'balanced', locations: [...LOCATIONS].reverse() }));
    for (const loc of LOCATIONS) expect(backward.get(loc.id)).toEqual(forward.get(loc.id));
  });

  it('refuses a typical weight that is not positive', () => {
    expect(() => costModelFor(base({ typicalWeightLb: 0 }))).toThrow(RangeError);
  });
});
