/**
 * The business KPIs of the ops console, from a tenant's orders, their shipments and its stock (pure arithmetic, no
 * clock: `now` is passed in). The window is the orders *created* in [from, to); what happened to them later (allocated,
 * delivered) counts with them, so a window's figures settle as its orders do.
 */
import type { Order, OrderStatus } from '../orders/order.ts';
import type { Shipment } from '../orders/shipment.ts';

export interface KpiStockItem {
  sku: string;
  locationId: string;
  available: number;
  onHand: number;
}

export interface KpiInput {
  from: Date;
  to: Date;
  now: Date;
  orders: readonly Order[];
  shipments: readonly Shipment[];
  /** Stock items of the SKUs the window's orders asked for. */
  stock: readonly KpiStockItem[];
}

export interface Kpis {
  window: { from: string; to: string; bucketMinutes: number };
  orders: { total: number; byStatus: Partial<Record<OrderStatus, number>> };
  /** Orders accepted and allocated in each bucket of `bucketMinutes`, per minute (averaged over the bucket). */
  perMinute: Array<{ at: string; accepted: number; allocated: number }>;
  /** From acceptance to the first (partial) allocation, over the orders allocated. */
  timeToAllocate: { orders: number; p50Ms: number | null; p99Ms: number | null };
  parcelsPerOrder: { orders: number; mean: number | null; distribution: Array<{ parcels: number; orders: number }> };
  /** Carrier cost of the parcels (the rate tables' currency) and their CO2, per order with parcels. */
  shippingCostPerOrder: { orders: number; mean: number | null; total: number };
  co2PerOrder: { orders: number; meanGrams: number | null; totalGrams: number };
  /** Parcels whose promised date has come: delivered by the end of it, against all of them. */
  onTime: { due: number; onTime: number; share: number | null };
  backorders: { orders: number; units: number; byAge: Array<{ age: BackorderAge; orders: number; units: number }> };
  stockOuts: { items: Array<{ sku: string; locationId: string }>; bySku: Array<{ sku: string; locations: number; backorderedUnits: number }> };
  reroutes: { total: number; byReason: Array<{ reason: string; count: number }> };
}

export const BACKORDER_AGES = ['<1h', '1-4h', '4-24h', '1-3d', '>=3d'] as const;
export type BackorderAge = (typeof BACKORDER_AGES)[number];

const HOUR = 3_600_000;
/** At most this many buckets in the per-minute series, whatever the window: a chart, not a table. */
export const MAX_BUCKETS = 120;

const ALLOCATED: ReadonlySet<OrderStatus> = new Set(['ALLOCATED', 'PARTIALLY_ALLOCATED']);
const WAITING: ReadonlySet<OrderStatus> = new Set(['BACKORDERED', 'PARTIALLY_ALLOCATED']);
/** Parcels that left or will leave: not the ones a location refused or that were called off. */
const COUNTED_PARCEL = (s: Shipment) => s.status !== 'REJECTED' && s.status !== 'CANCELLED';

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function backorderAge(ms: number): BackorderAge {
  if (ms < HOUR) return '<1h';
  if (ms < 4 * HOUR) return '1-4h';
  if (ms < 24 * HOUR) return '4-24h';
  if (ms < 72 * HOUR) return '1-3d';
  return '>=3d';
}

