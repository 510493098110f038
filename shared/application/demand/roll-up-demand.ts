import { chunkLines, type ShipmentDemand, type ShipmentDemandReversal } from '#domain/demand/shipment-demand';
import type { DemandStore, OrderRegions } from './ports.ts';

/** SKUs per transaction: a marker plus three writes per SKU (location day, region day, SKU list) within 100 items. */
export const DEMAND_SKUS_PER_WRITE = 30;
const SHIPMENT_CONCURRENCY = 16;

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
 * applied in stream order (a count before its reversal); shipments are independent. A change that fails, and every
 * later change of its shipment, is reported for the stream to deliver again.
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
  const groups = [...byShipment.values()];
  let next = 0;
  const worker = async () => {
    while (next < groups.length) {
      const group = groups[next++]!;
      for (let i = 0; i < group.length; i++) {
        const { id, change } = group[i]!;
        try {
          if (change.kind === 'count') {
            if (unplaceable.has(change.tenantId)) throw new Error('order regions could not be read');
            const region = regions.get(change.tenantId)?.get(change.orderId) ?? 'UNKNOWN';
            const chunks = chunkLines(change.lines, DEMAND_SKUS_PER_WRITE);
            for (let n = 0; n < chunks.length; n++) {
              const outcome = await deps.demand.count({ tenantId: change.tenantId, shipmentId: change.shipmentId, chunk: n, locationId: change.locationId, region, day: change.day, lines: chunks[n]! });
              if (outcome === 'counted') result.counted++;
              else result.repeated++;
            }
          } else {
            const reversed = await deps.demand.reverse(change.tenantId, change.shipmentId);
            if (reversed) result.reversed++;
            else result.repeated++;
          }
        } catch {
          for (const rest of group.slice(i)) result.failed.add(rest.id);
          break;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SHIPMENT_CONCURRENCY, groups.length) }, worker));
  return result;
}
