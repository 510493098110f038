import { describe, expect, it } from 'vitest';
import { solveRouting, type SolverLocation, type SolverProblem } from './solver.ts';
import { seededRandom } from '../seeded-random.ts';

function randomProblem(seed: number): SolverProblem {
  const r = seededRandom(seed); // seeded, so failures reproduce
  const m = 1 + Math.floor(r() * 4);
  const n = 1 + Math.floor(r() * 7);
  const lines = Array.from({ length: m }, (_, j) => ({
    sku: `S${j}`,
    quantity: 1 + Math.floor(r() * 4),
    weightLb: Math.round((0.3 + r() * 6) * 100) / 100,
  }));
  const locations: SolverLocation[] = Array.from({ length: n }, (_, i) => {
    const inventory: Record<string, number> = {};
    for (const l of lines) if (r() < 0.6) inventory[l.sku] = Math.floor(r() * 5);
    return {
      id: `L${i}`,
      // Few distinct values so ties and dominance are exercised.
      shipmentCost: [4, 8, 10, 12][Math.floor(r() * 4)]!,
      unitCost: [0.2, 0.5, 1, 1.5, 3][Math.floor(r() * 5)]!,
      inventory,
    };
  });
  return { lines, locations };
}

// Reference: every subset of locations, each filled line by line from its cheapest-per-lb members.
function bruteForce(p: SolverProblem, maxParcels = Infinity): number {
  return bruteForcePlans(p, maxParcels)[0]?.cost ?? Infinity;
}

// Cheapest cost per distinct set of shipping locations, cheapest first.
function bruteForcePlans(p: SolverProblem, maxParcels = Infinity): { key: string; cost: number }[] {
  const byKey = new Map<string, number>();
  const need = p.lines.map((l) =>
    Math.min(l.quantity, p.locations.reduce((s, loc) => s + (loc.inventory[l.sku] ?? 0), 0)),
  );
  const n = p.locations.length;
  for (let mask = 0; mask < 1 << n; mask++) {
    const set = p.locations.filter((_, i) => mask & (1 << i)).sort((a, b) => a.unitCost - b.unitCost);
    if (set.length > maxParcels) continue;
    const used = new Set<string>();
    let cost = 0;
    let ok = true;
    p.lines.forEach((l, j) => {
      let left = need[j]!;
      for (const loc of set) {
        const q = Math.min(left, loc.inventory[l.sku] ?? 0);
        if (q > 0) {
          left -= q;
          cost += q * loc.unitCost * l.weightLb;
          used.add(loc.id);
        }
      }
      if (left > 0) ok = false;
    });
    if (!ok) continue;
    for (const loc of set) if (used.has(loc.id)) cost += loc.shipmentCost;
    const key = [...used].sort().join(',');
    byKey.set(key, Math.min(byKey.get(key) ?? Infinity, cost));
  }
  return [...byKey].map(([key, cost]) => ({ key, cost })).sort((a, b) => a.cost - b.cost);
}

function planIsValid(p: SolverProblem, allocations: readonly { locationId: string; sku: string; quantity: number }[]) {
  const taken = new Map<string, number>();
  for (const a of allocations) {
    const key = `${a.locationId}|${a.sku}`;
    taken.set(key, (taken.get(key) ?? 0) + a.quantity);
    const loc = p.locations.find((l) => l.id === a.locationId)!;
    if (taken.get(key)! > (loc.inventory[a.sku] ?? 0)) return false;
  }
  return p.lines.every((l) => {
    const avail = p.locations.reduce((s, loc) => s + (loc.inventory[l.sku] ?? 0), 0);
    const got = allocations.filter((a) => a.sku === l.sku).reduce((s, a) => s + a.quantity, 0);
    return got === Math.min(l.quantity, avail);
  });
}

