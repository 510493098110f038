import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { solveGroup, type GroupProblem } from './group-solver.ts';

// Brute force: every subset of candidates; with one slot per item the items are independent once the
// open set is fixed, so each takes its cheapest open units below the penalty.
function bruteForce(p: GroupProblem): number {
  let best = Infinity;
  for (let mask = 0; mask < 1 << p.n; mask++) {
    let cost = 0;
    const used = new Set<number>();
    for (let k = 0; k < p.m; k++) {
      const open = [];
      for (let j = 0; j < p.n; j++) if (mask & (1 << j)) open.push(j);
      open.sort((a, b) => p.cost[k * p.n + a]! - p.cost[k * p.n + b]! || a - b);
      let need = p.demand[k]!;
      for (const j of open) {
        const c = p.cost[k * p.n + j]!;
        if (need === 0 || c >= p.penalty) break;
        const q = Math.min(need, p.stock[p.slotOf[k]! * p.n + j]!);
        if (q > 0) {
          cost += q * c;
          need -= q;
          used.add(j);
        }
      }
      cost += need * p.penalty;
    }
    for (const j of used) cost += p.fixed[j]!;
    best = Math.min(best, cost);
  }
  return best;
}

const groupProblem = fc
  .record({ n: fc.integer({ min: 1, max: 6 }), m: fc.integer({ min: 1, max: 3 }) })
  .chain(({ n, m }) =>
    fc.record({
      n: fc.constant(n),
      m: fc.constant(m),
      fixed: fc.array(fc.integer({ min: 0, max: 20 }), { minLength: n, maxLength: n }),
      // Arbitrary per-(item, location) costs, as shadow prices make them; some pairs not allowed.
      cost: fc.array(fc.oneof(fc.integer({ min: 0, max: 30 }), fc.constant(Infinity)), { minLength: m * n, maxLength: m * n }),
      stock: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: m * n, maxLength: m * n }),
      demand: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: m, maxLength: m }),
      penalty: fc.integer({ min: 5, max: 60 }),
    }),
  )
  .map(
    (r): GroupProblem => ({
      ...r,
      slotOf: Array.from({ length: r.m }, (_, k) => k),
      slots: r.m,
    }),
  );

describe('solveGroup', () => {
  it('finds the brute-force optimum of random small groups with arbitrary per-unit costs', () => {
    fc.assert(
      fc.property(groupProblem, (p) => {
        const s = solveGroup(p);
        expect(s.proven).toBe(true);
        expect(s.cost).toBeCloseTo(bruteForce(p), 9);
        expect(s.lowerBound).toBeCloseTo(s.cost, 9);
      }),
      { numRuns: 400 },
    );
  });

  it('returns a valid lower bound and a real plan when its node limit stops the search', () => {
    fc.assert(
      fc.property(groupProblem, (p) => {
        const s = solveGroup(p, { maxNodes: 2 });
        const optimum = bruteForce(p);
        expect(s.lowerBound).toBeLessThanOrEqual(optimum + 1e-9);
        expect(s.cost).toBeGreaterThanOrEqual(optimum - 1e-9);
        let cost = 0;
        for (let k = 0; k < p.m; k++) {
          let shipped = 0;
          for (let j = 0; j < p.n; j++) {
            const q = s.alloc[k * p.n + j]!;
            expect(q).toBeLessThanOrEqual(p.stock[k * p.n + j]!);
            shipped += q;
            if (q > 0) cost += q * p.cost[k * p.n + j]!;
          }
          expect(shipped + s.unfilled[k]!).toBe(p.demand[k]);
          cost += s.unfilled[k]! * p.penalty;
        }
        for (const j of s.open) cost += p.fixed[j]!;
        expect(cost).toBeCloseTo(s.cost, 9);
      }),
      { numRuns: 200 },
    );
  });

  it('ships two items of one sku from the stock they share, never more than it holds', () => {
    // Slot 0 holds 2 units at candidate 0 and 5 at candidate 1; the two items want 2 each.
    const p: GroupProblem = {
      n: 2,
      m: 2,
      fixed: [1, 10],
      cost: [1, 2, 1, 2],
      slotOf: [0, 0],
      slots: 1,
      stock: [2, 5],
      demand: [2, 2],
      penalty: 100,
    };
    const s = solveGroup(p);
    expect(s.alloc[0]! + s.alloc[2]!).toBeLessThanOrEqual(2);
    expect(s.unfilled[0]! + s.unfilled[1]!).toBe(0);
    expect(s.cost).toBe(1 + 10 + 2 * 1 + 2 * 2);
  });

  it('leaves units unfilled when every way to ship them costs more than the penalty', () => {
    const p: GroupProblem = { n: 1, m: 1, fixed: [50], cost: [1], slotOf: [0], slots: 1, stock: [3], demand: [2], penalty: 20 };
    const s = solveGroup(p);
    expect(s.open).toEqual([]);
    expect(s.unfilled[0]).toBe(2);
    expect(s.cost).toBe(40);
  });
});

