import middy from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { fanOutEvent } from '#application/notifications/fan-out';
import { dynamoDeliveryStore, dynamoWebhookStore } from '#adapters/dynamodb/webhook-store';
import { sqsDeliveryQueue } from '#adapters/sqs/delivery-queue';
import { systemClock } from '#adapters/system/system';
import { ttlCache } from '#adapters/ttl-cache';
import { subscriptionCacheMs } from '#config/webhooks';
import { metadataSchema } from '#events/envelope';
import { logger, metrics, tracer } from '#powertools/index';

/** A bus event as the rule's queue target carries it (the whole EventBridge event is the message body). */
const busEventSchema = z.object({
  id: z.string().optional(),
  'detail-type': z.string(),
  detail: z.object({ metadata: metadataSchema.extend({ tenantId: z.string().regex(/^t_[a-z0-9]{10,32}$/) }), data: z.unknown() }),
});
const processor = new BatchProcessor(EventType.SQS);
// Every DOM event comes here, mostly for tenants with few or no webhooks: their subscriptions are read at most once
// per cache period per container (a new webhook starts receiving within it).
const deps = {
  webhooks: { ...dynamoWebhookStore, list: ttlCache((tenantId) => dynamoWebhookStore.list(tenantId), subscriptionCacheMs()) },
  deliveries: dynamoDeliveryStore,
  queue: sqsDeliveryQueue,
  clock: systemClock,
};

/** One bus event: offered to its tenant's subscriptions. A failure to queue throws: only this message comes back. */
const recordHandler = async (record: SQSRecord) => {
  const parsed = busEventSchema.safeParse(JSON.parse(record.body));
  if (!parsed.success) {
    // Not a DOM event envelope: it names no tenant to deliver to. Counted and dropped, never retried.
    logger.warn('Not a DOM event envelope; nothing to deliver', { messageId: record.messageId });
    metrics.addMetric('WebhookEventsSkipped', MetricUnit.Count, 1);
    return;
  }
  const { detail } = parsed.data;
  const result = await fanOutEvent(deps, { detailType: parsed.data['detail-type'], metadata: detail.metadata, data: detail.data });
  metrics.addMetric('WebhookDeliveriesQueued', MetricUnit.Count, result.enqueued);
  if (result.duplicates) logger.info('Event already fanned out; duplicates skipped', { eventId: detail.metadata.eventId, duplicates: result.duplicates });
};

/**
 * Consumer of the webhook-events queue (the bus rule's target, batched: one invocation for up to 100 events): offers
 * each event to its tenant's webhook subscriptions, reporting the events it could not queue as partial failures.
 */
export const handler = middy((event: SQSEvent, context: Context) => processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false }))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics));
