import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EventBridgeEvent } from 'aws-lambda';
import { startFirstAttempt, startFulfillment } from '#application/orders/lifecycle';
import { lifecycleDeps } from '#adapters/orders';
import { logger, metrics } from '#powertools/index';
import { taskHandler } from '#powertools/task-handler';

type Detail = { metadata: { tenantId: string; correlationId: string }; data: { orderId: string; status?: string } };

/** Rule target (OrderAccepted, ShipmentRejected): starts the order's next routing attempt, once per attempt. */
export const handler = taskHandler(
  async (event: EventBridgeEvent<string, Detail>) => {
    const { metadata, data } = event.detail;
    logger.appendKeys({ tenantId: metadata.tenantId, orderId: data.orderId });
    const input = { tenantId: metadata.tenantId, orderId: data.orderId, correlationId: metadata.correlationId };
    // OrderAccepted starts attempt 1 of a new order; anything else (a rejection) claims the order's next attempt.
    const outcome =
      event['detail-type'] === 'OrderAccepted'
        ? data.status === 'ACCEPTED'
          ? await startFirstAttempt(lifecycleDeps, input)
          : 'not-needed'
        : await startFulfillment(lifecycleDeps, { ...input, reason: event['detail-type'] });
    metrics.addMetric(outcome === 'started' ? 'WorkflowsStarted' : 'WorkflowStartsSkipped', MetricUnit.Count, 1);
    logger.info('Fulfilment start', { trigger: event['detail-type'], outcome });
    return outcome;
  },
  { correlationIdPath: 'detail.metadata.correlationId' },
);
