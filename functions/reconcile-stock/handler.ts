import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { reconcileStock } from '#application/inventory/reconcile-stock';
import { dynamoStockReconcileStore } from '#adapters/dynamodb/stock-reconcile-store';
import { systemClock } from '#adapters/system/system';
import { logger, metrics } from '#powertools/index';
import { taskHandler } from '#powertools/task-handler';

const deps = { stock: dynamoStockReconcileStore, clock: systemClock };

/** Scheduled: recomputes stock items' reserved units from the open reservations, reports drift and corrects it. */
export const handler = taskHandler(async () => {
  const run = await reconcileStock(deps);
  metrics.addMetric('StockDrift', MetricUnit.Count, run.drifts.length);
  metrics.addMetric('StockDriftCorrected', MetricUnit.Count, run.corrected);
  metrics.addMetric('StockItemsReconciled', MetricUnit.Count, run.checked);
  metrics.addMetric('ReconcileFailures', MetricUnit.Count, run.failed.length);
  for (const drift of run.drifts) logger.warn('Stock drift', { ...drift });
  for (const { tenantId, error } of run.failed) logger.error('Reconciler could not check a tenant', { tenantId, error: error as Error });
  return { tenants: run.tenants, checked: run.checked, drifts: run.drifts.length, corrected: run.corrected, unfinished: run.unfinished.length, failed: run.failed.length };
});
