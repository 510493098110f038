import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CandidateLocation, OrderLine } from './apply-rules.ts';
import { AMPLE_RISK, forecastDailyDemand, orderShadowPrices, poissonTail, recentDailyDemand, shadowPrice } from './look-ahead.ts';
import { routeOrder, type RouteRequest } from './route-order.ts';
import { parseRoutingRules } from './rules.ts';

describe('poissonTail', () => {
  it('gives the textbook values', () => {
    // P(N >= 3), mean 2: 1 - e^-2 (1 + 2 + 2)
    expect(poissonTail(2, 3)).toBeCloseTo(1 - 5 * Math.exp(-2), 12);
    expect(poissonTail(0.5, 1)).toBeCloseTo(1 - Math.exp(-0.5), 12);
    expect(poissonTail(3, 0)).toBe(1);
    expect(poissonTail(0, 1)).toBe(0);
  });

  it('stays accurate for large means, where e^-mean underflows', () => {
    // Mean 2000: the median is ~2000 and the 3-sigma point ~2134 (normal approximation).
    expect(poissonTail(2000, 2000)).toBeGreaterThan(0.49);
    expect(poissonTail(2000, 2000)).toBeLessThan(0.51);
    expect(poissonTail(2000, 2135)).toBeLessThan(0.0015);
    expect(poissonTail(2000, 2135)).toBeGreaterThan(0.001);
    expect(poissonTail(2000, 1_000_000)).toBe(0);
  });
});

describe('shadowPrice', () => {
  it('is the premium times the chance that local demand reaches the unit', () => {
    // 2 on hand, 3 expected: taking one leaves 1, and a later order misses when N >= 2.
    expect(shadowPrice({ onHand: 2, expectedDemand: 3, unitPremium: 5 })).toBeCloseTo(5 * poissonTail(3, 2), 12);
    // Two units: the average of the risks at 2 and at 1.
    expect(shadowPrice({ onHand: 2, expectedDemand: 3, unitPremium: 5, units: 2 })).toBeCloseTo((5 * (poissonTail(3, 2) + poissonTail(3, 1))) / 2, 12);
  });

  it('is zero without expected demand, without premium, and when stock is ample', () => {
    expect(shadowPrice({ onHand: 1, expectedDemand: 0, unitPremium: 5 })).toBe(0);
    expect(shadowPrice({ onHand: 1, expectedDemand: 9, unitPremium: 0 })).toBe(0);
    expect(shadowPrice({ onHand: 40, expectedDemand: 10, unitPremium: 5 })).toBe(0);
    expect(shadowPrice({ onHand: 1_000_000, expectedDemand: 2, unitPremium: 5 })).toBe(0);
  });

  it('is a number for any input: NaN counts as nothing known, unbounded demand as certain', () => {
    expect(shadowPrice({ onHand: Number.NaN, expectedDemand: 3, unitPremium: 5 })).toBe(0);
    expect(shadowPrice({ onHand: 2, expectedDemand: Number.NaN, unitPremium: 5 })).toBe(0);
    expect(shadowPrice({ onHand: 2, expectedDemand: 3, unitPremium: Number.NaN })).toBe(0);
    expect(shadowPrice({ onHand: 2, expectedDemand: -4, unitPremium: 5 })).toBe(0);
    expect(shadowPrice({ onHand: 2, expectedDemand: Infinity, unitPremium: 5 })).toBe(5);
    expect(shadowPrice({ onHand: 2, expectedDemand: 3, unitPremium: 5, units: Number.NaN })).toBeCloseTo(5 * poissonTail(3, 2), 12);
  });

  it('counts the units of the order only as far as the stock goes', () => {
    expect(shadowPrice({ onHand: 1, expectedDemand: 3, unitPremium: 5, units: 4 })).toBeCloseTo(5 * poissonTail(3, 1), 12);
  });

  const input = fc.record({
    onHand: fc.integer({ min: 1, max: 400 }),
    expectedDemand: fc.double({ min: 0, max: 300, noNaN: true }),
    unitPremium: fc.double({ min: 0, max: 50, noNaN: true }),
    units: fc.integer({ min: 1, max: 6 }),
  });

  it('never exceeds the premium and is never negative (property)', () => {
    fc.assert(fc.property(input, (i) => {
      const p = shadowPrice(i);
      return p >= 0 && p <= i.unitPremium + 1e-9;
    }), { numRuns: 500 });
  });

  it('is monotone in scarcity: fewer units on hand never make a unit cheaper (property)', () => {
    fc.assert(fc.property(input, fc.integer({ min: 1, max: 50 }), (i, fewer) => {
      const less = { ...i, onHand: Math.max(1, i.onHand - fewer) };
      return shadowPrice(less) >= shadowPrice(i) - 1e-9;
    }), { numRuns: 500 });
  });

  it('is monotone in demand: more expected demand never makes a unit cheaper (property)', () => {
    fc.assert(fc.property(input, fc.double({ min: 0, max: 50, noNaN: true }), (i, more) => {
      return shadowPrice({ ...i, expectedDemand: i.expectedDemand + more }) >= shadowPrice(i) - 1e-9;
    }), { numRuns: 500 });
  });

  it('is zero whenever stock covers the horizon with a wide margin (property)', () => {
    fc.assert(fc.property(input, (i) => {
      // Beyond mean + 5 sd + units + 5, the chance that demand reaches the last unit taken is far below AMPLE_RISK.
      const ample = Math.ceil(i.expectedDemand + 5 * Math.sqrt(i.expectedDemand) + i.units + 5);
      return shadowPrice({ ...i, onHand: ample }) === 0;
    }), { numRuns: 500 });
  });

  it('is positive as soon as the last unit taken is at risk (property)', () => {
    fc.assert(fc.property(input, (i) => {
      const risk = poissonTail(i.expectedDemand, i.onHand);
      if (risk < AMPLE_RISK || i.unitPremium < 1e-9) return true; // a premium of 1e-320 times a risk underflows to 0
      return shadowPrice({ ...i, units: 1 }) > 0;
    }), { numRuns: 500 });
  });
});

