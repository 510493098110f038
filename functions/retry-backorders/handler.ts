import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EventBridgeEvent } from 'aws-lambda';
import { retryBackorders } from '#application/orders/lifecycle';
import { lifecycleDeps } from '#adapters/orders';
import { logger, metrics } from '#powertools/index';
import { taskHandler } from '#powertools/task-handler';

type Detail = { metadata: { tenantId: string; correlationId: string }; data: { sku: string; available: number } };

/** Rule target (StockChanged with stock available): routes the orders waiting for that SKU again, oldest first. */
export const handler = taskHandler(
  async (event: EventBridgeEvent<'StockChanged', Detail>) => {
    const { metadata, data } = event.detail;
    logger.appendKeys({ tenantId: metadata.tenantId, sku: data.sku });
    const started = await retryBackorders(lifecycleDeps, { tenantId: metadata.tenantId, sku: data.sku, available: data.available, correlationId: metadata.correlationId });
    metrics.addMetric('BackordersRetried', MetricUnit.Count, started);
    return { started };
  },
  { correlationIdPath: 'detail.metadata.correlationId' },
);
