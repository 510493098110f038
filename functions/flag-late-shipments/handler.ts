import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { flagLateShipments } from '#application/orders/delays';
import { delayDeps } from '#adapters/orders';
import { logger, metrics } from '#powertools/index';
import { taskHandler } from '#powertools/task-handler';

/** Scheduled: marks open shipments whose promised delivery date has passed; each becomes one OrderDelayed event. */
export const handler = taskHandler(async () => {
  const result = await flagLateShipments(delayDeps);
  metrics.addMetric('ShipmentsFlaggedLate', MetricUnit.Count, result.flagged);
  if (result.flagged) logger.warn('Shipments past their promised delivery date', result);
  return result;
});
