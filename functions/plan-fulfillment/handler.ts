import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { planFulfillment, type FulfillmentState } from '#application/orders/fulfillment';
import { fulfillmentDeps } from '#adapters/orders';
import { logger, metrics } from '#powertools/index';
import { taskHandler } from '#powertools/task-handler';

/** Workflow task: route the order's unallocated units (routing engine over the stock projection and carrier costs). */
export const handler = taskHandler(
  async (state: FulfillmentState) => {
    logger.appendKeys({ tenantId: state.tenantId, orderId: state.orderId, attempt: state.attempt });
    const started = performance.now();
    const planned = await planFulfillment(fulfillmentDeps, state);
    metrics.addMetric('RoutingMs', MetricUnit.Milliseconds, performance.now() - started);
    metrics.addMetric('ParcelsPlanned', MetricUnit.Count, planned.parcels.length);
    logger.info('Order planned', { outcome: planned.outcome, parcels: planned.parcels.length, round: planned.rounds });
    return planned;
  },
  { correlationIdPath: 'correlationId' },
);
