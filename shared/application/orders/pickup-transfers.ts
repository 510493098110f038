import type { RateTable } from '#domain/carriers/rate-table';
import type { Location } from '#domain/inventory/location';
import { TransferRefusedError, TransferShortError } from '#domain/inventory/transfer';
import type { Order } from '#domain/orders/order';
import type { PlannedParcel } from '#domain/orders/planning';
import { explainPickupTransfer, pickupTransferId, planPickupTransfers } from '#domain/orders/pickup-transfer';
import { TemporarilyUnavailableError } from '../errors.ts';
import { requestTransfer, type TransferDeps } from '../inventory/transfers.ts';

export interface PickupTransferInput {
  order: Order;
  /** The order's unallocated lines before this plan. */
  pending: ReadonlyArray<{ lineId: string; sku: string; quantity: number }>;
  parcels: readonly PlannedParcel[];
  networks: ReadonlyArray<{ sku: string; locations: ReadonlyArray<{ locationId: string; available: number }> }>;
  /** Pairs this order must not take from (lost races, exclusions). */
  excluded: ReadonlyArray<{ locationId: string; sku: string }>;
  locations: readonly Location[];
  skus: ReadonlyMap<string, { weightLb: number }>;
  rateTable: RateTable;
  now: Date;
}

/**
 * Pickup lines the chosen store cannot fill from its stock get their units by a transfer (issue 14 part 2): one per
 * line, with an id made of the order's and the line's, requested through the transfer use case (its own transaction:
 * the units leave the origin, in transit, sellable nowhere). Requested before the allocation's write, so a crash or a
 * lost race in between finds the transfer on the next round and never starts a second one. The line waits meanwhile;
 * the receipt's StockChanged routes the order again, to the store. Answers the lines it adds to the explanation.
 */
export async function startPickupTransfers(deps: { transfers?: TransferDeps }, input: PickupTransferInput): Promise<string[]> {
  if (!deps.transfers) return [];
  const lineOf = new Map(input.order.lines.map((l) => [l.lineId, l]));
  const planned = new Map<string, number>();
  for (const parcel of input.parcels) for (const line of parcel.lines) planned.set(line.lineId, (planned.get(line.lineId) ?? 0) + line.quantity);
  const missing = input.pending
    .filter((line) => lineOf.get(line.lineId)?.fulfillment.type !== 'ship')
    .map((line) => ({ ...line, quantity: line.quantity - (planned.get(line.lineId) ?? 0) }))
    .filter((line) => line.quantity > 0);
  if (!missing.length) return [];

  const transfers = deps.transfers;
  const ids = missing.map((line) => pickupTransferId(input.order.orderId, line.lineId));
  const found = (await Promise.all(ids.map((id) => transfers.transfers.get(input.order.tenantId, id)))).flatMap((t) => (t ? [t] : []));
  const notes = found.map(
    (t) => `pickup ${t.lines.map((l) => `${l.sku} x${l.quantity}`).join(', ')} at ${t.toLocationId}: waiting for transfer ${t.transferId} from ${t.fromLocationId} (${t.status}${t.expectedArrivalAt ? `, expected ${t.expectedArrivalAt.slice(0, 10)}` : ''})`,
  );

  const excluded = new Set([...(input.order.routingExclusions ?? []), ...input.excluded].map((e) => `${e.locationId}|${e.sku}`));
  const stock = new Map<string, Record<string, number>>();
  for (const network of input.networks) {
    for (const at of network.locations) {
      if (at.available <= 0 || excluded.has(`${at.locationId}|${network.sku}`)) continue;
      (stock.get(at.locationId) ?? stock.set(at.locationId, {}).get(at.locationId)!)[network.sku] = at.available;
    }
  }
  for (const parcel of input.parcels) {
    for (const line of parcel.lines) {
      const units = stock.get(parcel.locationId);
      if (units?.[line.sku] !== undefined) units[line.sku] = Math.max(0, units[line.sku]! - line.quantity);
    }
  }
  const plans = planPickupTransfers({
    order: input.order,
    missing,
    locations: input.locations,
    stock,
    skus: input.skus,
    rateTable: input.rateTable,
    existing: new Set(found.map((t) => t.transferId)),
    now: input.now,
  });
  for (const plan of plans) {
    try {
      await requestTransfer(transfers, input.order.tenantId, {
        transferId: plan.transferId,
        fromLocationId: plan.fromLocationId,
        toLocationId: plan.toLocationId,
        lines: [{ sku: plan.sku, quantity: plan.quantity }],
        reason: `pickup of order ${input.order.orderId} line ${plan.lineId} at ${plan.toLocationId}, ready by ${plan.readyBy}`,
        expectedArrivalAt: plan.expectedArrivalAt,
      });
      notes.push(explainPickupTransfer(plan));
    } catch (error) {
      // The origin's units went meanwhile (a race): the line waits like any backorder and a later round tries again.
      if (!(error instanceof TransferShortError || error instanceof TransferRefusedError || error instanceof TemporarilyUnavailableError)) throw error;
      notes.push(`pickup ${plan.sku} x${plan.quantity} at ${plan.toLocationId}: a transfer from ${plan.fromLocationId} could not be made (${error.message}); waiting`);
    }
  }
  return notes;
}
