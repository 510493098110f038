// Reference: the exact mixed-integer program, solved by GLPK (glpk.js, GPL, dev-only).
//   min  sum_i shipmentCost_i * y_i + sum_{i,k} unitCost_i * weight_k * x_ik
//   s.t. sum_i x_ik = min(quantity_k, total stock of k)      for every line k
//        x_ik <= min(stock_ik, demand_k) * y_i                for every location i stocking line k
//        y_i binary, x_ik integer >= 0
import type { BenchAllocation, BenchProblem } from './problem.ts';

type Glpk = Awaited<ReturnType<typeof import('glpk.js/node').default>>;

let glpk: Glpk | undefined;

export async function loadGlpk(): Promise<void> {
  // The package's root export runs GLPK in a web worker; the node entry is the synchronous build.
  const factory = (await import('glpk.js/node')).default;
  glpk = await factory();
}

export function solveExactMilp(problem: BenchProblem): { allocations: BenchAllocation[]; optimal: boolean } {
  if (!glpk) throw new Error('call loadGlpk() first');
  const g = glpk;
  const lines = problem.order.lines;
  const demand = lines.map((l) =>
    Math.min(l.quantity, problem.locations.reduce((s, loc) => s + (loc.inventory[l.sku] ?? 0), 0)),
  );
  const objective: { name: string; coef: number }[] = [];
  const subjectTo: Parameters<Glpk['solve']>[0]['subjectTo'] = [];
  const bounds: NonNullable<Parameters<Glpk['solve']>[0]['bounds']> = [];
  const binaries: string[] = [];
  const generals: string[] = [];
  const demandRows = lines.map(() => [] as { name: string; coef: number }[]);
  const xIndex: { name: string; i: number; k: number }[] = [];
  problem.locations.forEach((loc, i) => {
    const stocked = lines.map((l, k) => Math.min(loc.inventory[l.sku] ?? 0, demand[k]!));
    if (!stocked.some((s) => s > 0)) return;
    const y = `y${i}`;
    binaries.push(y);
    objective.push({ name: y, coef: loc.shipmentCost });
    stocked.forEach((cap, k) => {
      if (cap <= 0) return;
      const x = `x${i}_${k}`;
      generals.push(x);
      xIndex.push({ name: x, i, k });
      objective.push({ name: x, coef: loc.unitCost * lines[k]!.weightLb });
      bounds.push({ name: x, type: g.GLP_DB, lb: 0, ub: cap });
      demandRows[k]!.push({ name: x, coef: 1 });
      subjectTo.push({
        name: `link${i}_${k}`,
        vars: [
          { name: x, coef: 1 },
          { name: y, coef: -cap },
        ],
        bnds: { type: g.GLP_UP, lb: 0, ub: 0 },
      });
    });
  });
  demandRows.forEach((vars, k) => {
    if (demand[k]! > 0) subjectTo.push({ name: `demand${k}`, vars, bnds: { type: g.GLP_FX, lb: demand[k]!, ub: demand[k]! } });
  });
  const result = g.solve(
    { name: problem.id, objective: { direction: g.GLP_MIN, name: 'cost', vars: objective }, subjectTo, bounds, binaries, generals },
    { msglev: g.GLP_MSG_OFF, presol: true },
  );
  const allocations: BenchAllocation[] = [];
  for (const { name, i, k } of xIndex) {
    const q = Math.round(result.result.vars[name] ?? 0);
    if (q > 0) allocations.push({ locationId: problem.locations[i]!.id, sku: lines[k]!.sku, quantity: q });
  }
  return { allocations, optimal: result.result.status === g.GLP_OPT };
}
