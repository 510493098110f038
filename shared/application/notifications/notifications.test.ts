import { describe, expect, it } from 'vitest';
import { verify } from '#domain/notifications/signature';
import { deliveryIdOf, type BusEvent, type WebhookSubscription } from '#domain/notifications/webhooks';
import { deliverWebhook, type ReceivedDelivery } from './deliver.ts';
import { DeliveryEnqueueError, InvalidWebhookUrlError, WebhookDeliveryFailedError, WebhookLimitError } from './errors.ts';
import { fanOutEvent } from './fan-out.ts';
import type { Delivery, DeliveryKey, DeliveryMessage, DeliveryQueue, DeliveryStore, WebhookResponse, WebhookSender, WebhookStore } from './ports.ts';
import { listWebhooks, registerWebhook } from './webhooks.ts';

const tenantId = 't_aaaaaaaaaaaa';
const now = new Date('2026-11-26T18:00:00.000Z');
const clock = { now: () => now };

class MemoryWebhooks implements WebhookStore {
  readonly items = new Map<string, WebhookSubscription>();
  async create(s: WebhookSubscription, max: number) {
    if ([...this.items.values()].filter((i) => i.tenantId === s.tenantId).length >= max) return false;
    this.items.set(s.webhookId, s);
    return true;
  }
  async list(t: string) {
    return [...this.items.values()].filter((i) => i.tenantId === t);
  }
  async get(t: string, id: string) {
    const s = this.items.get(id);
    return s?.tenantId === t ? s : undefined;
  }
  async delete(t: string, id: string) {
    return (await this.get(t, id)) ? this.items.delete(id) : false;
  }
}

class MemoryDeliveries implements DeliveryStore {
  readonly items = new Map<string, Delivery>();
  readonly claims = new Map<string, number>();
  async claim(d: Delivery, now: Date, leaseSeconds: number) {
    const stored = this.items.get(d.deliveryId);
    if (stored && (stored.enqueuedAt || (this.claims.get(d.deliveryId) ?? 0) >= now.getTime())) return false;
    if (!stored) this.items.set(d.deliveryId, structuredClone(d));
    this.claims.set(d.deliveryId, now.getTime() + leaseSeconds * 1000);
    return true;
  }
  async markEnqueued(k: DeliveryKey, at: string) {
    this.items.get(k.deliveryId)!.enqueuedAt ??= at;
    this.claims.delete(k.deliveryId);
  }
  async release(k: DeliveryKey) {
    this.claims.delete(k.deliveryId);
  }
  async get(k: DeliveryKey) {
    return this.items.get(k.deliveryId);
  }
  async recordAttempt(k: DeliveryKey, attempt: Delivery['attempts'][number], status: Delivery['status']) {
    const d = this.items.get(k.deliveryId);
    if (!d || d.status === 'DELIVERED') return;
    d.attempts.push(attempt);
    d.status = status;
  }
  async cancel(k: DeliveryKey) {
    const d = this.items.get(k.deliveryId);
    if (d) d.status = 'CANCELLED';
  }
  async list() {
    return { items: [...this.items.values()] };
  }
}

class MemoryQueue implements DeliveryQueue {
  readonly sent: DeliveryMessage[] = [];
  readonly hidden: Array<{ receiptHandle: string; seconds: number }> = [];
  failNext = 0;
  async send(messages: DeliveryMessage[]) {
    const failed = messages.slice(0, this.failNext).map((m) => m.deliveryId);
    this.failNext = 0;
    this.sent.push(...messages.filter((m) => !failed.includes(m.deliveryId)));
    return { failed };
  }
  async retryAfter(receiptHandle: string, seconds: number) {
    this.hidden.push({ receiptHandle, seconds });
  }
}

class ScriptedSender implements WebhookSender {
  readonly requests: Array<{ url: string; headers: Record<string, string>; body: string }> = [];
  constructor(private readonly respond: () => WebhookResponse) {}
  async post(url: string, headers: Record<string, string>, body: string) {
    this.requests.push({ url, headers, body });
    return this.respond();
  }
}

function world(respond: () => WebhookResponse = () => ({ statusCode: 200, latencyMs: 12 })) {
  let n = 0;
  const webhooks = new MemoryWebhooks();
  const deliveries = new MemoryDeliveries();
  const queue = new MemoryQueue();
  const sender = new ScriptedSender(respond);
  const deps = {
    webhooks,
    deliveries,
    queue,
    sender,
    clock,
    ids: { next: (prefix: string) => `${prefix}${String(++n).padStart(12, '0')}` },
    secrets: { secret: () => Buffer.alloc(32, 1).toString('base64url'), digest: (k: string) => k },
    urlPolicy: { allowInsecureLoopback: false },
  };
  return deps;
}

