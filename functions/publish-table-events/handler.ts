import middy from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { DynamoDBRecord, DynamoDBStreamEvent, Context } from 'aws-lambda';
import { publishTableChange } from '#application/table-events/publish-table-change';
import { itemChangeOf } from '#adapters/dynamodb/stream-records';
import { eventBridgePublisher } from '#adapters/eventbridge/event-publisher';
import { logger, metrics, tracer } from '#powertools/index';

const processor = new BatchProcessor(EventType.DynamoDBStreams);
const deps = { events: eventBridgePublisher, metrics };

/** The outbox relay: each committed change becomes its domain events; a failed record is reported, never dropped. */
const recordHandler = async (record: DynamoDBRecord) => publishTableChange(deps, itemChangeOf(record));

export const handler = middy((event: DynamoDBStreamEvent, context: Context) => {
  metrics.addMetric('ChangesRead', MetricUnit.Count, event.Records.length);
  return processPartialResponse(event, recordHandler, processor, { context });
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics));
