import { deleteWebhook } from '#application/notifications/webhooks';
import { dynamoWebhookStore } from '#adapters/dynamodb/webhook-store';
import { httpHandler } from '#http/handler';
import { pathParameters, tenantIdOf } from '#http/request';
import { webhookPathSchema } from '#http/webhook-schemas';
import { webhookProblem } from '#http/webhook-problems';

const deps = { webhooks: dynamoWebhookStore };

/** DELETE /webhooks/{webhookId}: queued deliveries to it are cancelled when they come up. */
export const handler = httpHandler(async (event) => {
  const { webhookId } = pathParameters(event, webhookPathSchema);
  await deleteWebhook(deps, tenantIdOf(event), webhookId).catch(webhookProblem);
  return { statusCode: 204, headers: {}, body: '' };
});
