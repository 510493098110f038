import type { WebhookSubscription } from '#domain/notifications/webhooks';

/**
 * Ports of the notifications use cases (webhooks and customer notifications). Kept beside them rather than in
 * shared/application/ports.ts; the generic Clock, IdGenerator and SecretGenerator come from there.
 */

export interface WebhookStore {
  /** Stores the subscription unless the tenant already has `max`; false when the limit is reached. */
  create(subscription: WebhookSubscription, max: number): Promise<boolean>;
  /** Every subscription of the tenant, secrets included (one Query). */
  list(tenantId: string): Promise<WebhookSubscription[]>;
  get(tenantId: string, webhookId: string): Promise<WebhookSubscription | undefined>;
  /** False when there was no such subscription. */
  delete(tenantId: string, webhookId: string): Promise<boolean>;
}

export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'RETRYING' | 'CANCELLED';

export interface DeliveryAttempt {
  attempt: number;
  at: string;
  statusCode?: number;
  error?: string;
  latencyMs: number;
}

/** Addresses one delivery. The id is derived from webhook and event, so a redelivered event addresses the same one. */
export interface DeliveryKey {
  tenantId: string;
  webhookId: string;
  deliveryId: string;
}

export interface Delivery extends DeliveryKey {
  /** The event's time. */
  occurredAt: string;
  eventId: string;
  eventType: string;
  /** The order the event is about, when it is about one: how the ops console finds an order's deliveries. */
  orderId?: string;
  status: DeliveryStatus;
  createdAt: string;
  /** Set once the delivery's message is on the queue: a redelivered event finding it set has nothing to do. */
  enqueuedAt?: string;
  attempts: DeliveryAttempt[];
  /** Epoch seconds: the table's TTL removes the record then. */
  expiresAt: number;
}

export interface DeliveryPage {
  items: Delivery[];
  next?: Record<string, unknown>;
}

export interface DeliveryStore {
  /**
   * Creates the delivery, or takes over one that was never queued and whose claim has lapsed (its fan-out crashed).
   * False when the delivery is queued already or another fan-out of the same event holds it: a duplicate.
   */
  claim(delivery: Delivery, now: Date, leaseSeconds: number): Promise<boolean>;
  /** The message is on the queue: the claim ends and later fan-outs of the event skip it. */
  markEnqueued(key: DeliveryKey, at: string): Promise<void>;
  /** The message could not be queued: the claim ends at once so the event's retry queues it. */
  release(key: DeliveryKey): Promise<void>;
  get(key: DeliveryKey): Promise<Delivery | undefined>;
  /** Appends an attempt and sets the status, unless the delivery is already DELIVERED (a duplicate message raced). */
  recordAttempt(key: DeliveryKey, attempt: DeliveryAttempt, status: DeliveryStatus): Promise<void>;
  cancel(key: DeliveryKey): Promise<void>;
  /** Newest first. */
  list(tenantId: string, webhookId: string, page: { limit: number; after?: Record<string, unknown> }): Promise<DeliveryPage>;
}

/** The SQS message of one delivery. The signing secret is never in it: the deliverer reads it from the subscription. */
export interface DeliveryMessage extends DeliveryKey {
  occurredAt: string;
  eventId: string;
  eventType: string;
  body: string;
}

export interface DeliveryQueue {
  /** Sends the messages; resolves with the delivery ids that could not be sent. */
  send(messages: DeliveryMessage[]): Promise<{ failed: string[] }>;
  /** Keeps a received message hidden for `seconds` from now: the backoff before its next attempt. */
  retryAfter(receiptHandle: string, seconds: number): Promise<void>;
}

export interface WebhookResponse {
  /** Absent when no response came (timeout, refused connection, refused address). */
  statusCode?: number;
  error?: string;
  latencyMs: number;
}

export interface WebhookSender {
  post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<WebhookResponse>;
}
