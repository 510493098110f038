import middy from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { adjustInventory } from '#application/inventory/adjust-inventory';
import { dynamoLocationStore } from '#adapters/dynamodb/catalog-store';
import { dynamoStockStore } from '#adapters/dynamodb/stock-store';
import { systemClock } from '#adapters/system/system';
import { inventoryFeedMessageSchema } from '#domain/inventory/schemas';
import { logger, metrics, tracer } from '#powertools/index';

const processor = new BatchProcessor(EventType.SQS);
const deps = { locations: dynamoLocationStore, stock: dynamoStockStore, clock: systemClock };

/**
 * One message = one `{ tenantId, adjustments }` batch. A malformed message throws (retried, then the DLQ keeps it for
 * ops); item-level refusals are final answers, logged and counted; a temporary failure throws so SQS redelivers.
 */
async function recordHandler(record: SQSRecord): Promise<void> {
  const message = inventoryFeedMessageSchema.parse(JSON.parse(record.body));
  const report = await adjustInventory(deps, message.tenantId, message.adjustments);
  metrics.addMetric('AdjustmentsApplied', MetricUnit.Count, report.applied);
  if (report.errors.length || report.ignored.length) {
    logger.warn('Feed adjustments not applied', { messageId: record.messageId, tenantId: message.tenantId, errors: report.errors.slice(0, 20), ignored: report.ignored.length });
    metrics.addMetric('AdjustmentsRefused', MetricUnit.Count, report.errors.length + report.ignored.length);
  }
  const temporary = report.errors.filter((e) => e.code === 'TEMPORARY_FAILURE');
  if (temporary.length) throw new Error(`${temporary.length} adjustment(s) hit a temporary failure; the message will be redelivered`);
}

export const handler = middy((event: SQSEvent, context: Context) => processPartialResponse(event, recordHandler, processor, { context }))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics));
