import { chunkLines, type ShipmentDemand, type ShipmentDemandReversal } from '#domain/demand/shipment-demand';
import type { DemandCount, DemandStore, OrderRegions } from './ports.ts';
import { inParallel } from '../in-parallel.ts';

/** SKUs per transaction: a marker plus three writes per SKU (location day, region day, SKU list) within 100 items. */
export const DEMAND_SKUS_PER_WRITE = 30;
const REVERSAL_CONCURRENCY = 16;

export interface KeyedDemandChange {
  /** The stream record's id, reported back when its change could not be applied. */
  id: string;
  change: ShipmentDemand | ShipmentDemandReversal;
}

export interface RollUpResult {
  failed: Set<string>;
  counted: number;
  reversed: number;
  /** Changes found already applied: redeliveries. */
  repeated: number;
}

/**
 * Applies a stream batch's shipment demand changes to the daily roll-ups, each exactly once however often it is
 * delivered: every count writes a marker keyed by the shipment (and chunk) in the same transaction as the units, and
 * a reversal flips the markers it finds, so a replay finds its marker and adds nothing. A shipment's changes are
 * applied in stream order (a count before its reversal); shipments are independent, and the batch's counts are
 * written together (the store merges them into as few transactions as fit). A change that fails, and every later
 * change of its shipment, is reported for the stream to deliver again.
 */
export async function rollUpDemand(deps: { demand: DemandStore; regions: OrderRegions }, changes: readonly KeyedDemandChange[]): Promise<RollUpResult> {
  const result: RollUpResult = { failed: new Set(), counted: 0, reversed: 0, repeated: 0 };
  const regions = new Map<string, Map<string, string>>();
  const ordersByTenant = new Map<string, string[]>();
  for (const { change } of changes) if (change.kind === 'count') (ordersByTenant.get(change.tenantId) ?? ordersByTenant.set(change.tenantId, []).get(change.tenantId)!).push(change.orderId);
  const unplaceable = new Set<string>();
  await Promise.all(
    [...ordersByTenant].map(async ([tenantId, orderIds]) => {
      try {
        regions.set(tenantId, await deps.regions.regionsOf(tenantId, orderIds));
      } catch {
        unplaceable.add(tenantId);
      }
    }),
  );

  const byShipment = new Map<string, KeyedDemandChange[]>();
  for (const keyed of changes) {
    const key = `${keyed.change.tenantId} ${keyed.change.shipmentId}`;
    (byShipment.get(key) ?? byShipment.set(key, []).get(key)!).push(keyed);
  }
  // In rounds: each shipment's next change. A round's counts go to the store together, which writes several shipments
  // in one transaction (one call for a typical batch); its reversals run side by side.
  let live = [...byShipment.values()].map((changes) => ({ changes, at: 0 }));
  while (live.length) {
    const failedGroups = new Set<(typeof live)[number]>();
    const counts: Array<{ group: (typeof live)[number]; entry: DemandCount }> = [];
    const reversals: Array<(typeof live)[number]> = [];
    for (const group of live) {
      const { change } = group.changes[group.at]!;
      if (change.kind === 'reverse') reversals.push(group);
      else if (unplaceable.has(change.tenantId)) failedGroups.add(group);
      else {
        const region = regions.get(change.tenantId)?.get(change.orderId) ?? 'UNKNOWN';
        chunkLines(change.lines, DEMAND_SKUS_PER_WRITE).forEach((lines, chunk) =>
          counts.push({ group, entry: { tenantId: change.tenantId, shipmentId: change.shipmentId, chunk, locationId: change.locationId, region, day: change.day, lines } }),
        );
      }
    }
    const [outcomes] = await Promise.all([
      counts.length ? deps.demand.count(counts.map((c) => c.entry)).catch(() => counts.map(() => 'failed' as const)) : [],
      inParallel(reversals, REVERSAL_CONCURRENCY, async (group) => {
        const { change } = group.changes[group.at]!;
        try {
          if (await deps.demand.reverse(change.tenantId, change.shipmentId)) result.reversed++;
          else result.repeated++;
        } catch {
          failedGroups.add(group);
        }
      }),
    ]);
    outcomes.forEach((outcome, i) => {
      if (outcome === 'counted') result.counted++;
      else if (outcome === 'already') result.repeated++;
      else failedGroups.add(counts[i]!.group);
    });
    for (const group of failedGroups) for (const rest of group.changes.slice(group.at)) result.failed.add(rest.id);
    live = live.filter((group) => !failedGroups.has(group) && ++group.at < group.changes.length);
  }
  return result;
}

