import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { markOrderFailed, type FulfillmentState } from '#application/orders/fulfillment';
import { fulfillmentDeps } from '#adapters/orders';
import { logger, metrics } from '#powertools/index';
import { taskHandler } from '#powertools/task-handler';

/**
 * The workflow's Catch, with the attempt's whole state: what the attempt reserved goes back and the order becomes FAILED
 * with a merchant-safe reason; the error itself is logged here, with the execution's correlation id, for ops.
 */
export const handler = taskHandler(
  async (input: Partial<FulfillmentState> & Pick<FulfillmentState, 'tenantId' | 'orderId' | 'attempt'> & { error?: { Error?: string; Cause?: string } }) => {
    logger.appendKeys({ tenantId: input.tenantId, orderId: input.orderId, attempt: input.attempt });
    logger.error('Order fulfilment failed', { error: input.error?.Error, cause: input.error?.Cause });
    metrics.addMetric('OrdersFailed', MetricUnit.Count, 1);
    return markOrderFailed(fulfillmentDeps, { tenantId: input.tenantId, orderId: input.orderId, attempt: input.attempt, ...(input.run ? { run: input.run } : {}), parcels: input.parcels ?? [], ...(input.error ? { error: input.error } : {}) });
  },
  { correlationIdPath: 'correlationId' },
);
