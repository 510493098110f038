// The t-shirt story: a New York customer orders two t-shirts. The Brooklyn warehouse is closest but
// has one; the Olean (NY) warehouse has both; a nearby Manhattan store has both.
import { describe, expect, it } from 'vitest';
import type { CandidateLocation } from './apply-rules.ts';
import { routeOrder, type RouteRequest } from './route-order.ts';
import { parseRoutingRules, type RoutingRulesInput } from './rules.ts';

const brooklyn: CandidateLocation = {
  id: 'WH-BROOKLYN', type: 'warehouse', capabilities: [], active: true,
  stock: { 'TSHIRT-M': 1 }, shipmentCost: 6.2, unitCostPerLb: 0.3, promisedDays: 1,
};
const olean: CandidateLocation = {
  id: 'WH-OLEAN', type: 'warehouse', capabilities: [], active: true,
  stock: { 'TSHIRT-M': 40 }, shipmentCost: 8.9, unitCostPerLb: 0.55, promisedDays: 3,
};
const store: CandidateLocation = {
  id: 'ST-MANHATTAN', type: 'store', capabilities: ['ship-from-store'], active: true,
  stock: { 'TSHIRT-M': 2 }, shipmentCost: 7.5, unitCostPerLb: 0.3, promisedDays: 1,
};

function rules(ruleSet: Record<string, unknown>): RoutingRulesInput {
  return { schemaVersion: 1, tenantId: 'acme', version: 7, ruleSets: [{ id: 'default', ...ruleSet }] };
}

function order(ruleSet: Record<string, unknown>, locations = [brooklyn, olean, store]): RouteRequest {
  return {
    orderId: 'NY-1001',
    channel: 'web',
    destination: { region: 'US-NY', postalCode: '10001' },
    lines: [{ lineId: '1', sku: 'TSHIRT-M', quantity: 2, weightLb: 0.4 }],
    locations,
    rules: parseRoutingRules(rules(ruleSet)),
  };
}

const shipsFrom = (d: ReturnType<typeof routeOrder>) => d.parcels.map((p) => `${p.locationId}:${p.lines[0]!.quantity}`);

describe('the t-shirt story', () => {
  it('allow: ships both shirts from the nearby store, because a Brooklyn split would cost a second parcel', () => {
    const d = routeOrder(order({ split: { policy: 'allow' } }));
    expect(shipsFrom(d)).toEqual(['ST-MANHATTAN:2']);
    expect(d.cost.total).toBeCloseTo(7.74, 6);
    expect(d.optimal).toBe(true);
    // The explanation names the next best plan and what it would cost on top.
    expect(d.explanation.runnerUp).toMatchObject({ locationIds: ['WH-OLEAN'], extraCost: 1.6 });
  });

  it('minimize: one parcel, the cheapest single location', () => {
    const d = routeOrder(order({ split: { policy: 'minimize' } }));
    expect(shipsFrom(d)).toEqual(['ST-MANHATTAN:2']);
    expect(d.parcels).toHaveLength(1);
  });

  it('single: only locations holding the whole order compete, so closest-but-short Brooklyn never ships', () => {
    const d = routeOrder(order({ split: { policy: 'single' } }));
    expect(shipsFrom(d)).toEqual(['ST-MANHATTAN:2']);
    expect(d.explanation.runnerUp?.locationIds).toEqual(['WH-OLEAN']);
  });

  it('ship-from-store disabled: Olean ships both rather than splitting with Brooklyn', () => {
    const d = routeOrder(order({ filters: { locationTypes: ['warehouse', 'dropship'] } }));
    expect(shipsFrom(d)).toEqual(['WH-OLEAN:2']);
    expect(d.cost.total).toBeCloseTo(9.34, 6);
    expect(d.explanation.excluded).toEqual([{ reason: 'type store not allowed', locationIds: ['ST-MANHATTAN'] }]);
    // Splitting Brooklyn + Olean is the runner-up and costs a whole extra parcel.
    expect(d.explanation.runnerUp).toMatchObject({ locationIds: ['WH-BROOKLYN', 'WH-OLEAN'], extraCost: 6.1 });
  });

  it('ship-from-store disabled by capability: a store without "ship-from-store" is excluded with that reason', () => {
    const d = routeOrder(
      order({ filters: { requiredCapabilitiesByType: { store: ['ship-from-store'] } } }, [brooklyn, olean, { ...store, capabilities: [] }]),
    );
    expect(shipsFrom(d)).toEqual(['WH-OLEAN:2']);
    expect(d.explanation.excluded[0]!.reason).toBe('lacks capability ship-from-store');
  });

  it('when only a split can ship both, allow splits and single waits', () => {
    const thinOlean = { ...olean, stock: { 'TSHIRT-M': 1 } };
    const allow = routeOrder(order({ filters: { locationTypes: ['warehouse'] } }, [brooklyn, thinOlean, store]));
    expect(shipsFrom(allow)).toEqual(['WH-BROOKLYN:1', 'WH-OLEAN:1']);
    const single = routeOrder(order({ filters: { locationTypes: ['warehouse'] }, split: { policy: 'single' } }, [brooklyn, thinOlean, store]));
    expect(single.status).toBe('hold');
    expect(single.allocations).toEqual([]);
  });
});
