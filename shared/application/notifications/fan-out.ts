import { planDeliveries, type BusEvent } from '#domain/notifications/webhooks';
import { enqueueDeliveries, type EnqueueDeps } from './enqueue.ts';
import type { WebhookStore } from './ports.ts';

export interface FanOutDeps extends EnqueueDeps {
  webhooks: WebhookStore;
}

export interface FanOutResult {
  subscriptions: number;
  enqueued: number;
  duplicates: number;
}

/**
 * Offers one bus event to its tenant's subscriptions: one Query for them, one queued message per matching
 * subscription. Throws when a message could not be queued, so the bus retries the event (the queued ones are skipped).
 */
export async function fanOutEvent(deps: FanOutDeps, event: BusEvent): Promise<FanOutResult> {
  const subscriptions = await deps.webhooks.list(event.metadata.tenantId);
  const planned = planDeliveries(subscriptions, event);
  if (planned.length === 0) return { subscriptions: subscriptions.length, enqueued: 0, duplicates: 0 };
  const { enqueued, duplicates } = await enqueueDeliveries(deps, event, planned);
  return { subscriptions: subscriptions.length, enqueued: enqueued.length, duplicates: duplicates.length };
}
