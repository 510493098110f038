import middy from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { publishTableChanges } from '#application/table-events/publish-table-change';
import { itemChangeOf } from '#adapters/dynamodb/stream-records';
import { eventBridgePublisher } from '#adapters/eventbridge/event-publisher';
import { kpisForChange } from '#domain/table-events/kpis';
import { logger, metrics, tracer } from '#powertools/index';
import { publishKpis } from '#powertools/kpis';

const deps = {
  events: eventBridgePublisher,
  metrics,
  onUnreadable: (change: { changeId: string }, error: unknown) => logger.error('Change has no readable events', { changeId: change.changeId, error: String(error) }),
};

/**
 * The outbox relay: the batch's committed changes become their domain events, published together (ten to a
 * PutEvents call). A record with a refused event is reported by sequence number, so Lambda reads it again: never lost.
 */
export const handler = middy(async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  metrics.addMetric('ChangesRead', MetricUnit.Count, event.Records.length);
  const changes = event.Records.map((record) => ({ record, change: itemChangeOf(record) }));
  const { failed } = await publishTableChanges(deps, changes.map(({ change }) => change));
  const failedIds = new Set(failed);
  const batchItemFailures = changes.filter(({ change }) => failedIds.has(change.changeId)).map(({ record }) => ({ itemIdentifier: record.dynamodb!.SequenceNumber! }));
  if (batchItemFailures.length) logger.warn('Events refused by the bus; their records will be read again', { records: batchItemFailures.length });
  // Business KPIs of the changes published (a failed one is counted when its record comes back).
  publishKpis(changes.filter(({ change }) => !failedIds.has(change.changeId)).flatMap(({ change }) => kpisForChange(change)));
  return { batchItemFailures };
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics));
