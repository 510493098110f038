import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { reserveParcels, type FulfillmentState } from '#application/orders/fulfillment';
import { fulfillmentDeps } from '#adapters/orders';
import { logger, metrics } from '#powertools/index';
import { taskHandler } from '#powertools/task-handler';

/** Workflow task: reserve every planned parcel, idempotently; on a lost race, say which pairs to route around. */
export const handler = taskHandler(
  async (state: FulfillmentState) => {
    logger.appendKeys({ tenantId: state.tenantId, orderId: state.orderId, attempt: state.attempt });
    const reserved = await reserveParcels(fulfillmentDeps, state);
    metrics.addMetric(reserved.outcome === 'RESERVED' ? 'ReservationsSucceeded' : 'ReservationRacesLost', MetricUnit.Count, 1);
    return reserved;
  },
  { correlationIdPath: 'correlationId' },
);
