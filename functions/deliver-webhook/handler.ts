import middy from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { deliverWebhook } from '#application/notifications/deliver';
import { dynamoDeliveryStore, dynamoWebhookStore } from '#adapters/dynamodb/webhook-store';
import { pinnedWebhookSender } from '#adapters/http/webhook-sender';
import { sqsDeliveryQueue } from '#adapters/sqs/delivery-queue';
import { systemClock } from '#adapters/system/system';
import { allowInsecureLoopback } from '#config/webhooks';
import { logger, metrics, tracer } from '#powertools/index';

const messageSchema = z.object({
  tenantId: z.string(),
  webhookId: z.string(),
  deliveryId: z.string(),
  occurredAt: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  body: z.string(),
});
const processor = new BatchProcessor(EventType.SQS);
const deps = {
  webhooks: dynamoWebhookStore,
  deliveries: dynamoDeliveryStore,
  queue: sqsDeliveryQueue,
  sender: pinnedWebhookSender({ allowInsecureLoopback: allowInsecureLoopback() }),
  clock: systemClock,
};

/** One delivery attempt per message; a failed one throws, so only it is reported and comes back after its backoff. */
const recordHandler = async (record: SQSRecord) => {
  const message = messageSchema.parse(JSON.parse(record.body));
  const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
  try {
    const outcome = await deliverWebhook(deps, { message, receiptHandle: record.receiptHandle, receiveCount });
    metrics.addMetric(outcome === 'delivered' ? 'WebhooksDelivered' : 'WebhooksSkipped', MetricUnit.Count, 1);
  } catch (error) {
    metrics.addMetric('WebhookAttemptsFailed', MetricUnit.Count, 1);
    logger.warn('Webhook delivery attempt failed', { deliveryId: message.deliveryId, webhookId: message.webhookId, error: (error as Error).message });
    throw error;
  }
};

export const handler = middy((event: SQSEvent, context: Context) =>
  processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false }),
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics));
