import { checkWebhookUrl, type UrlPolicy } from '#domain/notifications/url-policy';
import { formatSigningSecret } from '#domain/notifications/signature';
import { MAX_WEBHOOKS_PER_TENANT, deliveryIdOf, eventPayload, viewOf, WILDCARD, type BusEvent, type WebhookKind, type WebhookSubscription, type WebhookView } from '#domain/notifications/webhooks';
import { createEvent } from '#events/envelope';
import { WebhookTest } from '#events/webhook-test';
import type { Clock, IdGenerator, SecretGenerator } from '../ports.ts';
import { enqueueDeliveries, type EnqueueDeps } from './enqueue.ts';
import { InvalidWebhookUrlError, WebhookLimitError, WebhookNotFoundError } from './errors.ts';
import type { DeliveryPage, DeliveryStore, WebhookStore } from './ports.ts';

export interface RegisterWebhookDeps {
  webhooks: WebhookStore;
  ids: IdGenerator;
  secrets: SecretGenerator;
  clock: Clock;
  urlPolicy: UrlPolicy;
}

export interface WebhookInput {
  url: string;
  events: string[];
  kind?: WebhookKind;
  description?: string;
}

/** The new subscription with its signing secret: the only time the secret is shown. */
export type RegisteredWebhook = WebhookView & { secret: string };

export async function registerWebhook(deps: RegisterWebhookDeps, tenantId: string, input: WebhookInput): Promise<RegisteredWebhook> {
  const verdict = checkWebhookUrl(input.url, deps.urlPolicy);
  if (!verdict.ok) throw new InvalidWebhookUrlError(verdict.reason);
  const events = [...new Set(input.events)];
  const subscription: WebhookSubscription = {
    tenantId,
    webhookId: deps.ids.next('wh_'),
    kind: input.kind ?? 'events',
    url: verdict.url.href,
    events: events.includes(WILDCARD) ? [WILDCARD] : events,
    ...(input.description ? { description: input.description } : {}),
    createdAt: deps.clock.now().toISOString(),
    secret: formatSigningSecret(Buffer.from(deps.secrets.secret(), 'base64url')),
  };
  if (!(await deps.webhooks.create(subscription, MAX_WEBHOOKS_PER_TENANT))) throw new WebhookLimitError(MAX_WEBHOOKS_PER_TENANT);
  return { ...viewOf(subscription), secret: subscription.secret };
}

export async function listWebhooks(deps: { webhooks: WebhookStore }, tenantId: string): Promise<WebhookView[]> {
  const subscriptions = await deps.webhooks.list(tenantId);
  return subscriptions.map(viewOf).sort((a, b) => a.webhookId.localeCompare(b.webhookId));
}

export async function deleteWebhook(deps: { webhooks: WebhookStore }, tenantId: string, webhookId: string): Promise<void> {
  if (!(await deps.webhooks.delete(tenantId, webhookId))) throw new WebhookNotFoundError(webhookId);
}

export interface TestWebhookDeps extends EnqueueDeps {
  webhooks: WebhookStore;
  ids: IdGenerator;
}

/** Queues a `WebhookTest` ping to one subscription, whatever events it names, signed and retried like any delivery. */
export async function sendTestWebhook(deps: TestWebhookDeps, tenantId: string, webhookId: string, correlationId: string): Promise<{ deliveryId: string; eventId: string }> {
  const subscription = await deps.webhooks.get(tenantId, webhookId);
  if (!subscription) throw new WebhookNotFoundError(webhookId);
  const eventId = deps.ids.next('evt_');
  const test = createEvent(
    WebhookTest,
    { eventId, occurredAt: deps.clock.now().toISOString(), tenantId, correlationId },
    { webhookId, message: 'This is a test delivery from Open DOM.' },
  );
  const event: BusEvent = { detailType: test.detailType, metadata: test.metadata, data: test.data };
  const deliveryId = deliveryIdOf(webhookId, eventId);
  await enqueueDeliveries(deps, event, [{ subscription, deliveryId, body: JSON.stringify(eventPayload(event)) }]);
  return { deliveryId, eventId };
}

export async function listDeliveries(
  deps: { webhooks: WebhookStore; deliveries: DeliveryStore },
  tenantId: string,
  webhookId: string,
  page: { limit: number; after?: Record<string, unknown> },
): Promise<DeliveryPage> {
  const subscription = await deps.webhooks.get(tenantId, webhookId);
  if (!subscription) throw new WebhookNotFoundError(webhookId);
  return deps.deliveries.list(tenantId, webhookId, page);
}
