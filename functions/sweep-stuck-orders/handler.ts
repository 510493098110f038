import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { sweepStuckOrders } from '#application/orders/lifecycle';
import { lifecycleDeps } from '#adapters/orders';
import { logger, metrics } from '#powertools/index';
import { taskHandler } from '#powertools/task-handler';

/** Scheduled: re-drives orders stuck in ACCEPTED or ROUTING past their deadline (a lost event, a crashed run). */
export const handler = taskHandler(async () => {
  const swept = await sweepStuckOrders(lifecycleDeps);
  metrics.addMetric('StuckOrdersRedriven', MetricUnit.Count, swept.redriven);
  if (swept.redriven) logger.warn('Re-drove stuck orders', swept);
  return swept;
});
