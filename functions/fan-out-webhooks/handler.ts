import middy from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { EventBridgeEvent } from 'aws-lambda';
import { z } from 'zod';
import { fanOutEvent } from '#application/notifications/fan-out';
import { dynamoDeliveryStore, dynamoWebhookStore } from '#adapters/dynamodb/webhook-store';
import { sqsDeliveryQueue } from '#adapters/sqs/delivery-queue';
import { systemClock } from '#adapters/system/system';
import { ttlCache } from '#adapters/ttl-cache';
import { subscriptionCacheMs } from '#config/webhooks';
import { metadataSchema } from '#events/envelope';
import { logger, metrics, tracer } from '#powertools/index';

const detailSchema = z.object({ metadata: metadataSchema.extend({ tenantId: z.string().regex(/^t_[a-z0-9]{10,32}$/) }), data: z.unknown() });
// Every DOM event comes here, mostly for tenants with few or no webhooks: their subscriptions are read at most once
// per cache period per container (a new webhook starts receiving within it).
const deps = {
  webhooks: { ...dynamoWebhookStore, list: ttlCache((tenantId) => dynamoWebhookStore.list(tenantId), subscriptionCacheMs()) },
  deliveries: dynamoDeliveryStore,
  queue: sqsDeliveryQueue,
  clock: systemClock,
};

/**
 * Target of the bus rule matching every DOM event: offers it to the tenant's webhook subscriptions. A detail that is
 * not a DOM envelope names no tenant to deliver to and is skipped (counted); a failure to queue throws, so the
 * invocation is retried and, after the retries, lands in the rule target's dead-letter queue.
 */
export const handler = middy(async (event: EventBridgeEvent<string, unknown>) => {
  const detail = detailSchema.safeParse(event.detail);
  if (!detail.success) {
    logger.warn('Not a DOM event envelope; nothing to deliver', { detailType: event['detail-type'], id: event.id });
    metrics.addMetric('WebhookEventsSkipped', MetricUnit.Count, 1);
    return;
  }
  logger.appendKeys({ tenantId: detail.data.metadata.tenantId, eventId: detail.data.metadata.eventId });
  const result = await fanOutEvent(deps, { detailType: event['detail-type'], metadata: detail.data.metadata, data: detail.data.data });
  metrics.addMetric('WebhookDeliveriesQueued', MetricUnit.Count, result.enqueued);
  if (result.duplicates) logger.info('Event already fanned out; duplicates skipped', { duplicates: result.duplicates });
})
  .use(injectLambdaContext(logger, { resetKeys: true, correlationIdPath: 'detail.metadata.correlationId' }))
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics));