describe('solveRouting', () => {
  it('matches brute force on 600 small random instances', () => {
    for (let seed = 1; seed <= 600; seed++) {
      const p = randomProblem(seed);
      const result = solveRouting(p);
      const expected = bruteForce(p);
      expect(result.optimal, `seed ${seed}`).toBe(true);
      expect(planIsValid(p, result.allocations), `seed ${seed}`).toBe(true);
      if (expected === Infinity) expect(result.allocations).toEqual([]);
      else expect(result.cost, `seed ${seed}`).toBeCloseTo(expected, 9);
    }
  });

  it('matches brute force under a parcel limit', () => {
    for (let seed = 1000; seed < 1300; seed++) {
      const p = randomProblem(seed);
      const limit = 1 + (seed % 2);
      const result = solveRouting(p, { maxParcels: limit });
      const expected = bruteForce(p, limit);
      if (expected === Infinity) expect(result.found, `seed ${seed}`).toBe(false);
      else {
        expect(result.locationIds.length).toBeLessThanOrEqual(limit);
        expect(result.cost, `seed ${seed}`).toBeCloseTo(expected, 9);
      }
    }
  });

  it('finds the runner-up: the cheapest plan shipping from a different set of locations', () => {
    for (let seed = 2000; seed < 2300; seed++) {
      const p = randomProblem(seed);
      const result = solveRouting(p, { runnerUp: true });
      const plans = bruteForcePlans(p);
      expect(result.cost, `seed ${seed}`).toBeCloseTo(plans[0]?.cost ?? Infinity, 9);
      if (plans.length < 2) expect(result.runnerUp ?? null, `seed ${seed}`).toBeNull();
      else {
        expect(result.runnerUp?.cost, `seed ${seed}`).toBeCloseTo(plans[1]!.cost, 9);
        expect(planIsValid(p, result.runnerUp!.allocations), `seed ${seed}`).toBe(true);
      }
    }
  });

  it('splits only when the saving on weight pays for the extra parcel', () => {
    const lines = [{ sku: 'A', quantity: 1, weightLb: 10 }, { sku: 'B', quantity: 1, weightLb: 1 }];
    const both = { id: 'both', shipmentCost: 10, unitCost: 2, inventory: { A: 1, B: 1 } };
    const cheapA = { id: 'cheapA', shipmentCost: 10, unitCost: 0.5, inventory: { A: 1 } };
    // Together: 10 + 22 = 32; split: (10 + 5) + (10 + 2) = 27, so splitting pays.
    expect(solveRouting({ lines, locations: [both, cheapA] }).locationIds).toEqual(['cheapA', 'both']);
    // With a dearer parcel from cheapA the split no longer pays.
    const dearA = { ...cheapA, shipmentCost: 16 };
    expect(solveRouting({ lines, locations: [both, dearA] }).locationIds).toEqual(['both']);
  });

  it('reports units no location stocks as unfilled and fills the rest', () => {
    const result = solveRouting({
      lines: [{ sku: 'A', quantity: 5, weightLb: 1 }],
      locations: [{ id: 'x', shipmentCost: 5, unitCost: 1, inventory: { A: 3 } }],
    });
    expect(result.allocations).toEqual([{ locationId: 'x', sku: 'A', quantity: 3 }]);
    expect(result.unfilled).toEqual([{ sku: 'A', quantity: 2 }]);
  });

  it('breaks ties by input order, so the same input gives the same plan', () => {
    const lines = [{ sku: 'A', quantity: 1, weightLb: 1 }];
    const twin = (id: string) => ({ id, shipmentCost: 5, unitCost: 1, inventory: { A: 1 } });
    expect(solveRouting({ lines, locations: [twin('p'), twin('q')] }).locationIds).toEqual(['p']);
    expect(solveRouting({ lines, locations: [twin('q'), twin('p')] }).locationIds).toEqual(['q']);
  });

  // An instance the single-location shortcut cannot settle, so the search has to run.
  const needsSearch = (from: number): SolverProblem => {
    for (let seed = from; ; seed++) {
      const p = randomProblem(seed);
      if (solveRouting(p).nodes > 1) return p;
    }
  };

  it('returns its best plan, flagged as not proven optimal, when the node budget runs out', () => {
    const p = needsSearch(7);
    const result = solveRouting(p, { maxNodes: 0 });
    expect(result.optimal).toBe(false);
    expect(result.stoppedBy).toBe('nodes');
    expect(planIsValid(p, result.allocations)).toBe(true);
  });

  it('stops on the injected clock when the time budget is spent', () => {
    let t = 0;
    const p = needsSearch(11);
    // Every clock read advances time past the budget, so the first check stops the search.
    const result = solveRouting(p, { timeBudgetMs: 1, now: () => (t += 10), maxNodes: 1e9 });
    expect(result.stoppedBy).toBe('time');
    expect(result.optimal).toBe(false);
    expect(planIsValid(p, result.allocations)).toBe(true);
  });
});
