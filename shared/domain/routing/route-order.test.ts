import { describe, expect, it } from 'vitest';
import type { CandidateLocation, OrderLine } from './apply-rules.ts';
import { routeOrder, type RouteRequest } from './route-order.ts';
import { parseRoutingRules } from './rules.ts';

const loc = (id: string, over: Partial<CandidateLocation> = {}): CandidateLocation => ({
  id, type: 'warehouse', capabilities: [], active: true, stock: { A: 5, B: 5 }, shipmentCost: 10, unitCostPerLb: 1, ...over,
});
const lines: OrderLine[] = [{ lineId: '1', sku: 'A', quantity: 2, weightLb: 1 }];

function request(ruleSet: Record<string, unknown>, locations: CandidateLocation[], over: Partial<RouteRequest> = {}): RouteRequest {
  return {
    orderId: 'o-1', channel: 'web', destination: { region: 'US-NY' }, lines, locations,
    rules: parseRoutingRules({ schemaVersion: 1, tenantId: 't', version: 2, ruleSets: [{ id: 'default', ...ruleSet }] }),
    ...over,
  };
}

describe('routeOrder', () => {
  it('excludes locations by each filter and says which filter excluded them', () => {
    const d = routeOrder(
      request({ filters: { excludedLocations: ['X'] } }, [
        loc('OFF', { active: false }),
        loc('POS', { channels: ['pos'] }),
        loc('WEST', { regions: ['US-CA'] }),
        loc('X'),
        loc('FULL', { capacityLeft: 0 }),
        loc('EMPTY', { stock: {} }),
        loc('OK'),
      ]),
    );
    expect(d.parcels.map((p) => p.locationId)).toEqual(['OK']);
    expect(d.explanation.excluded).toEqual([
      { reason: 'inactive', locationIds: ['OFF'] },
      { reason: 'does not serve channel web', locationIds: ['POS'] },
      { reason: 'does not serve region US-NY', locationIds: ['WEST'] },
      { reason: 'excluded by merchant', locationIds: ['X'] },
      { reason: 'no daily capacity left', locationIds: ['FULL'] },
      { reason: 'no stock for this order', locationIds: ['EMPTY'] },
    ]);
    expect(d.explanation.considered).toBe(7);
  });

  it('holds back stock for another channel, unless the customer is a VIP allowed to use it', () => {
    const rules = { holdBack: [{ forChannel: 'store-pickup', units: 4 }], vip: { useHeldBackStock: true } };
    const locations = [loc('NEAR', { stock: { A: 5 }, shipmentCost: 5 }), loc('FAR', { stock: { A: 5 }, shipmentCost: 12 })];
    // 5 - 4 leaves one unit at each location: the order must split.
    expect(routeOrder(request(rules, locations)).parcels).toHaveLength(2);
    const vip = routeOrder(request(rules, locations, { customer: { vip: true } }));
    expect(vip.parcels.map((p) => p.locationId)).toEqual(['NEAR']);
  });

  it('fastest trades money for promised days, cheapest does not', () => {
    const locations = [loc('SLOW', { shipmentCost: 8, promisedDays: 5 }), loc('QUICK', { shipmentCost: 10, promisedDays: 1 })];
    expect(routeOrder(request({}, locations, { customer: { preference: 'cheapest' } })).parcels[0]!.locationId).toBe('SLOW');
    const fast = routeOrder(request({}, locations, { customer: { preference: 'fastest' } }));
    expect(fast.parcels[0]!.locationId).toBe('QUICK');
    // Money is reported separately from the objective the preference shaped.
    expect(fast.cost.total).toBe(12);
    expect(fast.cost.objective).toBe(16);
  });

  it('greenest prefers the lower-CO2 parcel', () => {
    const locations = [loc('DIRTY', { shipmentCost: 9, co2KgPerParcel: 3 }), loc('CLEAN', { shipmentCost: 10, co2KgPerParcel: 0.5 })];
    expect(routeOrder(request({}, locations, { customer: { preference: 'greenest' } })).parcels[0]!.locationId).toBe('CLEAN');
  });

  it('ranked locations win unless the cost difference exceeds the rank penalty', () => {
    const locations = [loc('CHEAP', { shipmentCost: 10 }), loc('PREFERRED', { shipmentCost: 11 })];
    const ranked = (penaltyPerRank: number) => ({ rankedLocations: { order: ['PREFERRED', 'CHEAP'], penaltyPerRank } });
    expect(routeOrder(request(ranked(2), locations)).parcels[0]!.locationId).toBe('PREFERRED');
    expect(routeOrder(request(ranked(0.5), locations)).parcels[0]!.locationId).toBe('CHEAP');
  });

  it('minimize ships in fewer parcels even when a split would be cheaper', () => {
    const heavy: OrderLine[] = [{ lineId: '1', sku: 'A', quantity: 1, weightLb: 20 }, { lineId: '2', sku: 'B', quantity: 1, weightLb: 1 }];
    const locations = [loc('BOTH', { unitCostPerLb: 2 }), loc('CHEAP-A', { stock: { A: 1 }, unitCostPerLb: 0.5 })];
    const allow = routeOrder(request({}, locations, { lines: heavy }));
    expect(allow.parcels.map((p) => p.locationId).sort()).toEqual(['BOTH', 'CHEAP-A']);
    const minimize = routeOrder(request({ split: { policy: 'minimize' } }, locations, { lines: heavy }));
    expect(minimize.parcels.map((p) => p.locationId)).toEqual(['BOTH']);
    expect(minimize.cost.total).toBe(52);
  });

  it('caps parcels and holds the order when the cap cannot be met', () => {
    const locations = [loc('L1', { stock: { A: 1 } }), loc('L2', { stock: { A: 1 } })];
    const d = routeOrder(request({ split: { policy: 'allow', maxParcels: 1 } }, locations));
    expect(d.status).toBe('hold');
    expect(d.holdReason).toMatch(/1 parcel/);
  });

  it('a VIP rule can lift the split policy', () => {
    const locations = [loc('L1', { stock: { A: 1 } }), loc('L2', { stock: { A: 1 } })];
    const rules = { split: { policy: 'single' }, vip: { split: { policy: 'allow' } } };
    expect(routeOrder(request(rules, locations)).status).toBe('hold');
    expect(routeOrder(request(rules, locations, { customer: { vip: true } })).status).toBe('routed');
  });

  it('reports lines that no eligible stock can fill as partial', () => {
    const d = routeOrder(request({}, [loc('L1', { stock: { A: 1 } })]));
    expect(d.status).toBe('partial');
    expect(d.unfilled).toEqual([{ lineId: '1', sku: 'A', quantity: 1 }]);
  });

  it('splits a sku ordered on two lines back onto its lines', () => {
    const two: OrderLine[] = [{ lineId: 'a', sku: 'A', quantity: 1, weightLb: 1 }, { lineId: 'b', sku: 'A', quantity: 2, weightLb: 1 }];
    const d = routeOrder(request({}, [loc('L1')], { lines: two }));
    expect(d.allocations).toEqual([
      { lineId: 'a', sku: 'A', locationId: 'L1', quantity: 1 },
      { lineId: 'b', sku: 'A', locationId: 'L1', quantity: 2 },
    ]);
  });

  it('explains the decision in readable lines with the cost breakdown and the runner-up', () => {
    const d = routeOrder(request({}, [loc('L1'), loc('L2', { shipmentCost: 11 })]));
    expect(d.explanation.text).toEqual([
      'rule set default@v2: preference cheapest (built-in), split allow (built-in)',
      'considered 2 location(s), 2 eligible',
      'ship from L1 (warehouse): A x2; parcel 10.00 + weight 2.00 = 12.00',
      'total 12.00, 1 parcel(s), proven optimal',
      'runner-up: L2 = 13.00 (+1.00 money, +1.00 objective)',
    ]);
  });
});