const event = (detailType = 'OrderAllocated', eventId = 'e_1'): BusEvent => ({
  detailType,
  metadata: { eventId, version: '1.0', occurredAt: now.toISOString(), tenantId, correlationId: 'c_1' },
  data: { orderId: 'o_1' },
});

const received = (message: DeliveryMessage, receiveCount = 1): ReceivedDelivery => ({ message, receiptHandle: `rh-${receiveCount}`, receiveCount });

describe('registering webhooks', () => {
  it('returns the subscription with a whsec_ secret, and lists it without the secret', async () => {
    const deps = world();
    const created = await registerWebhook(deps, tenantId, { url: 'https://hooks.example.com/dom', events: ['OrderAllocated', 'OrderAllocated'] });
    expect(created).toMatchObject({ kind: 'events', url: 'https://hooks.example.com/dom', events: ['OrderAllocated'] });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(await listWebhooks(deps, tenantId)).toEqual([{ webhookId: created.webhookId, kind: 'events', url: created.url, events: created.events, createdAt: created.createdAt }]);
  });

  it('keeps only * when * is among the event types', async () => {
    const created = await registerWebhook(world(), tenantId, { url: 'https://hooks.example.com/', events: ['OrderAllocated', '*'] });
    expect(created.events).toEqual(['*']);
  });

  it('refuses a URL the policy refuses, with the reason', async () => {
    await expect(registerWebhook(world(), tenantId, { url: 'https://169.254.169.254/', events: ['*'] })).rejects.toBeInstanceOf(InvalidWebhookUrlError);
  });

  it('refuses a subscription over the per-tenant maximum', async () => {
    const deps = world();
    for (let i = 0; i < 20; i++) await registerWebhook(deps, tenantId, { url: `https://hooks.example.com/${i}`, events: ['*'] });
    await expect(registerWebhook(deps, tenantId, { url: 'https://hooks.example.com/21', events: ['*'] })).rejects.toBeInstanceOf(WebhookLimitError);
  });
});

describe('fanning an event out', () => {
  it('queues one message per matching subscription, with no secret in it', async () => {
    const deps = world();
    await registerWebhook(deps, tenantId, { url: 'https://a.example.com/', events: ['OrderAllocated'] });
    await registerWebhook(deps, tenantId, { url: 'https://b.example.com/', events: ['OrderCancelled'] });
    const result = await fanOutEvent(deps, event());
    expect(result).toEqual({ subscriptions: 2, enqueued: 1, duplicates: 0 });
    expect(deps.queue.sent).toHaveLength(1);
    expect(JSON.stringify(deps.queue.sent[0])).not.toContain('whsec_');
    expect(deps.deliveries.items.get(deps.queue.sent[0]!.deliveryId)).toMatchObject({ status: 'PENDING', eventId: 'e_1', expiresAt: now.getTime() / 1000 + 7 * 24 * 3600 });
  });

  it('queues nothing the second time the bus delivers the same event', async () => {
    const deps = world();
    await registerWebhook(deps, tenantId, { url: 'https://a.example.com/', events: ['*'] });
    await fanOutEvent(deps, event());
    const again = await fanOutEvent(deps, event());
    expect(again).toMatchObject({ enqueued: 0, duplicates: 1 });
    expect(deps.queue.sent).toHaveLength(1);
  });

  it('queues nothing while another invocation holds the same delivery, and takes it over once that claim lapsed', async () => {
    const deps = world();
    const created = await registerWebhook(deps, tenantId, { url: 'https://a.example.com/', events: ['*'] });
    const crashed = { tenantId, webhookId: created.webhookId, deliveryId: deliveryIdOf(created.webhookId, 'e_1'), occurredAt: now.toISOString() };
    await deps.deliveries.claim({ ...crashed, eventId: 'e_1', eventType: 'OrderAllocated', status: 'PENDING', createdAt: now.toISOString(), attempts: [], expiresAt: 0 }, now, 60);
    expect(await fanOutEvent(deps, event())).toMatchObject({ enqueued: 0, duplicates: 1 });
    deps.clock = { now: () => new Date(now.getTime() + 61_000) };
    expect(await fanOutEvent(deps, event())).toMatchObject({ enqueued: 1, duplicates: 0 });
  });

  it('throws when a message could not be queued, and queues only that one on the retry', async () => {
    const deps = world();
    await registerWebhook(deps, tenantId, { url: 'https://a.example.com/', events: ['*'] });
    await registerWebhook(deps, tenantId, { url: 'https://b.example.com/', events: ['*'] });
    deps.queue.failNext = 1;
    await expect(fanOutEvent(deps, event())).rejects.toBeInstanceOf(DeliveryEnqueueError);
    expect(deps.queue.sent).toHaveLength(1);
    expect(await fanOutEvent(deps, event())).toMatchObject({ enqueued: 1, duplicates: 1 });
    expect(new Set(deps.queue.sent.map((m) => m.webhookId)).size).toBe(2);
  });
});

