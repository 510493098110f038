// Baseline: myopic per-order routing with our own engine. Orders go one at a time in release order,
// each solved exactly for itself (solveRouting: one parcel per location it uses) against the stock the
// earlier orders left, unaware of the others and of parcels its customer already gets.
import type { Batch, BatchAllocation } from '../../shared/domain/routing/batch/types.ts';
import { solveRouting } from '../../shared/domain/routing/solver.ts';

export function myopicPlan(batch: Batch): BatchAllocation[] {
  const stock = new Map(batch.locations.map((l) => [l.id, { ...l.inventory }]));
  const allocations: BatchAllocation[] = [];
  for (const order of batch.orders) {
    const lines = order.lines.filter((l) => l.quantity > 0);
    const locations = Object.entries(order.costs).flatMap(([id, c]) => {
      const inv = stock.get(id);
      if (!inv) return [];
      const inventory: Record<string, number> = {};
      for (const l of lines) if ((inv[l.sku] ?? 0) > 0) inventory[l.sku] = inv[l.sku]!;
      return [{ id, shipmentCost: c.shipmentCost, unitCost: c.unitCost, inventory }];
    });
    const r = solveRouting({ lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity, weightLb: l.weightLb })), locations });
    for (const a of r.allocations) {
      // An order lists each sku on one line.
      const line = lines.find((l) => l.sku === a.sku)!;
      allocations.push({ orderId: order.orderId, lineId: line.lineId, locationId: a.locationId, quantity: a.quantity });
      stock.get(a.locationId)![a.sku]! -= a.quantity;
    }
  }
  return allocations;
}