describe('expected demand', () => {
  it('takes the mean over the days before today, counting days without demand as 0', () => {
    const days = new Map([['2026-12-02', 6], ['2026-11-20', 8], ['2026-10-01', 100], ['2026-12-03', 50], ['2026-12-01', -2]]);
    expect(recentDailyDemand(days, '2026-12-03', 28)).toBeCloseTo(14 / 28, 12);
    expect(recentDailyDemand(days, '2026-12-03', 7)).toBeCloseTo(6 / 7, 12);
    expect(recentDailyDemand(new Map(), '2026-12-03')).toBe(0);
  });

  it('takes a forecast as the mean of its first days', () => {
    expect(forecastDailyDemand([1, 2, 3, 4], 2)).toBe(1.5);
    expect(forecastDailyDemand([1, 2, 3, 4])).toBe(2.5);
    expect(forecastDailyDemand([])).toBe(0);
  });

  it('prices only stock the order asks for at locations with expected demand', () => {
    const prices = orderShadowPrices(
      [{ id: 'ST', stock: { A: 1, B: 1 } }, { id: 'WH', stock: { A: 500 } }, { id: 'QUIET', stock: { A: 1 } }],
      new Map([['A', 1]]),
      { ST: { A: 0.5, B: 9 }, WH: { A: 20 } },
      { horizonDays: 7, unitPremium: 5 },
    );
    expect(prices.map((p) => [p.locationId, p.sku])).toEqual([['ST', 'A']]);
    expect(prices[0]!.expectedDemand).toBeCloseTo(3.5, 12);
  });
});

