import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { markOrderFailed } from '#application/orders/fulfillment';
import { fulfillmentDeps } from '#adapters/orders';
import { logger, metrics } from '#powertools/index';
import { taskHandler } from '#powertools/task-handler';

/** The workflow's Catch: the order becomes FAILED with the error as its reason, so ops see it on the order itself. */
export const handler = taskHandler(
  async (input: { tenantId: string; orderId: string; error?: { Error?: string; Cause?: string } }) => {
    logger.appendKeys({ tenantId: input.tenantId, orderId: input.orderId });
    logger.error('Order fulfilment failed', { error: input.error?.Error, cause: input.error?.Cause });
    metrics.addMetric('OrdersFailed', MetricUnit.Count, 1);
    return markOrderFailed(fulfillmentDeps, input);
  },
  { correlationIdPath: 'orderId' },
);
