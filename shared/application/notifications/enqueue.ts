import type { BusEvent, PlannedDelivery } from '#domain/notifications/webhooks';
import type { Clock } from '../ports.ts';
import { DeliveryEnqueueError } from './errors.ts';
import type { DeliveryMessage, DeliveryQueue, DeliveryStore } from './ports.ts';

export interface EnqueueDeps {
  deliveries: DeliveryStore;
  queue: DeliveryQueue;
  clock: Clock;
}

/** The order an event is about (`data.orderId`), as an optional field of its deliveries. */
function orderIdOf(event: BusEvent): { orderId?: string } {
  const orderId = (event.data as { orderId?: unknown } | undefined)?.orderId;
  return typeof orderId === 'string' && orderId !== '' ? { orderId } : {};
}

/** Delivery records are kept 7 days, for `GET /webhooks/{webhookId}/deliveries`. */
export const DELIVERY_RETENTION_SECONDS = 7 * 24 * 3600;
/** How long a fan-out holds a delivery it is queuing: longer than the fan-out function's timeout. */
export const CLAIM_LEASE_SECONDS = 60;

/**
 * Queues the planned deliveries of an event, once each: the delivery record (keyed by webhook and event) is claimed
 * first, and a delivery already queued, or being queued by a concurrent invocation, is skipped, so an event the bus
 * delivers twice makes one message per subscription. A crash between sending and marking re-sends once the claim
 * lapses; the deliverer and the receiver (same `webhook-id`) drop that duplicate.
 */
export async function enqueueDeliveries(deps: EnqueueDeps, event: BusEvent, planned: PlannedDelivery[]): Promise<{ enqueued: string[]; duplicates: string[] }> {
  const now = deps.clock.now();
  const claimed = await Promise.all(
    planned.map((p) =>
      deps.deliveries.claim({
        tenantId: p.subscription.tenantId,
        webhookId: p.subscription.webhookId,
        deliveryId: p.deliveryId,
        occurredAt: event.metadata.occurredAt,
        eventId: event.metadata.eventId,
        eventType: event.detailType,
        ...orderIdOf(event),
        status: 'PENDING',
        createdAt: now.toISOString(),
        attempts: [],
        expiresAt: Math.floor(now.getTime() / 1000) + DELIVERY_RETENTION_SECONDS,
      }, now, CLAIM_LEASE_SECONDS),
    ),
  );
  const duplicates: string[] = [];
  const messages: DeliveryMessage[] = [];
  planned.forEach((p, i) => {
    if (!claimed[i]) {
      duplicates.push(p.deliveryId);
      return;
    }
    messages.push({
      tenantId: p.subscription.tenantId,
      webhookId: p.subscription.webhookId,
      deliveryId: p.deliveryId,
      occurredAt: event.metadata.occurredAt,
      eventId: event.metadata.eventId,
      eventType: event.detailType,
      body: p.body,
    });
  });
  if (messages.length === 0) return { enqueued: [], duplicates };
  const { failed } = await deps.queue.send(messages);
  const failedIds = new Set(failed);
  const sent = messages.filter((m) => !failedIds.has(m.deliveryId));
  const at = deps.clock.now().toISOString();
  await Promise.all(sent.map((m) => deps.deliveries.markEnqueued(m, at)));
  if (failed.length) {
    await Promise.all(messages.filter((m) => failedIds.has(m.deliveryId)).map((m) => deps.deliveries.release(m)));
    throw new DeliveryEnqueueError(failed);
  }
  return { enqueued: sent.map((m) => m.deliveryId), duplicates };
}