describe('solveGroup with items sharing a slot', () => {
  // Brute force over unit assignments: every split of every item's units over the candidates.
  function bruteForceShared(p: GroupProblem): number {
    let best = Infinity;
    const alloc = new Array<number>(p.m * p.n).fill(0);
    const visit = (k: number, j: number, left: number): void => {
      if (k === p.m) {
        let cost = 0;
        const used = new Set<number>();
        for (let kk = 0; kk < p.m; kk++) {
          let shipped = 0;
          for (let jj = 0; jj < p.n; jj++) {
            const q = alloc[kk * p.n + jj]!;
            if (q > 0) {
              cost += q * p.cost[kk * p.n + jj]!;
              used.add(jj);
              shipped += q;
            }
          }
          cost += (p.demand[kk]! - shipped) * p.penalty;
        }
        for (const jj of used) cost += p.fixed[jj]!;
        best = Math.min(best, cost);
        return;
      }
      if (j === p.n) {
        visit(k + 1, 0, k + 1 < p.m ? p.demand[k + 1]! : 0);
        return;
      }
      let inSlot = 0;
      for (let kk = 0; kk < p.m; kk++) if (p.slotOf[kk] === p.slotOf[k]) inSlot += alloc[kk * p.n + j]!;
      const room = p.cost[k * p.n + j]! < Infinity ? p.stock[p.slotOf[k]! * p.n + j]! - inSlot : 0;
      for (let q = 0; q <= Math.min(left, room); q++) {
        alloc[k * p.n + j] = q;
        visit(k, j + 1, left - q);
      }
      alloc[k * p.n + j] = 0;
    };
    visit(0, 0, p.demand[0]!);
    return best;
  }

  const sharedProblem = fc
    .record({ n: fc.integer({ min: 1, max: 3 }), m: fc.integer({ min: 2, max: 3 }), slots: fc.integer({ min: 1, max: 2 }) })
    .chain(({ n, m, slots }) =>
      fc.record({
        n: fc.constant(n),
        m: fc.constant(m),
        slots: fc.constant(slots),
        slotOf: fc.array(fc.integer({ min: 0, max: slots - 1 }), { minLength: m, maxLength: m }),
        fixed: fc.array(fc.integer({ min: 0, max: 20 }), { minLength: n, maxLength: n }),
        cost: fc.array(fc.integer({ min: 0, max: 30 }), { minLength: m * n, maxLength: m * n }),
        stock: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: slots * n, maxLength: slots * n }),
        demand: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: m, maxLength: m }),
        penalty: fc.integer({ min: 5, max: 60 }),
      }),
    );

  it('finds the brute-force optimum when lines of one sku share its stock', () => {
    fc.assert(
      fc.property(sharedProblem, (p) => {
        const s = solveGroup(p);
        expect(s.cost).toBeCloseTo(bruteForceShared(p), 9);
      }),
      { numRuns: 300 },
    );
  });
});
