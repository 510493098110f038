/**
 * Dead letters as a tenant sees them (pure). The DLQs are shared by every tenant, so each message is attributed to the
 * tenant its body names, and a tenant is shown and may redrive only its own: a body that names no tenant (a stream
 * batch's failure record, a message that is not JSON) belongs to no tenant and is left to the operators' CLI.
 */

/** The queues whose dead letters the ops console shows and moves back: each has a consumer that will read them again. */
export const REDRIVABLE_QUEUES = ['inventoryFeed', 'webhookEvents', 'webhookDeliveries'] as const;
export type RedrivableQueue = (typeof REDRIVABLE_QUEUES)[number];

const record = (value: unknown): Record<string, unknown> | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * The tenant a dead letter belongs to: `tenantId` at the top (a webhook delivery, an inventory feed message) or in a
 * bus event's `detail.metadata` (the webhook fan-out's events).
 */
export function tenantOfDeadLetter(body: unknown): string | undefined {
  const top = record(body);
  if (!top) return undefined;
  return text(top.tenantId) ?? text(record(record(top.detail)?.metadata)?.tenantId);
}

export interface DeadLetterSummary {
  /** What the message was: the event's type, `delivery`, `adjustments`. */
  kind: string;
  orderId?: string;
  webhookId?: string;
  eventId?: string;
  /** Adjustments an inventory feed message carried. */
  adjustments?: number;
}

/** A few words on what a dead letter was about, for the console's list (never the whole payload). */
export function summarizeDeadLetter(queue: RedrivableQueue, body: unknown): DeadLetterSummary {
  const top = record(body) ?? {};
  if (queue === 'webhookDeliveries') {
    return { kind: text(top.eventType) ?? 'delivery', ...(text(top.webhookId) ? { webhookId: text(top.webhookId)! } : {}), ...(text(top.eventId) ? { eventId: text(top.eventId)! } : {}) };
  }
  if (queue === 'inventoryFeed') return { kind: 'adjustments', adjustments: Array.isArray(top.adjustments) ? top.adjustments.length : 0 };
  const detail = record(top.detail);
  const orderId = text(record(detail?.data)?.orderId);
  const eventId = text(record(detail?.metadata)?.eventId);
  return { kind: text(top['detail-type']) ?? 'event', ...(orderId ? { orderId } : {}), ...(eventId ? { eventId } : {}) };
}
