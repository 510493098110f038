import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { flagLateShipments } from '#application/orders/delays';
import { delayDeps } from '#adapters/orders';
import { logger, metrics } from '#powertools/index';
import { taskHandler } from '#powertools/task-handler';

/**
 * Scheduled: re-routes requested shipments their location did not accept in time, and marks open shipments whose
 * promised delivery date has passed (each becomes one OrderDelayed event); reminds ready pickups halfway through their
 * store's hold and expires those not collected by its end.
 */
export const handler = taskHandler(async () => {
  const result = await flagLateShipments(delayDeps);
  metrics.addMetric('ShipmentsFlaggedLate', MetricUnit.Count, result.flagged);
  metrics.addMetric('ShipmentsReassigned', MetricUnit.Count, result.reassigned);
  metrics.addMetric('PickupsReminded', MetricUnit.Count, result.reminded);
  metrics.addMetric('PickupsExpired', MetricUnit.Count, result.expired);
  metrics.addMetric('ShipmentChecksFailed', MetricUnit.Count, result.failed.length);
  for (const { tenantId, shipmentId, error } of result.failed) logger.error('Could not check a due shipment', { tenantId, shipmentId, error: error as Error });
  const summary = { tenants: result.tenants, flagged: result.flagged, reassigned: result.reassigned, reminded: result.reminded, expired: result.expired, failed: result.failed.length };
  if (result.flagged || result.reassigned) logger.warn('Shipments late or not accepted in time', summary);
  return summary;
});