describe('routeOrder with scopes and defaults', () => {
  const rulesOf = (ruleSets: Record<string, unknown>[]) => parseRoutingRules({ schemaVersion: 1, tenantId: 't', version: 4, ruleSets });
  const base = (over: Partial<RouteRequest>): RouteRequest => ({ orderId: 'o-1', channel: 'web', destination: {}, lines, locations: [loc('L1')], rules: rulesOf([{ id: 'default' }]), ...over });

  it('selects the rule set by the destination regions and the categories of the lines', () => {
    const rules = rulesOf([{ id: 'east', scope: { regions: ['northeast'] } }, { id: 'fragile', scope: { categories: ['glass'] } }, { id: 'default' }]);
    expect(routeOrder(base({ rules, destination: { regions: ['US', 'US-NY', 'northeast'] } })).ruleSet.id).toBe('east');
    expect(routeOrder(base({ rules, destination: { regions: ['US', 'US-CA'] }, lines: [{ ...lines[0]!, category: 'Glass' }] })).ruleSet.id).toBe('fragile');
    expect(routeOrder(base({ rules, destination: { regions: ['US', 'US-CA'] } })).ruleSet.id).toBe('default');
  });

  it('selects a rolled-out rule set for the orders whose id hashes below the share, the same way every time', () => {
    const rules = rulesOf([{ id: 'pilot', scope: { rollout: 50 } }, { id: 'default' }]);
    const chosen = Array.from({ length: 200 }, (_, i) => routeOrder(base({ rules, orderId: `o_${i}` })).ruleSet.id);
    expect(chosen.filter((id) => id === 'pilot').length).toBeGreaterThan(70);
    expect(chosen.filter((id) => id === 'pilot').length).toBeLessThan(130);
    expect(Array.from({ length: 200 }, (_, i) => routeOrder(base({ rules, orderId: `o_${i}` })).ruleSet.id)).toEqual(chosen);
  });

  it("routes with the order's preference, else the rule set's, else the tenant's, and says which", () => {
    const rules = rulesOf([{ id: 'web', scope: { channels: ['web'] }, preferences: { default: 'fastest' } }, { id: 'default' }]);
    const tenant = { defaults: { preference: 'greenest', splitPolicy: 'minimize' } as const };
    const own = routeOrder(base({ rules, customer: { preference: 'cheapest' }, ...tenant })).explanation;
    expect([own.preference, own.preferenceFrom]).toEqual(['cheapest', 'order']);
    const ruleSet = routeOrder(base({ rules, ...tenant })).explanation;
    expect([ruleSet.preference, ruleSet.preferenceFrom, ruleSet.split.policy, ruleSet.splitFrom]).toEqual(['fastest', 'rule set', 'minimize', 'tenant']);
    const fromTenant = routeOrder(base({ rules, channel: 'pos', ...tenant })).explanation;
    expect([fromTenant.preference, fromTenant.preferenceFrom]).toEqual(['greenest', 'tenant']);
    expect(fromTenant.text[0]).toBe('rule set default@v4: preference greenest (tenant), split minimize (tenant)');
    const own2 = routeOrder(base({ rules, splitPolicy: 'single', ...tenant })).explanation;
    expect([own2.split.policy, own2.splitFrom]).toEqual(['single', 'order']);
  });

  it("applies the split policy the defaults give: the tenant's minimize ships from one location that has everything", () => {
    const two: OrderLine[] = [{ lineId: '1', sku: 'A', quantity: 1, weightLb: 1 }, { lineId: '2', sku: 'B', quantity: 1, weightLb: 1 }];
    const locations = [loc('CHEAP-A', { stock: { A: 5 }, shipmentCost: 1 }), loc('CHEAP-B', { stock: { B: 5 }, shipmentCost: 1 }), loc('BOTH', { shipmentCost: 5 })];
    const allow = routeOrder(base({ lines: two, locations }));
    const minimize = routeOrder(base({ lines: two, locations, defaults: { preference: 'cheapest', splitPolicy: 'minimize' } }));
    expect(allow.parcels.map((p) => p.locationId).sort()).toEqual(['CHEAP-A', 'CHEAP-B']);
    expect(minimize.parcels.map((p) => p.locationId)).toEqual(['BOTH']);
  });

  it('keeps to locations in the regions a rule set names, and says why the others were left out', () => {
    const rules = rulesOf([{ id: 'default', filters: { locationRegions: ['US-NY'] } }]);
    const d = routeOrder(base({ rules, locations: [loc('NJ', { inRegions: ['US', 'US-NJ'], shipmentCost: 1 }), loc('NY', { inRegions: ['US', 'US-NY'] }), loc('UNKNOWN')] }));
    expect(d.parcels.map((p) => p.locationId)).toEqual(['NY']);
    expect(d.explanation.excluded).toEqual([{ reason: 'not in region US-NY', locationIds: ['NJ', 'UNKNOWN'] }]);
  });
});