// The story of the brief: a store near the customer holds the last 2 units its own neighbourhood will ask for this
// week; a warehouse far away has plenty and ships the order for a little more.
const store = (over: Partial<CandidateLocation> = {}): CandidateLocation => ({
  id: 'ST-NEAR', type: 'store', capabilities: ['ship-from-store'], active: true, stock: { TEE: 2 }, shipmentCost: 9, unitCostPerLb: 0.5, ...over,
});
const warehouse = (over: Partial<CandidateLocation> = {}): CandidateLocation => ({
  id: 'WH-FAR', type: 'warehouse', capabilities: [], active: true, stock: { TEE: 400 }, shipmentCost: 10.5, unitCostPerLb: 1, ...over,
});
const tee: OrderLine[] = [{ lineId: '1', sku: 'TEE', quantity: 1, weightLb: 0.5 }];

function request(ruleSet: Record<string, unknown>, over: Partial<RouteRequest> = {}): RouteRequest {
  return {
    orderId: 'o-1', channel: 'web', destination: { region: 'US-NY' }, lines: tee, locations: [store(), warehouse()],
    rules: parseRoutingRules({ schemaVersion: 1, tenantId: 't', version: 3, ruleSets: [{ id: 'default', preferences: { default: 'cheapest' }, ...ruleSet }] }),
    expectedDemand: { 'ST-NEAR': { TEE: 0.6 }, 'WH-FAR': { TEE: 10 } },
    ...over,
  };
}

