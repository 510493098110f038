import { registerWebhook } from '#application/notifications/webhooks';
import { dynamoWebhookStore } from '#adapters/dynamodb/webhook-store';
import { randomIds, sha256Secrets, systemClock } from '#adapters/system/system';
import { allowInsecureLoopback } from '#config/webhooks';
import { httpHandler } from '#http/handler';
import { parseBody, tenantIdOf } from '#http/request';
import { json } from '#http/response';
import { createWebhookSchema } from '#http/webhook-schemas';
import { webhookProblem } from '#http/webhook-problems';

const deps = { webhooks: dynamoWebhookStore, ids: randomIds, secrets: sha256Secrets, clock: systemClock, urlPolicy: { allowInsecureLoopback: allowInsecureLoopback() } };

/** POST /webhooks. The response carries the signing secret, the only time it is shown; it is never logged. */
export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const input = parseBody(event, createWebhookSchema);
  const created = await registerWebhook(deps, tenantId, input).catch(webhookProblem);
  return json(201, created, { location: `/webhooks/${created.webhookId}`, 'cache-control': 'no-store' });
});