describe('delivering', () => {
  async function queued(deps: ReturnType<typeof world>) {
    const created = await registerWebhook(deps, tenantId, { url: 'https://a.example.com/hook', events: ['*'] });
    await fanOutEvent(deps, event());
    return { created, message: deps.queue.sent[0]! };
  }

  it('POSTs the body signed with the subscription\'s secret and records the attempt', async () => {
    const deps = world();
    const { created, message } = await queued(deps);
    expect(await deliverWebhook(deps, received(message))).toBe('delivered');
    const [request] = deps.sender.requests;
    expect(request!.url).toBe('https://a.example.com/hook');
    expect(request!.headers['webhook-id']).toBe(message.deliveryId);
    const signed = { id: request!.headers['webhook-id']!, timestamp: request!.headers['webhook-timestamp']!, signature: request!.headers['webhook-signature']!, body: request!.body };
    expect(verify(created.secret, signed, now.getTime() / 1000)).toBe(true);
    expect(deps.deliveries.items.get(message.deliveryId)).toMatchObject({ status: 'DELIVERED', attempts: [{ attempt: 1, statusCode: 200, latencyMs: 12 }] });
  });

  it('on a failure hides the message for 2^receiveCount seconds, records it and throws', async () => {
    const deps = world(() => ({ statusCode: 503, latencyMs: 40 }));
    const { message } = await queued(deps);
    await expect(deliverWebhook(deps, received(message, 3))).rejects.toBeInstanceOf(WebhookDeliveryFailedError);
    expect(deps.queue.hidden).toEqual([{ receiptHandle: 'rh-3', seconds: 8 }]);
    expect(deps.deliveries.items.get(message.deliveryId)).toMatchObject({ status: 'RETRYING', attempts: [{ attempt: 3, statusCode: 503 }] });
  });

  it('treats no response as a failure and records why', async () => {
    const deps = world(() => ({ error: 'timed out after 10000 ms', latencyMs: 10_000 }));
    const { message } = await queued(deps);
    await expect(deliverWebhook(deps, received(message))).rejects.toThrow(/timed out/);
    expect(deps.deliveries.items.get(message.deliveryId)!.attempts[0]).toMatchObject({ error: 'timed out after 10000 ms' });
  });

  it('keeps the secret and the signature out of the error it throws and the attempt it records', async () => {
    for (const failure of [{ statusCode: 401, latencyMs: 5 }, { error: 'ECONNRESET', latencyMs: 5 }]) {
      const deps = world(() => failure);
      const { created, message } = await queued(deps);
      const thrown = await deliverWebhook(deps, received(message)).catch((error: Error) => error);
      const signature = deps.sender.requests[0]!.headers['webhook-signature']!;
      const key = created.secret.slice('whsec_'.length);
      const visible = JSON.stringify({ thrown: String(thrown), fields: { ...(thrown as object) }, stored: deps.deliveries.items.get(message.deliveryId) });
      expect(thrown).toBeInstanceOf(WebhookDeliveryFailedError);
      for (const secret of [created.secret, key, signature, signature.slice('v1,'.length)]) expect(visible).not.toContain(secret);
    }
  });

  it('does not POST a delivery that is already delivered (a duplicate message)', async () => {
    const deps = world();
    const { message } = await queued(deps);
    await deliverWebhook(deps, received(message));
    expect(await deliverWebhook(deps, received(message))).toBe('duplicate');
    expect(deps.sender.requests).toHaveLength(1);
  });

  it('cancels a delivery whose webhook was deleted meanwhile', async () => {
    const deps = world();
    const { created, message } = await queued(deps);
    await deps.webhooks.delete(tenantId, created.webhookId);
    expect(await deliverWebhook(deps, received(message))).toBe('cancelled');
    expect(deps.sender.requests).toHaveLength(0);
    expect(deps.deliveries.items.get(message.deliveryId)!.status).toBe('CANCELLED');
  });
});
