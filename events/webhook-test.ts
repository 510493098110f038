import { z } from 'zod';
import { defineEvent } from './envelope.ts';

/**
 * The ping `POST /webhooks/{webhookId}/test` sends to one subscription. It never goes on the bus: it is queued for that
 * subscription directly, and the bus rule of the webhook fan-out excludes every `Webhook*` detail type.
 */
export const WebhookTest = defineEvent(
  'WebhookTest',
  '1.0',
  'A test delivery a merchant asked for, to check their endpoint receives and verifies webhooks.',
  z.object({ webhookId: z.string(), message: z.string() }),
);
