import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { fulfilOrder, type FulfilInput } from '#application/orders/fulfillment';
import { fulfillmentDeps } from '#adapters/orders';
import { logger, metrics } from '#powertools/index';
import { taskHandler } from '#powertools/task-handler';

/**
 * Workflow task (the routing function): routes one attempt of the order (routing engine over the stock projection,
 * carrier costs, tenant rules), rates its parcels and reserves and confirms them in one transaction; an allocation too
 * large for one transaction comes back PLANNED for the workflow's rate and reserve states.
 */
export const handler = taskHandler(
  async (input: FulfilInput) => {
    logger.appendKeys({ tenantId: input.tenantId, orderId: input.orderId, attempt: input.attempt });
    const started = performance.now();
    const done = await fulfilOrder(fulfillmentDeps, input);
    metrics.addMetric('FulfilMs', MetricUnit.Milliseconds, performance.now() - started);
    if (done.outcome === 'CONFIRMED') metrics.addMetric(`Orders${done.status}`, MetricUnit.Count, 1);
    if (done.rounds > 1) metrics.addMetric('ReservationRacesLost', MetricUnit.Count, done.rounds - 1);
    logger.info('Order fulfilled', { outcome: done.outcome, status: done.status, rounds: done.rounds });
    return done;
  },
  { correlationIdPath: 'correlationId' },
);
