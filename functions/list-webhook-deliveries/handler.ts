import { listDeliveries } from '#application/notifications/webhooks';
import { dynamoDeliveryStore, dynamoWebhookStore } from '#adapters/dynamodb/webhook-store';
import { httpHandler } from '#http/handler';
import { pathParameters, queryParameters, tenantIdOf } from '#http/request';
import { decodeCursor, encodeCursor } from '#application/cursor';
import { json } from '#http/response';
import { deliveriesQuerySchema, webhookPathSchema } from '#http/webhook-schemas';
import { webhookProblem } from '#http/webhook-problems';

const deps = { webhooks: dynamoWebhookStore, deliveries: dynamoDeliveryStore };

/** GET /webhooks/{webhookId}/deliveries: the last 7 days' deliveries, newest first, with every attempt. */
export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const { webhookId } = pathParameters(event, webhookPathSchema);
  const query = queryParameters(event, deliveriesQuerySchema);
  const after = decodeCursor(query.cursor);
  const page = await listDeliveries(deps, tenantId, webhookId, { limit: query.limit, ...(after ? { after } : {}) }).catch(webhookProblem);
  const items = page.items.map(({ tenantId: _t, webhookId: _w, enqueuedAt: _e, expiresAt: _x, ...delivery }) => delivery);
  return json(200, { items, nextCursor: encodeCursor(page.next) });
});
