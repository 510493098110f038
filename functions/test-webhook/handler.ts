import { sendTestWebhook } from '#application/notifications/webhooks';
import { dynamoDeliveryStore, dynamoWebhookStore } from '#adapters/dynamodb/webhook-store';
import { sqsDeliveryQueue } from '#adapters/sqs/delivery-queue';
import { randomIds, systemClock } from '#adapters/system/system';
import { httpHandler } from '#http/handler';
import { pathParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';
import { webhookPathSchema } from '#http/webhook-schemas';
import { webhookProblem } from '#http/webhook-problems';

const deps = { webhooks: dynamoWebhookStore, deliveries: dynamoDeliveryStore, queue: sqsDeliveryQueue, ids: randomIds, clock: systemClock };

/** POST /webhooks/{webhookId}/test: queues a signed WebhookTest ping to the subscription. */
export const handler = httpHandler(async (event) => {
  const { webhookId } = pathParameters(event, webhookPathSchema);
  const queued = await sendTestWebhook(deps, tenantIdOf(event), webhookId, event.requestContext.requestId).catch(webhookProblem);
  return json(202, queued);
});
