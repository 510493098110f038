import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { confirmAllocation, type FulfillmentState } from '#application/orders/fulfillment';
import { fulfillmentDeps } from '#adapters/orders';
import { logger, metrics } from '#powertools/index';
import { taskHandler } from '#powertools/task-handler';

/** Workflow task: shipments, status and held reservations in one transaction. */
export const handler = taskHandler(
  async (state: FulfillmentState) => {
    logger.appendKeys({ tenantId: state.tenantId, orderId: state.orderId, attempt: state.attempt });
    const confirmed = await confirmAllocation(fulfillmentDeps, state);
    metrics.addMetric(`Orders${confirmed.status}`, MetricUnit.Count, 1);
    logger.info('Allocation confirmed', { status: confirmed.status, shipments: confirmed.shipments.length });
    return confirmed;
  },
  { correlationIdPath: 'correlationId' },
);
