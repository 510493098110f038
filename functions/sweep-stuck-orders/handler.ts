import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { sweepStuckOrders } from '#application/orders/sweeper';
import { sweepDeps } from '#adapters/orders';
import { KPI } from '#domain/table-events/kpis';
import { logger, metrics } from '#powertools/index';
import { publishKpis } from '#powertools/kpis';
import { taskHandler } from '#powertools/task-handler';

/** Scheduled: re-drives orders a lost event or a crash left in flight, and wakes waiting orders whose stock arrived. */
export const handler = taskHandler(async () => {
  const swept = await sweepStuckOrders(sweepDeps);
  metrics.addMetric('StuckOrdersRedriven', MetricUnit.Count, swept.redriven);
  metrics.addMetric('WaitingOrdersWoken', MetricUnit.Count, swept.woken);
  metrics.addMetric('SweepFailures', MetricUnit.Count, swept.failed.length);
  // Every run, zero included, so the OrdersStuck alarm sees a datapoint per sweep.
  publishKpis([
    { name: KPI.ordersStuck, unit: 'Count', value: swept.redriven, dimensions: {} },
    ...(swept.redriven ? [{ name: KPI.reroutes, unit: 'Count' as const, value: swept.redriven, dimensions: { reason: 'stuck' } }] : []),
  ]);
  for (const { tenantId, orderId, error } of swept.failed) logger.error('Sweeper could not handle an order', { tenantId, orderId, error: error as Error });
  if (swept.redriven || swept.woken) logger.warn('Re-drove orders', { tenants: swept.tenants, redriven: swept.redriven, woken: swept.woken });
  return { tenants: swept.tenants, redriven: swept.redriven, woken: swept.woken, failed: swept.failed.length };
});