/** A re-route's reason in a few stable words (the history has `attempt 3: stock of TEE-BLK-M arrived`). */
export function rerouteReason(reason: string): string {
  const text = reason.replace(/^attempt \d+:\s*/, '').trim();
  if (text === 'ShipmentRejected' || /^shipment .*rejected/i.test(text)) return 'shipment rejected';
  if (/^stock (of .+ )?arrived/.test(text)) return 'stock arrived';
  return text.slice(0, 80) || 'unknown';
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
const firstAt = (order: Order, statuses: ReadonlySet<OrderStatus>) => order.history.find((h) => statuses.has(h.status))?.at;

export function computeKpis(input: KpiInput): Kpis {
  const from = input.from.getTime();
  const to = input.to.getTime();
  const now = input.now.getTime();
  const orders = input.orders.filter((o) => {
    const created = Date.parse(o.createdAt);
    return created >= from && created < to;
  });
  const orderIds = new Set(orders.map((o) => o.orderId));
  const shipments = input.shipments.filter((s) => orderIds.has(s.orderId));

  const byStatus: Partial<Record<OrderStatus, number>> = {};
  for (const order of orders) byStatus[order.status] = (byStatus[order.status] ?? 0) + 1;

  // Per-minute series: buckets of whole minutes, at most MAX_BUCKETS of them.
  const minutes = Math.max(1, Math.ceil((to - from) / 60_000));
  const bucketMinutes = Math.max(1, Math.ceil(minutes / MAX_BUCKETS));
  const bucketMs = bucketMinutes * 60_000;
  const buckets = Array.from({ length: Math.ceil((to - from) / bucketMs) }, (_, i) => ({ at: new Date(from + i * bucketMs).toISOString(), accepted: 0, allocated: 0 }));
  const bucketOf = (time: number) => (time >= from && time < to ? buckets[Math.floor((time - from) / bucketMs)] : undefined);

  const allocationTimes: number[] = [];
  for (const order of orders) {
    const accepted = bucketOf(Date.parse(order.createdAt));
    if (accepted) accepted.accepted += 1;
    const allocatedAt = firstAt(order, ALLOCATED);
    if (allocatedAt === undefined) continue;
    allocationTimes.push(Math.max(0, Date.parse(allocatedAt) - Date.parse(order.createdAt)));
    const allocated = bucketOf(Date.parse(allocatedAt));
    if (allocated) allocated.allocated += 1;
  }
  allocationTimes.sort((a, b) => a - b);
  const perMinute = buckets.map((b) => ({ at: b.at, accepted: round(b.accepted / bucketMinutes), allocated: round(b.allocated / bucketMinutes) }));

  // Parcels, cost and CO2 per order, over the orders with at least one parcel.
  const parcelsByOrder = new Map<string, Shipment[]>();
  for (const shipment of shipments.filter(COUNTED_PARCEL)) parcelsByOrder.set(shipment.orderId, [...(parcelsByOrder.get(shipment.orderId) ?? []), shipment]);
  const withParcels = parcelsByOrder.size;
  const distribution = new Map<number, number>();
  let totalParcels = 0;
  let totalCost = 0;
  let totalCo2 = 0;
  for (const parcels of parcelsByOrder.values()) {
    distribution.set(parcels.length, (distribution.get(parcels.length) ?? 0) + 1);
    totalParcels += parcels.length;
    for (const parcel of parcels) {
      totalCost += parcel.quote?.cost ?? 0;
      totalCo2 += parcel.quote?.co2Grams ?? 0;
    }
  }

  // On time: a parcel's promise is due once its date has begun; delivered by the end of that day (UTC) is on time.
  let due = 0;
  let onTime = 0;
  for (const parcel of shipments.filter(COUNTED_PARCEL)) {
    const promised = parcel.quote?.promisedDeliveryDate;
    if (!promised) continue;
    const endOfPromise = Date.parse(`${promised}T23:59:59.999Z`);
    const deliveredAt = parcel.history.find((h) => h.status === 'DELIVERED')?.at;
    if (deliveredAt !== undefined) {
      due += 1;
      if (Date.parse(deliveredAt) <= endOfPromise) onTime += 1;
    } else if (now > endOfPromise) {
      due += 1;
    }
  }

  // Backorders: orders waiting for units now, by how long they have waited.
  const ages = new Map<BackorderAge, { orders: number; units: number }>(BACKORDER_AGES.map((a) => [a, { orders: 0, units: 0 }]));
  const backorderedBySku = new Map<string, number>();
  let backorderedOrders = 0;
  let backorderedUnits = 0;
  for (const order of orders) {
    if (!WAITING.has(order.status) || order.backorderedLines.length === 0) continue;
    const units = order.backorderedLines.reduce((sum, line) => sum + line.quantity, 0);
    const since = firstAt(order, WAITING) ?? order.createdAt;
    const bucket = ages.get(backorderAge(Math.max(0, now - Date.parse(since))))!;
    bucket.orders += 1;
    bucket.units += units;
    backorderedOrders += 1;
    backorderedUnits += units;
    for (const line of order.backorderedLines) backorderedBySku.set(line.sku, (backorderedBySku.get(line.sku) ?? 0) + line.quantity);
  }

  // Stock-outs: locations holding none to sell of a SKU the window's orders asked for.
  const items = input.stock.filter((s) => s.available <= 0).map((s) => ({ sku: s.sku, locationId: s.locationId })).sort((a, b) => a.sku.localeCompare(b.sku) || a.locationId.localeCompare(b.locationId));
  const skus = new Set([...items.map((i) => i.sku), ...backorderedBySku.keys()]);
  const bySku = [...skus]
    .map((sku) => ({ sku, locations: items.filter((i) => i.sku === sku).length, backorderedUnits: backorderedBySku.get(sku) ?? 0 }))
    .sort((a, b) => b.backorderedUnits - a.backorderedUnits || b.locations - a.locations || a.sku.localeCompare(b.sku));

  // Re-routes: every attempt after the first, in the window, by why it started.
  const reasons = new Map<string, number>();
  for (const order of orders) {
    for (const change of order.history) {
      const attempt = /^attempt (\d+)/.exec(change.reason ?? '');
      if (change.status !== 'ROUTING' || !attempt || Number(attempt[1]) < 2) continue;
      const at = Date.parse(change.at);
      if (at < from || at >= to) continue;
      const reason = rerouteReason(change.reason!);
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
  }
  const byReason = [...reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));

  return {
    window: { from: input.from.toISOString(), to: input.to.toISOString(), bucketMinutes },
    orders: { total: orders.length, byStatus },
    perMinute,
    timeToAllocate: { orders: allocationTimes.length, p50Ms: percentile(allocationTimes, 50), p99Ms: percentile(allocationTimes, 99) },
    parcelsPerOrder: {
      orders: withParcels,
      mean: withParcels ? round(totalParcels / withParcels, 3) : null,
      distribution: [...distribution].map(([parcels, count]) => ({ parcels, orders: count })).sort((a, b) => a.parcels - b.parcels),
    },
    shippingCostPerOrder: { orders: withParcels, mean: withParcels ? round(totalCost / withParcels) : null, total: round(totalCost) },
    co2PerOrder: { orders: withParcels, meanGrams: withParcels ? round(totalCo2 / withParcels, 1) : null, totalGrams: round(totalCo2, 1) },
    onTime: { due, onTime, share: due ? round(onTime / due, 4) : null },
    backorders: { orders: backorderedOrders, units: backorderedUnits, byAge: BACKORDER_AGES.map((age) => ({ age, ...ages.get(age)! })) },
    stockOuts: { items, bySku },
    reroutes: { total: byReason.reduce((sum, r) => sum + r.count, 0), byReason },
  };
}
