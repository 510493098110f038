import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EventBridgeEvent } from 'aws-lambda';
import { startFulfillment } from '#application/orders/lifecycle';
import { lifecycleDeps } from '#adapters/orders';
import { logger, metrics } from '#powertools/index';
import { taskHandler } from '#powertools/task-handler';

type Detail = { metadata: { tenantId: string; correlationId: string }; data: { orderId: string } };

/**
 * Rule target (ShipmentRejected): claims the order's next routing attempt and starts it, once per attempt. A new
 * order's first attempt needs no claim: the bus starts the workflow with OrderAccepted itself.
 */
export const handler = taskHandler(
  async (event: EventBridgeEvent<string, Detail>) => {
    const { metadata, data } = event.detail;
    logger.appendKeys({ tenantId: metadata.tenantId, orderId: data.orderId });
    const input = { tenantId: metadata.tenantId, orderId: data.orderId, correlationId: metadata.correlationId };
    const outcome = await startFulfillment(lifecycleDeps, { ...input, reason: event['detail-type'] });
    metrics.addMetric(outcome === 'started' ? 'WorkflowsStarted' : 'WorkflowStartsSkipped', MetricUnit.Count, 1);
    logger.info('Fulfilment start', { trigger: event['detail-type'], outcome });
    return outcome;
  },
  { correlationIdPath: 'detail.metadata.correlationId' },
);
