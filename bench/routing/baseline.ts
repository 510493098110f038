// What most shops do today: ship everything from the closest location that has the whole order,
// otherwise fill each line from the closest locations that stock it.
import type { BenchAllocation, BenchProblem } from './problem.ts';

export function closestLocationPlan(problem: BenchProblem): BenchAllocation[] {
  const byDistance = [...problem.locations].sort((a, b) => a.distanceKm - b.distanceKm);
  const lines = problem.order.lines;
  const whole = byDistance.find((loc) => lines.every((l) => (loc.inventory[l.sku] ?? 0) >= l.quantity));
  if (whole) return lines.map((l) => ({ locationId: whole.id, sku: l.sku, quantity: l.quantity }));
  const allocations: BenchAllocation[] = [];
  for (const line of lines) {
    let need = line.quantity;
    for (const loc of byDistance) {
      if (need === 0) break;
      const q = Math.min(need, loc.inventory[line.sku] ?? 0);
      if (q > 0) {
        allocations.push({ locationId: loc.id, sku: line.sku, quantity: q });
        need -= q;
      }
    }
  }
  return allocations;
}
