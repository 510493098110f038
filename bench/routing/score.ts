// In-process scoring, the same rules as ../shared/bench/routing/check.mjs (the bench cross-checks it).
import type { BenchAllocation, BenchProblem } from './problem.ts';

export type PlanScore = { feasible: false; error: string } | { feasible: true; cost: number; shipments: number };

export function scorePlan(problem: BenchProblem, allocations: readonly BenchAllocation[]): PlanScore {
  const locations = new Map(problem.locations.map((l) => [l.id, l]));
  const filled = new Map(problem.order.lines.map((l) => [l.sku, 0]));
  const taken = new Map<string, number>();
  const used = new Set<string>();
  let cost = 0;
  for (const a of allocations) {
    const loc = locations.get(a.locationId);
    const line = problem.order.lines.find((l) => l.sku === a.sku);
    if (!loc || !line || !Number.isInteger(a.quantity) || a.quantity <= 0) {
      return { feasible: false, error: `bad allocation ${JSON.stringify(a)}` };
    }
    const key = `${a.locationId}|${a.sku}`;
    taken.set(key, (taken.get(key) ?? 0) + a.quantity);
    if (taken.get(key)! > (loc.inventory[a.sku] ?? 0)) return { feasible: false, error: `over-allocates ${key}` };
    filled.set(a.sku, filled.get(a.sku)! + a.quantity);
    cost += loc.unitCost * line.weightLb * a.quantity;
    used.add(loc.id);
  }
  for (const line of problem.order.lines) {
    const available = problem.locations.reduce((s, l) => s + (l.inventory[line.sku] ?? 0), 0);
    if (filled.get(line.sku) !== Math.min(line.quantity, available)) {
      return { feasible: false, error: `line ${line.sku} got ${filled.get(line.sku)}` };
    }
  }
  for (const id of used) cost += locations.get(id)!.shipmentCost;
  return { feasible: true, cost, shipments: used.size };
}
