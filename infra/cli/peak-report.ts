/**
 * The peak-day report of `npx dom simulate --peak` (pure): from what the load generator saw and the orders as the API
 * shows them once settled, the KPIs ops watch on a peak: orders accepted and allocated per minute, time to allocate
 * p50/p99, parcels, shipping cost and CO2 per order, and how intake answered.
 */
import type { LoadResult } from '../../bench/orders/load.ts';

/** The fields of GET /orders/{id} the report reads. */
export interface PeakOrder {
  orderId: string;
  status: string;
  createdAt: string;
  history: Array<{ status: string; at: string }>;
  shipments: Array<{ status: string; cost?: number; co2Grams?: number }>;
}

const DECIDED = new Set(['ALLOCATED', 'PARTIALLY_ALLOCATED', 'BACKORDERED']);
const ALLOCATED = new Set(['ALLOCATED', 'PARTIALLY_ALLOCATED']);

/** Nearest-rank percentile of sorted values (null without values). */
function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
}

const round = (x: number | null, digits = 1) => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);

export function peakReport(input: { ordersPerMinute: number; minutes: number; load: Pick<LoadResult, 'accepted' | 'repeated' | 'failed' | 'latenciesMs' | 'startedAt' | 'endedAt'>; settled: readonly PeakOrder[]; unsettled: number }) {
  const { load, settled } = input;
  const start = load.startedAt;
  const minuteOf = (at: string) => Math.floor((Date.parse(at) - start) / 60_000);
  const buckets = new Map<number, { accepted: number; allocated: number }>();
  const bucket = (m: number) => buckets.get(m) ?? buckets.set(m, { accepted: 0, allocated: 0 }).get(m)!;
  const toAllocate: number[] = [];
  let parcels = 0;
  let cost = 0;
  let co2 = 0;
  let withParcels = 0;
  const byStatus: Record<string, number> = {};
  for (const order of settled) {
    byStatus[order.status] = (byStatus[order.status] ?? 0) + 1;
    bucket(minuteOf(order.createdAt)).accepted++;
    // The first decision of the order's routing: allocated (in part) or left waiting for stock.
    const decided = order.history.find((h) => DECIDED.has(h.status));
    if (decided && ALLOCATED.has(decided.status)) {
      bucket(minuteOf(decided.at)).allocated++;
      toAllocate.push(Date.parse(decided.at) - Date.parse(order.createdAt));
    }
    const counted = order.shipments.filter((s) => s.status !== 'REJECTED' && s.status !== 'CANCELLED');
    if (counted.length) {
      withParcels++;
      parcels += counted.length;
      for (const s of counted) {
        cost += s.cost ?? 0;
        co2 += s.co2Grams ?? 0;
      }
    }
  }
  toAllocate.sort((a, b) => a - b);
  const latencies = [...load.latenciesMs].sort((a, b) => a - b);
  const seconds = Math.max(0.001, (load.endedAt - load.startedAt) / 1000);
  return {
    offered: { ordersPerMinute: input.ordersPerMinute, minutes: input.minutes, orders: Math.round(input.ordersPerMinute * input.minutes) },
    intake: {
      accepted: load.accepted,
      repeated: load.repeated,
      refused: load.failed.length,
      acceptedPerMinute: round((load.accepted / seconds) * 60),
      acceptP50Ms: round(percentile(latencies, 50)),
      acceptP99Ms: round(percentile(latencies, 99)),
    },
    settled: settled.length,
    unsettled: input.unsettled,
    byStatus,
    perMinute: [...buckets].sort((a, b) => a[0] - b[0]).map(([minute, counts]) => ({ minute, ...counts })),
    timeToAllocate: { orders: toAllocate.length, p50Ms: round(percentile(toAllocate, 50), 0), p99Ms: round(percentile(toAllocate, 99), 0) },
    parcelsPerOrder: withParcels ? round(parcels / withParcels, 3) : null,
    shippingCostPerOrder: withParcels ? round(cost / withParcels, 2) : null,
    co2GramsPerOrder: withParcels ? round(co2 / withParcels, 0) : null,
  };
}
