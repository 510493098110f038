import { z } from 'zod';
import { MAX_URL_LENGTH } from '#domain/notifications/url-policy';
import { EVENT_TYPE_PATTERN, MAX_EVENT_TYPES_PER_WEBHOOK, WEBHOOK_KINDS, WILDCARD } from '#domain/notifications/webhooks';

/** Request and response schemas of the webhook routes (operations.ts lists the routes; the OpenAPI document shows these). */

const webhookIdSchema = z.string().regex(/^wh_[a-z0-9]{10,40}$/, 'must be a webhook id (wh_...)');

export const webhookPathSchema = z.strictObject({ webhookId: webhookIdSchema });

export const createWebhookSchema = z
  .strictObject({
    url: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH} characters`)
      .describe('Where deliveries are POSTed: https, on a public address'),
    events: z
      .array(z.string().refine((v) => v === WILDCARD || EVENT_TYPE_PATTERN.test(v), 'must be an event type such as OrderAllocated, or *'))
      .min(1, 'must name at least one event type, or *')
      .max(MAX_EVENT_TYPES_PER_WEBHOOK, `must name at most ${MAX_EVENT_TYPES_PER_WEBHOOK} event types`)
      .describe('Event types (detail types) to receive, or ["*"] for all'),
    kind: z
      .enum(WEBHOOK_KINDS)
      .default('events')
      .describe('`events`: the events themselves; `customer-notifications`: rendered customer messages for order status events, for your messaging gateway'),
    description: z.string().trim().max(200, 'must be at most 200 characters').optional(),
  })
  .meta({ id: 'CreateWebhook' });

const webhookFields = {
  webhookId: z.string(),
  kind: z.enum(WEBHOOK_KINDS),
  url: z.string(),
  events: z.array(z.string()),
  description: z.string().optional(),
  createdAt: z.iso.datetime(),
};

export const webhookSchema = z.object(webhookFields).meta({ id: 'Webhook' });

export const createdWebhookSchema = z
  .object({ ...webhookFields, secret: z.string().describe('The signing secret (whsec_...): shown only in this response') })
  .meta({ id: 'CreatedWebhook' });

export const webhookListSchema = z.object({ items: z.array(webhookSchema) }).meta({ id: 'WebhookList' });

export const webhookTestQueuedSchema = z.object({ deliveryId: z.string(), eventId: z.string() }).meta({ id: 'WebhookTestQueued' });

export const deliveriesQuerySchema = z.strictObject({
  limit: z.coerce.number().int('must be an integer').min(1, 'must be >= 1').max(100, 'must be <= 100').default(20),
  cursor: z.string().max(2048, 'must be at most 2048 characters').optional().describe('The `nextCursor` of the previous page'),
});

export const deliverySchema = z
  .object({
    deliveryId: z.string().describe('Sent as `webhook-id` on every attempt'),
    eventId: z.string(),
    eventType: z.string(),
    orderId: z.string().optional().describe('The order the event is about, if any'),
    occurredAt: z.iso.datetime(),
    status: z.enum(['PENDING', 'DELIVERED', 'RETRYING', 'CANCELLED']),
    createdAt: z.iso.datetime(),
    attempts: z.array(
      z.object({
        attempt: z.number().int(),
        at: z.iso.datetime(),
        statusCode: z.number().int().optional(),
        error: z.string().optional(),
        latencyMs: z.number(),
      }),
    ),
  })
  .meta({ id: 'WebhookDelivery' });

export const deliveryPageSchema = z
  .object({ items: z.array(deliverySchema), nextCursor: z.string().optional() })
  .meta({ id: 'WebhookDeliveryPage' });
