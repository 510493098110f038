import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { reserveAndConfirm, type FulfillmentState } from '#application/orders/fulfillment';
import { fulfillmentDeps } from '#adapters/orders';
import { logger, metrics } from '#powertools/index';
import { taskHandler } from '#powertools/task-handler';

/** Workflow task: reserve the rated parcels and confirm the allocation in one transaction; on a lost race, say which pairs to route around. */
export const handler = taskHandler(
  async (state: FulfillmentState) => {
    logger.appendKeys({ tenantId: state.tenantId, orderId: state.orderId, attempt: state.attempt });
    const done = await reserveAndConfirm(fulfillmentDeps, state);
    if (done.outcome === 'CONFIRMED') metrics.addMetric(`Orders${done.status}`, MetricUnit.Count, 1);
    if (done.outcome === 'RETRY') metrics.addMetric('ReservationRacesLost', MetricUnit.Count, 1);
    logger.info('Reserve and confirm', { outcome: done.outcome, status: done.status });
    return done;
  },
  { correlationIdPath: 'correlationId' },
);
