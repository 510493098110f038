import { computeKpis, type KpiStockItem, type Kpis } from '#domain/ops/kpis';
import type { Order } from '#domain/orders/order';
import type { Shipment } from '#domain/orders/shipment';
import type { Clock } from '#application/ports';

/** Port: what the KPIs are computed from, all of one tenant. */
export interface KpiSource {
  /** Orders created in [from, to), newest first, at most `max`; `truncated` when there were more. */
  ordersCreatedBetween(tenantId: string, from: Date, to: Date, max: number): Promise<{ orders: Order[]; truncated: boolean }>;
  shipmentsOf(tenantId: string, orderIds: readonly string[]): Promise<Shipment[]>;
  stockOf(tenantId: string, skus: readonly string[]): Promise<KpiStockItem[]>;
}

/** Orders one KPI request reads (each costs a read of its shipments): a busier window is reported as truncated. */
export const MAX_KPI_ORDERS = 2000;
/** SKUs whose stock is read for the stock-outs, the most ordered first. */
export const MAX_KPI_SKUS = 100;

/** The tenant's KPIs over [from, to): load what the window's orders touched, then the pure arithmetic. */
export async function tenantKpis(deps: { source: KpiSource; clock: Clock }, tenantId: string, window: { from: Date; to: Date }): Promise<Kpis & { truncated: boolean }> {
  const { orders, truncated } = await deps.source.ordersCreatedBetween(tenantId, window.from, window.to, MAX_KPI_ORDERS);
  const units = new Map<string, number>();
  for (const order of orders) for (const line of order.lines) units.set(line.sku, (units.get(line.sku) ?? 0) + line.quantity);
  const skus = [...units].sort((a, b) => b[1] - a[1]).slice(0, MAX_KPI_SKUS).map(([sku]) => sku);
  const [shipments, stock] = await Promise.all([deps.source.shipmentsOf(tenantId, orders.map((o) => o.orderId)), deps.source.stockOf(tenantId, skus)]);
  return { ...computeKpis({ ...window, now: deps.clock.now(), orders, shipments, stock }), truncated };
}
