import { createHash } from 'node:crypto';
import type { EventMetadata } from '#events/envelope';
import { renderCustomerNotification } from './templates.ts';

/**
 * Webhook subscriptions and which deliveries an event makes. A subscription of kind `events` receives the events it
 * names as they are on the bus; one of kind `customer-notifications` (the merchant's messaging gateway, e.g. their
 * e-mail service) receives a rendered message for the customer of each order status event it names.
 */
export const WEBHOOK_KINDS = ['events', 'customer-notifications'] as const;
export type WebhookKind = (typeof WEBHOOK_KINDS)[number];

export const MAX_WEBHOOKS_PER_TENANT = 20;
export const MAX_EVENT_TYPES_PER_WEBHOOK = 50;
export const WILDCARD = '*';
/** A detail type: PascalCase, as every DOM event is named. */
export const EVENT_TYPE_PATTERN = /^[A-Z][A-Za-z0-9]{0,63}$/;
/** Detail types of the webhook machinery itself (`WebhookTest`): never fanned out, and the bus rule excludes them. */
export const INTERNAL_EVENT_PREFIX = 'Webhook';

export interface WebhookSubscription {
  tenantId: string;
  webhookId: string;
  kind: WebhookKind;
  url: string;
  /** Detail types, or `*` for all. */
  events: string[];
  description?: string;
  createdAt: string;
  /** `whsec_...`: shown to the merchant once, then only read by the deliverer to sign. */
  secret: string;
}

export type WebhookView = Omit<WebhookSubscription, 'secret' | 'tenantId'>;

export function viewOf(subscription: WebhookSubscription): WebhookView {
  const { secret: _secret, tenantId: _tenantId, ...view } = subscription;
  return view;
}

/** An event as it is on the bus: its detail type and its `{ metadata, data }` detail. */
export interface BusEvent {
  detailType: string;
  metadata: EventMetadata;
  data: unknown;
}

export function subscribesTo(subscription: Pick<WebhookSubscription, 'events'>, detailType: string): boolean {
  if (detailType.startsWith(INTERNAL_EVENT_PREFIX)) return false;
  return subscription.events.includes(WILDCARD) || subscription.events.includes(detailType);
}

/**
 * The delivery's id, derived from the subscription and the event, so a redelivered event makes the same id: the
 * fan-out dedupes on it and the receiver sees it as `webhook-id` on every attempt.
 */
export function deliveryIdOf(webhookId: string, eventId: string): string {
  return `msg_${createHash('sha256').update(`${webhookId}\n${eventId}`, 'utf8').digest('hex').slice(0, 32)}`;
}

/** The body an `events` subscription receives: the event's type and time (Standard Webhooks style) and its envelope. */
export function eventPayload(event: BusEvent): { type: string; timestamp: string; metadata: EventMetadata; data: unknown } {
  return { type: event.detailType, timestamp: event.metadata.occurredAt, metadata: event.metadata, data: event.data };
}

export interface PlannedDelivery {
  subscription: WebhookSubscription;
  deliveryId: string;
  /** The exact JSON that is signed and sent on every attempt. */
  body: string;
}

/**
 * The deliveries an event makes among a tenant's subscriptions: one per subscription that names it; for a
 * customer-notification subscription only when the event renders a message (a template and a customer address).
 */
export function planDeliveries(subscriptions: WebhookSubscription[], event: BusEvent): PlannedDelivery[] {
  const planned: PlannedDelivery[] = [];
  let eventBody: string | undefined;
  let notification: string | null | undefined;
  for (const subscription of subscriptions) {
    if (subscription.tenantId !== event.metadata.tenantId || !subscribesTo(subscription, event.detailType)) continue;
    let body: string | undefined;
    if (subscription.kind === 'events') {
      body = eventBody ??= JSON.stringify(eventPayload(event));
    } else {
      if (notification === undefined) {
        const rendered = renderCustomerNotification(event.detailType, event.data);
        notification = rendered ? JSON.stringify(rendered) : null;
      }
      body = notification ?? undefined;
    }
    if (body !== undefined) planned.push({ subscription, deliveryId: deliveryIdOf(subscription.webhookId, event.metadata.eventId), body });
  }
  return planned;
}
