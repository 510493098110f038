import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { releaseWindows, type ReleaseDeps } from '#application/orders/release-windows';
import { fulfillmentDeps, sweepDeps } from '#adapters/orders';
import { dynamoConsolidationWriter, dynamoReleaseClaims } from '#adapters/dynamodb/release-claim-store';
import { dynamoReoptimisationStore } from '#adapters/dynamodb/reoptimisation-store';
import { logger, metrics } from '#powertools/index';
import { taskHandler } from '#powertools/task-handler';

const deps: ReleaseDeps = { ...fulfillmentDeps, workflows: sweepDeps.workflows, stuck: sweepDeps.stuck, claims: dynamoReleaseClaims, consolidations: dynamoConsolidationWriter, reoptimisations: dynamoReoptimisationStore };

/** Scheduled every minute (issue 17): each tenant's due release window, claimed once and allocated together. */
export const handler = taskHandler(async () => {
  const released = await releaseWindows(deps);
  metrics.addMetric('ReleaseWindows', MetricUnit.Count, released.windows);
  metrics.addMetric('ReleasedOrdersAllocated', MetricUnit.Count, released.allocated);
  metrics.addMetric('ReleasedOrdersHandedOff', MetricUnit.Count, released.handedOff);
  metrics.addMetric('ShipmentsConsolidated', MetricUnit.Count, released.consolidated);
  metrics.addMetric('OrdersReoptimised', MetricUnit.Count, released.reoptimised);
  metrics.addMetric('ReleaseFailures', MetricUnit.Count, released.failed.length);
  for (const considered of released.reoptimisations) logger.info('Re-optimisation considered', { ...considered });
  for (const { tenantId, error } of released.failed) logger.error('Release of a window failed', { tenantId, error: error as Error });
  if (released.windows) logger.info('Released windows', { windows: released.windows, allocated: released.allocated, handedOff: released.handedOff });
  return { tenants: released.tenants, windows: released.windows, allocated: released.allocated, handedOff: released.handedOff, consolidated: released.consolidated, reoptimised: released.reoptimised, failed: released.failed.length };
});