describe('routeOrder with look-ahead', () => {
  it('ships from the store without look-ahead, and from the warehouse with it, saying what the store units cost', () => {
    const plain = routeOrder(request({}));
    expect(plain.parcels.map((p) => p.locationId)).toEqual(['ST-NEAR']);
    expect(plain.explanation.lookAhead).toBeUndefined();

    const ahead = routeOrder(request({ lookAhead: { enabled: true } }));
    expect(ahead.parcels.map((p) => p.locationId)).toEqual(['WH-FAR']);
    expect(ahead.cost.total).toBeCloseTo(11, 9);
    expect(ahead.optimal).toBe(true);
    const la = ahead.explanation.lookAhead!;
    expect(la).toMatchObject({ horizonDays: 7, unitPremium: 5, applied: true, shadowCost: 0 });
    expect(la.prices).toHaveLength(1);
    expect(la.prices[0]).toMatchObject({ locationId: 'ST-NEAR', sku: 'TEE', onHand: 2 });
    expect(la.prices[0]!.price).toBeCloseTo(5 * poissonTail(4.2, 2), 3);
    expect(ahead.explanation.text.join('\n')).toContain('look-ahead over 7 day(s), premium 5.00/unit: shadow prices ST-NEAR TEE');
    // The runner-up is the store, dearer in objective by its shadow cost less the money it saves.
    expect(ahead.explanation.runnerUp?.locationIds).toEqual(['ST-NEAR']);
    expect(ahead.explanation.runnerUp!.extraCost).toBeCloseTo(-1.75, 9);
  });

  it('still ships from the store when its stock is ample for its own demand', () => {
    const d = routeOrder(request({ lookAhead: { enabled: true } }, { locations: [store({ stock: { TEE: 30 } }), warehouse()] }));
    expect(d.parcels.map((p) => p.locationId)).toEqual(['ST-NEAR']);
    expect(d.explanation.lookAhead).toMatchObject({ applied: true, prices: [], shadowCost: 0 });
    expect(d.explanation.text.join('\n')).toContain('stock ample, no shadow price');
  });

  it('takes the store units when the saving beats their shadow cost, and shows the shadow cost it added', () => {
    const d = routeOrder(request({ lookAhead: { enabled: true, unitPremium: 1 } }));
    expect(d.parcels.map((p) => p.locationId)).toEqual(['ST-NEAR']);
    const shadow = d.explanation.lookAhead!.shadowCost;
    expect(shadow).toBeGreaterThan(0);
    expect(d.parcels[0]!.shadowCost).toBe(shadow);
    expect(d.cost.objective).toBeCloseTo(d.cost.total + shadow, 3);
    expect(d.explanation.text.join('\n')).toContain(`look-ahead shadow cost ${shadow.toFixed(2)} in the objective`);
  });

  it('changes nothing when the rule set enables it but no expected demand is known, and says so', () => {
    const d = routeOrder(request({ lookAhead: { enabled: true } }, { expectedDemand: undefined }));
    expect(d.parcels.map((p) => p.locationId)).toEqual(['ST-NEAR']);
    expect(d.explanation.lookAhead).toMatchObject({ applied: false, shadowCost: 0 });
  });

  it('applies to single-parcel orders too', () => {
    const d = routeOrder(request({ lookAhead: { enabled: true }, split: { policy: 'single' } }));
    expect(d.parcels.map((p) => p.locationId)).toEqual(['WH-FAR']);
  });

  it('falls back to the plan without shadow prices when those need more parcels than allowed, and says so', () => {
    // Two SKUs, each scarce at one store: the shadow-priced plan takes both from the warehouses (2 parcels).
    const lines: OrderLine[] = [{ lineId: '1', sku: 'A', quantity: 1, weightLb: 1 }, { lineId: '2', sku: 'B', quantity: 1, weightLb: 1 }];
    const locations = [
      store({ id: 'ST', stock: { A: 1, B: 1 }, shipmentCost: 5 }),
      warehouse({ id: 'WA', stock: { A: 100 }, shipmentCost: 6 }),
      warehouse({ id: 'WB', stock: { B: 100 }, shipmentCost: 6 }),
    ];
    const expectedDemand = { ST: { A: 2, B: 2 } };
    const free = routeOrder(request({ lookAhead: { enabled: true, unitPremium: 50 } }, { lines, locations, expectedDemand }));
    expect(free.parcels.map((p) => p.locationId).sort()).toEqual(['WA', 'WB']);
    const capped = routeOrder(request({ lookAhead: { enabled: true, unitPremium: 50 }, split: { policy: 'allow', maxParcels: 1 } }, { lines, locations, expectedDemand }));
    expect(capped.parcels.map((p) => p.locationId)).toEqual(['ST']);
    expect(capped.explanation.text.join('\n')).toContain('look-ahead not applied');
  });

  it('finds the plan of least objective (money + shadow cost), as brute force does (property)', () => {
    const instance = fc.record({
      locations: fc.array(
        fc.record({
          shipmentCost: fc.integer({ min: 1, max: 20 }),
          unitCostPerLb: fc.integer({ min: 0, max: 6 }).map((x) => x / 2),
          a: fc.integer({ min: 0, max: 4 }),
          b: fc.integer({ min: 0, max: 4 }),
          rateA: fc.integer({ min: 0, max: 6 }).map((x) => x / 2),
          rateB: fc.integer({ min: 0, max: 6 }).map((x) => x / 2),
        }),
        { minLength: 1, maxLength: 5 },
      ),
      qa: fc.integer({ min: 1, max: 4 }),
      qb: fc.integer({ min: 0, max: 3 }),
      premium: fc.integer({ min: 0, max: 20 }),
    });
    fc.assert(fc.property(instance, ({ locations, qa, qb, premium }) => {
      const locs = locations.map((l, i): CandidateLocation => ({
        id: `L${i}`, type: 'warehouse', capabilities: [], active: true, stock: { A: l.a, B: l.b }, shipmentCost: l.shipmentCost, unitCostPerLb: l.unitCostPerLb,
      }));
      const lines: OrderLine[] = [{ lineId: '1', sku: 'A', quantity: qa, weightLb: 1 }, ...(qb ? [{ lineId: '2', sku: 'B', quantity: qb, weightLb: 2 }] : [])];
      const expectedDemand = Object.fromEntries(locations.map((l, i) => [`L${i}`, { A: l.rateA, B: l.rateB }]));
      const d = routeOrder(request({ lookAhead: { enabled: true, horizonDays: 1, unitPremium: premium } }, { lines, locations: locs, expectedDemand }));
      const prices = new Map(d.explanation.lookAhead!.prices.map((p) => [`${p.locationId}|${p.sku}`, p.price]));
      const best = bruteForce(locs, lines, (id, sku) => prices.get(`${id}|${sku}`) ?? 0);
      const filled = d.allocations.reduce((s, a) => s + a.quantity, 0);
      return filled === best.filled && Math.abs(d.cost.objective - best.objective) < 1e-3;
    }), { numRuns: 300 });
  });
});

