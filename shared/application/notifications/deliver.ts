import { isDelivered, retryDelaySeconds } from '#domain/notifications/backoff';
import { signedHeaders } from '#domain/notifications/signature';
import type { Clock } from '../ports.ts';
import { WebhookDeliveryFailedError } from './errors.ts';
import type { DeliveryMessage, DeliveryQueue, DeliveryStore, WebhookSender, WebhookStore } from './ports.ts';

export interface DeliverDeps {
  webhooks: WebhookStore;
  deliveries: DeliveryStore;
  queue: DeliveryQueue;
  sender: WebhookSender;
  clock: Clock;
}

/** A request that takes longer is a failed attempt. */
export const DELIVERY_TIMEOUT_MS = 10_000;

export interface ReceivedDelivery {
  message: DeliveryMessage;
  receiptHandle: string;
  /** SQS's ApproximateReceiveCount: 1 on the first attempt. */
  receiveCount: number;
}

export type DeliveryOutcome = 'delivered' | 'duplicate' | 'cancelled';

/**
 * One attempt of one delivery: signs and POSTs the body, records the outcome on the delivery, and on failure hides the
 * message for the backoff and throws, so the batch reports it failed and SQS hands it back later (and to the
 * dead-letter queue after the queue's maxReceiveCount).
 */
export async function deliverWebhook(deps: DeliverDeps, received: ReceivedDelivery): Promise<DeliveryOutcome> {
  const { message } = received;
  const stored = await deps.deliveries.get(message);
  if (stored?.status === 'DELIVERED') return 'duplicate';
  const subscription = await deps.webhooks.get(message.tenantId, message.webhookId);
  if (!subscription) {
    await deps.deliveries.cancel(message);
    return 'cancelled';
  }
  const now = deps.clock.now();
  const headers = signedHeaders(subscription.secret, { id: message.deliveryId, timestamp: Math.floor(now.getTime() / 1000), body: message.body });
  const response = await deps.sender.post(subscription.url, headers, message.body, DELIVERY_TIMEOUT_MS);
  const attempt = {
    attempt: received.receiveCount,
    at: now.toISOString(),
    latencyMs: Math.round(response.latencyMs),
    ...(response.statusCode !== undefined ? { statusCode: response.statusCode } : {}),
    ...(response.error !== undefined ? { error: response.error } : {}),
  };
  if (isDelivered(response.statusCode)) {
    await deps.deliveries.recordAttempt(message, attempt, 'DELIVERED');
    return 'delivered';
  }
  const delay = retryDelaySeconds(received.receiveCount);
  await deps.queue.retryAfter(received.receiptHandle, delay);
  await deps.deliveries.recordAttempt(message, attempt, 'RETRYING');
  throw new WebhookDeliveryFailedError(message.deliveryId, received.receiveCount, delay, response.statusCode !== undefined ? `HTTP ${response.statusCode}` : (response.error ?? 'no response'));
}
