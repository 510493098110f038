import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { rateParcel, type PlannedParcel } from '#application/orders/fulfillment';
import { fulfillmentDeps } from '#adapters/orders';
import { logger, metrics } from '#powertools/index';
import { taskHandler } from '#powertools/task-handler';

/** Workflow task (one per parcel, in a Map): carrier, service, cost, promised date and CO2 by the customer's preference. */
export const handler = taskHandler(
  async (parcel: PlannedParcel) => {
    logger.appendKeys({ tenantId: parcel.tenantId, orderId: parcel.orderId });
    const rated = await rateParcel(fulfillmentDeps, parcel);
    metrics.addMetric(rated.quote?.upgraded ? 'ParcelsRatedWithVipUpgrade' : 'ParcelsRated', MetricUnit.Count, 1);
    return rated;
  },
  { correlationIdPath: 'orderId' },
);
