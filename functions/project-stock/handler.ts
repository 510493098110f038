import middy from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { networkKey, projectStockChanges } from '#application/inventory/project-stock';
import { networkChangeOf } from '#adapters/dynamodb/inventory-records';
import { dynamoSkuNetworkStore } from '#adapters/dynamodb/stock-store';
import { systemClock } from '#adapters/system/system';
import { logger, metrics, tracer } from '#powertools/index';

const deps = { networks: dynamoSkuNetworkStore, clock: systemClock };

/**
 * Keeps the SKU network projection. Unlike the per-record BatchProcessor consumers, the batch is folded per SKU (a hot
 * SKU's many records become one write), so partial failures are reported here: every record of a SKU whose write
 * failed. Lambda resumes from the first of them; the records after it are replayed, which versions make harmless.
 */
export const handler = middy(async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const keyed = event.Records.map((record) => ({ record, change: networkChangeOf(record) }));
  const result = await projectStockChanges(deps, keyed.flatMap(({ change }) => (change ? [change] : [])));
  for (const lag of result.lagsMs) metrics.addMetric('ProjectionLagMs', MetricUnit.Milliseconds, lag);
  metrics.addMetric('ProjectionsWritten', MetricUnit.Count, result.written);
  if (result.failed.size) logger.warn('Projection writes failed; their records will be retried', { skus: [...result.failed].slice(0, 20) });
  return {
    batchItemFailures: keyed
      .filter(({ change }) => change && result.failed.has(networkKey(change.tenantId, change.sku)))
      .map(({ record }) => ({ itemIdentifier: record.dynamodb!.SequenceNumber! })),
  };
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics));