// Every open set; for a fixed set each SKU fills from its cheapest units first (per unit: unit cost x weight + price).
function bruteForce(locs: CandidateLocation[], lines: OrderLine[], price: (id: string, sku: string) => number): { objective: number; filled: number } {
  let best = { objective: 0, filled: 0 };
  for (let mask = 1; mask < 1 << locs.length; mask++) {
    const open = locs.filter((_, i) => mask & (1 << i));
    let objective = 0;
    let filled = 0;
    const used = new Set<string>();
    for (const line of lines) {
      const offers = open
        .map((l) => ({ id: l.id, units: l.stock[line.sku] ?? 0, unit: l.unitCostPerLb * line.weightLb + price(l.id, line.sku) }))
        .sort((x, y) => x.unit - y.unit);
      let need = line.quantity;
      for (const o of offers) {
        const q = Math.min(need, o.units);
        if (q > 0) {
          objective += q * o.unit;
          used.add(o.id);
          need -= q;
          filled += q;
        }
      }
    }
    if (used.size !== open.length) continue;
    for (const l of open) objective += l.shipmentCost;
    if (filled > best.filled || (filled === best.filled && objective < best.objective)) best = { objective, filled };
  }
  return best;
}

describe('the lookAhead rule', () => {
  const parse = (lookAhead: unknown) => parseRoutingRules({ schemaVersion: 1, tenantId: 't', version: 1, ruleSets: [{ id: 'default', lookAhead }] });
  it('is off unless written, and fills its defaults when enabled', () => {
    expect(parseRoutingRules({ schemaVersion: 1, tenantId: 't', version: 1, ruleSets: [{ id: 'default' }] }).ruleSets[0]!.lookAhead).toBeUndefined();
    expect(parse({ enabled: true }).ruleSets[0]!.lookAhead).toEqual({ enabled: true, horizonDays: 7, unitPremium: 5 });
    expect(parse({ enabled: false, horizonDays: 90, unitPremium: 0 }).ruleSets[0]!.lookAhead).toEqual({ enabled: false, horizonDays: 90, unitPremium: 0 });
  });

  it('refuses bad values naming the field', () => {
    const issue = (lookAhead: unknown) => {
      try {
        parse(lookAhead);
        return undefined;
      } catch (e) {
        return (e as { issues: { path: (string | number)[] }[] }).issues[0]!.path.join('.');
      }
    };
    expect(issue({ enabled: true, horizonDays: 0 })).toBe('ruleSets.0.lookAhead.horizonDays');
    expect(issue({ enabled: true, horizonDays: 91 })).toBe('ruleSets.0.lookAhead.horizonDays');
    expect(issue({ enabled: true, horizonDays: 1.5 })).toBe('ruleSets.0.lookAhead.horizonDays');
    expect(issue({ enabled: true, unitPremium: -1 })).toBe('ruleSets.0.lookAhead.unitPremium');
    expect(issue({ horizonDays: 7 })).toBe('ruleSets.0.lookAhead.enabled');
    expect(issue({ enabled: true, extra: 1 })).toBe('ruleSets.0.lookAhead');
  });
});
