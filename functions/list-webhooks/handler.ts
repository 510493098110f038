import { listWebhooks } from '#application/notifications/webhooks';
import { dynamoWebhookStore } from '#adapters/dynamodb/webhook-store';
import { httpHandler } from '#http/handler';
import { tenantIdOf } from '#http/request';
import { json } from '#http/response';

const deps = { webhooks: dynamoWebhookStore };

/** GET /webhooks: the tenant's subscriptions, without their secrets. */
export const handler = httpHandler(async (event) => json(200, { items: await listWebhooks(deps, tenantIdOf(event)) }));
