/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The DOM ops console: orders by status and search, an order's page (timeline, executions state by state, routing
 * explanation, shipments, stock where it was allocated), FAILED orders and dead letters with retry and redrive, and
 * the KPI charts. Plain TypeScript and DOM strings, bundled by esbuild into one file: it works offline.
 */
import { api, ApiError, forgetConnection, savedConnection, saveConnection, type Connection } from './api.ts';
import { barChart, escapeHtml as h, lineChart } from './charts.ts';

/* ---------- types of the API answers the console reads (a subset of the OpenAPI document's) ---------- */
interface StatusChange { status: string; at: string; reason?: string }
interface ShipmentView {
  shipmentId: string; locationId: string; status: string; fulfillment: string; carrier?: string; service?: string; cost?: number;
  promisedDeliveryDate?: string; co2Grams?: number; lines: Array<{ lineId: string; sku: string; quantity: number }>;
  history: StatusChange[]; delayed?: { at: string };
}
interface OrderView {
  orderId: string; status: string; statusReason?: string; channel: string; externalId?: string;
  customer: { id?: string; email?: string; tier: string }; shipTo: { country: string; postalCode?: string };
  lines: Array<{ lineId: string; sku: string; quantity: number }>; allocations: Array<{ lineId: string; sku: string; locationId: string; quantity: number }>;
  backorderedLines: Array<{ sku: string; quantity: number }>; shipments?: ShipmentView[];
  routing?: { attempt: number; decidedAt: string; explanation: string[] }; history: StatusChange[]; createdAt: string; updatedAt: string;
}
interface Step { state: string; kind: string; enteredAt: string; exitedAt?: string; durationMs?: number; status: string; retries: number; error?: string; cause?: string }
interface Execution { attempt: number; executionArn: string; name?: string; status: string; startDate?: string; stopDate?: string; error?: string; cause?: string; unavailable?: string; incomplete?: string; steps: Step[]; events: Array<{ id: number; type: string; timestamp: string; stateName?: string; error?: string }> }
interface Delivery { deliveryId: string; eventType: string; orderId?: string; occurredAt: string; status: string; attempts: Array<{ at: string; statusCode?: number }> }

const STATUSES = ['ACCEPTED', 'ROUTING', 'ALLOCATED', 'PARTIALLY_ALLOCATED', 'BACKORDERED', 'SHIPPED', 'DELIVERED', 'RETURNED', 'CANCELLED', 'FAILED'];
/** The event the outbox publishes for an order status (ROUTING publishes none). */
const ORDER_EVENT: Record<string, string> = {
  ACCEPTED: 'OrderAccepted', ALLOCATED: 'OrderAllocated', PARTIALLY_ALLOCATED: 'OrderPartiallyAllocated', BACKORDERED: 'OrderBackordered',
  SHIPPED: 'OrderShipped', DELIVERED: 'OrderDelivered', RETURNED: 'OrderReturned', CANCELLED: 'OrderCancelled', FAILED: 'OrderFailed',
};
const SHIPMENT_EVENT: Record<string, string> = { REQUESTED: 'FulfillmentRequested', ACCEPTED: 'ShipmentAccepted', REJECTED: 'ShipmentRejected', SHIPPED: 'ShipmentShipped', DELIVERED: 'ShipmentDelivered', CANCELLED: 'ShipmentCancelled' };

const app = document.getElementById('app')!;
const nav = document.getElementById('nav')!;
let connection = savedConnection();

const time = (iso?: string) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' }) : '');
const clock = (iso?: string) => (iso ? new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' }) : '');
const badge = (status: string) => `<span class="badge s-${h(status.toLowerCase())}">${h(status)}</span>`;
const ms = (value: number | null | undefined) => (value == null ? '—' : value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(value < 10_000 ? 2 : 1)} s`);
const num = (value: number | null | undefined, digits = 2) => (value == null ? '—' : (+value.toFixed(digits)).toLocaleString());

function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  if (!connection) throw new Error('not connected');
  return api<T>(connection, method, path, body);
}

function fail(error: unknown): string {
  const text = error instanceof ApiError ? `${error.status}: ${error.message}` : error instanceof Error ? error.message : String(error);
  return `<p class="error" role="alert">${h(text)}</p>`;
}

/* ---------- connection ---------- */
function renderConnect(message = ''): void {
  nav.hidden = true;
  const defaultUrl = `${location.origin}${document.querySelector<HTMLMetaElement>('meta[name="dom-api-path"]')?.content ?? ''}`;
  app.innerHTML = `
    <section class="card connect">
      <h2>Connect to the DOM API</h2>
      <p>The URL and your tenant's admin API key stay in this browser tab only (sessionStorage); closing the tab forgets them.</p>
      ${message}
      <form id="connect">
        <label>API URL <input name="apiUrl" type="url" required value="${h(defaultUrl)}"></label>
        <label>API key <input name="apiKey" type="password" required autocomplete="off" placeholder="dom_t_….…"></label>
        <button type="submit">Connect</button>
      </form>
    </section>`;
  document.getElementById('connect')!.addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const candidate = { apiUrl: String(form.get('apiUrl')).trim(), apiKey: String(form.get('apiKey')).trim() };
    try {
      const tenant = await api<{ tenantId: string; name: string }>(candidate, 'GET', '/tenant');
      connection = candidate;
      saveConnection(candidate);
      document.getElementById('tenant')!.textContent = `${tenant.name} (${tenant.tenantId})`;
      location.hash = '#/orders';
      void route();
    } catch (error) {
      renderConnect(fail(error));
    }
  });
}

/* ---------- orders ---------- */
async function renderOrders(params: URLSearchParams): Promise<void> {
  const status = params.get('status') ?? '';
  const q = params.get('q') ?? '';
  const tabs = ['', ...STATUSES].map((s) => `<a href="#/orders?status=${s}" class="tab${s === status ? ' active' : ''}">${s ? h(s) : 'All'}</a>`).join('');
  app.innerHTML = `
    <section class="card">
      <div class="toolbar"><h2>Orders</h2>
        <form id="search"><input name="q" type="search" placeholder="Order id, external id, customer id or email" value="${h(q)}" aria-label="Search orders"><button>Search</button></form>
      </div>
      <nav class="tabs">${tabs}</nav>
      <table class="list"><thead><tr><th>Order</th><th>Status</th><th>Channel</th><th>External id</th><th>Customer</th><th>Lines</th><th>Created</th></tr></thead><tbody id="rows"></tbody></table>
      <div id="more"></div>
    </section>`;
  document.getElementById('search')!.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = String(new FormData(event.target as HTMLFormElement).get('q')).trim();
    location.hash = `#/orders?${new URLSearchParams({ ...(status ? { status } : {}), ...(value ? { q: value } : {}) })}`;
  });
  await loadOrderPage(status, q);
}

async function loadOrderPage(status: string, q: string, cursor?: string): Promise<void> {
  const rows = document.getElementById('rows')!;
  const more = document.getElementById('more')!;
  const query = new URLSearchParams({ limit: '50', ...(status ? { status } : {}), ...(q ? { q } : {}), ...(cursor ? { cursor } : {}) });
  try {
    const page = await call<{ items: OrderView[]; nextCursor?: string }>('GET', `/orders?${query}`);
    rows.insertAdjacentHTML('beforeend', page.items.map((o) => `
      <tr data-order="${h(o.orderId)}"><td><a href="#/order/${h(o.orderId)}">${h(o.orderId)}</a></td><td>${badge(o.status)}</td><td>${h(o.channel)}</td>
      <td>${h(o.externalId ?? '')}</td><td>${h(o.customer.email ?? o.customer.id ?? '')}${o.customer.tier === 'vip' ? ' <span class="vip">VIP</span>' : ''}</td>
      <td>${o.lines.length}</td><td>${time(o.createdAt)}</td></tr>`).join(''));
    if (!rows.children.length && !page.nextCursor) rows.innerHTML = '<tr><td colspan="7" class="empty">No orders.</td></tr>';
    more.innerHTML = page.nextCursor ? '<button id="load-more" class="secondary">Load more</button>' : '';
    document.getElementById('load-more')?.addEventListener('click', () => void loadOrderPage(status, q, page.nextCursor));
  } catch (error) {
    more.innerHTML = fail(error);
  }
}

/* ---------- one order ---------- */
async function renderOrder(orderId: string): Promise<void> {
  app.innerHTML = `<p class="loading">Loading ${h(orderId)}…</p>`;
  let order: OrderView;
  try {
    order = await call<OrderView>('GET', `/orders/${encodeURIComponent(orderId)}`);
  } catch (error) {
    app.innerHTML = fail(error);
    return;
  }
  const [executions, deliveries, stock] = await Promise.all([
    call<{ executions: Execution[] }>('GET', `/orders/${encodeURIComponent(orderId)}/executions`).then((r) => r.executions, (error: unknown) => error),
    orderDeliveries(orderId).catch((error: unknown) => error),
    stockAt(order).catch((error: unknown) => error),
  ]);
  const retryable = ['FAILED', 'ROUTING', 'ACCEPTED', 'BACKORDERED', 'PARTIALLY_ALLOCATED'].includes(order.status);
  app.innerHTML = `
    <section class="card">
      <div class="toolbar">
        <h2>${h(order.orderId)} ${badge(order.status)}</h2>
        <div class="actions">
          ${retryable ? '<button id="retry">Retry</button>' : ''}
          <button id="refresh" class="secondary">Refresh</button>
        </div>
      </div>
      ${order.statusReason ? `<p class="reason">${h(order.statusReason)}</p>` : ''}
      <div id="action-result"></div>
      <dl class="facts">
        <dt>Channel</dt><dd>${h(order.channel)}</dd><dt>External id</dt><dd>${h(order.externalId ?? '—')}</dd>
        <dt>Customer</dt><dd>${h(order.customer.email ?? order.customer.id ?? '—')} (${h(order.customer.tier)})</dd>
        <dt>Ship to</dt><dd>${h([order.shipTo.postalCode, order.shipTo.country].filter(Boolean).join(' '))}</dd>
        <dt>Lines</dt><dd>${order.lines.map((l) => `${h(l.sku)} × ${l.quantity}`).join(', ')}</dd>
        <dt>Created</dt><dd>${time(order.createdAt)}</dd>
      </dl>
    </section>
    <div class="grid2">
      <section class="card"><h3>Timeline</h3>${timeline(order, Array.isArray(executions) ? executions : [], Array.isArray(deliveries) ? deliveries : [])}</section>
      <section class="card"><h3>Routing explanation</h3>${explanation(order)}</section>
    </div>
    <section class="card" id="executions"><h3>Workflow executions</h3>${Array.isArray(executions) ? executionsView(executions) : fail(executions)}</section>
    <div class="grid2">
      <section class="card"><h3>Shipments</h3>${shipmentsView(order)}</section>
      <section class="card"><h3>Stock at the locations involved</h3>${Array.isArray(stock) ? stockView(stock) : fail(stock)}</section>
    </div>
    <section class="card"><h3>Webhook deliveries</h3>${Array.isArray(deliveries) ? deliveriesView(deliveries) : fail(deliveries)}</section>`;
  document.getElementById('refresh')!.addEventListener('click', () => void renderOrder(orderId));
  document.getElementById('retry')?.addEventListener('click', () => void retryOrder(orderId, document.getElementById('action-result')!, () => renderOrder(orderId)));
  for (const toggle of document.querySelectorAll<HTMLButtonElement>('button.toggle-events')) {
    toggle.addEventListener('click', () => {
      const table = document.getElementById(toggle.dataset.target!)!;
      table.hidden = !table.hidden;
      toggle.textContent = table.hidden ? 'Show events' : 'Hide events';
    });
  }
}

async function retryOrder(orderId: string, out: HTMLElement, then: () => Promise<void>): Promise<void> {
  out.innerHTML = '<p class="loading">Retrying…</p>';
  try {
    const retried = await call<{ attempt: number; execution: string }>('POST', `/orders/${encodeURIComponent(orderId)}/retry`);
    out.innerHTML = `<p class="ok">Attempt ${retried.attempt} started (${h(retried.execution)}).</p>`;
    // The new attempt routes in a moment: look again until it has settled (or give up after 30 s).
    for (let i = 0; i < 60; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const order = await call<OrderView>('GET', `/orders/${encodeURIComponent(orderId)}`);
      if (!['ROUTING', 'ACCEPTED'].includes(order.status)) break;
    }
    await then();
  } catch (error) {
    out.innerHTML = fail(error);
  }
}

function timeline(order: OrderView, executions: Execution[], deliveries: Delivery[]): string {
  type Entry = { at: string; kind: string; html: string };
  const entries: Entry[] = [];
  for (const change of order.history) {
    entries.push({ at: change.at, kind: 'status', html: `${badge(change.status)} ${h(change.reason ?? '')}` });
    const event = ORDER_EVENT[change.status];
    if (event && !(change.status === 'ACCEPTED' && change !== order.history[0])) entries.push({ at: change.at, kind: 'event', html: `event <code>${event}</code>` });
  }
  for (const shipment of order.shipments ?? []) {
    for (const change of shipment.history) {
      entries.push({ at: change.at, kind: 'shipment', html: `${h(shipment.shipmentId.split('-').slice(1).join('-'))} at ${h(shipment.locationId)}: ${badge(change.status)} ${h(change.reason ?? '')}` });
      const event = SHIPMENT_EVENT[change.status];
      if (event) entries.push({ at: change.at, kind: 'event', html: `event <code>${event}</code>` });
    }
  }
  for (const run of executions) {
    if (run.startDate) entries.push({ at: run.startDate, kind: 'execution', html: `execution <a href="#exec-${run.attempt}-${h(shortArn(run.executionArn))}">attempt ${run.attempt}</a> ${badge(run.status)}` });
  }
  for (const delivery of deliveries) {
    const last = delivery.attempts.at(-1);
    entries.push({ at: last?.at ?? delivery.occurredAt, kind: 'webhook', html: `webhook <code>${h(delivery.eventType)}</code> ${badge(delivery.status)}${last?.statusCode ? ` HTTP ${last.statusCode}` : ''}` });
  }
  const order_ = { status: 0, event: 1, execution: 2, shipment: 3, webhook: 4 } as Record<string, number>;
  entries.sort((a, b) => a.at.localeCompare(b.at) || order_[a.kind]! - order_[b.kind]!);
  return `<ol class="timeline">${entries.map((e) => `<li class="t-${e.kind}"><time>${clock(e.at)}</time><span>${e.html}</span></li>`).join('')}</ol>`;
}

/** The AWS Step Functions console's page of an execution (it shows an Express run from its log group). */
function awsConsoleLink(arn: string): string {
  const region = /^arn:aws:states:([a-z0-9-]+):\d{12}:/.exec(arn)?.[1];
  return region ? ` <a href="https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${encodeURIComponent(arn)}" target="_blank" rel="noopener">Open in the Step Functions console</a>` : '';
}

const shortArn = (arn: string) => arn.split(':').slice(-2).join('-').replace(/[^A-Za-z0-9_-]/g, '');

function explanation(order: OrderView): string {
  if (!order.routing) return '<p class="empty">Not routed yet.</p>';
  const lines = order.routing.explanation.map((line) => `<li${/runner-up/i.test(line) ? ' class="runner-up"' : ''}>${h(line)}</li>`).join('');
  return `<p class="meta">Attempt ${order.routing.attempt}, decided ${time(order.routing.decidedAt)}</p><ul class="explanation">${lines}</ul>`;
}

function executionsView(executions: Execution[]): string {
  if (!executions.length) return '<p class="empty">No workflow run recorded on this order.</p>';
  return executions.map((run) => {
    const id = `exec-${run.attempt}-${shortArn(run.executionArn)}`;
    const steps = run.steps.map((s) => `<tr class="step-${h(s.status.toLowerCase())}"><td>${h(s.state)}</td><td>${h(s.kind)}</td><td>${badge(s.status)}</td><td>${clock(s.enteredAt)}</td><td>${ms(s.durationMs)}</td><td>${s.retries || ''}</td><td>${h(s.error ?? '')}${s.cause ? `<div class="cause">${h(s.cause)}</div>` : ''}</td></tr>`).join('');
    const events = run.events.map((e) => `<tr><td>${e.id}</td><td>${h(e.type)}</td><td>${h(e.stateName ?? '')}</td><td>${clock(e.timestamp)}</td><td>${h(e.error ?? '')}</td></tr>`).join('');
    return `
      <article class="execution" id="${id}">
        <header><strong>Attempt ${run.attempt}</strong> ${badge(run.status)} <code class="arn">${h(run.name ?? run.executionArn)}</code>
          <span class="meta">${time(run.startDate)}${run.stopDate ? ` → ${clock(run.stopDate)}` : ''}</span></header>
        ${run.unavailable ? `<p class="empty">${h(run.unavailable)}${awsConsoleLink(run.executionArn)}</p>` : ''}
        ${run.incomplete ? `<p class="meta">${h(run.incomplete)}${awsConsoleLink(run.executionArn)}</p>` : ''}
        ${run.error ? `<p class="reason">${h(run.error)}${run.cause ? `: ${h(run.cause)}` : ''}</p>` : ''}
        ${steps ? `<table class="steps"><thead><tr><th>State</th><th>Type</th><th>Status</th><th>Entered</th><th>Duration</th><th>Retries</th><th>Error</th></tr></thead><tbody>${steps}</tbody></table>` : ''}
        ${events ? `<button class="secondary toggle-events" data-target="${id}-events">Show events</button>
        <table class="events" id="${id}-events" hidden><thead><tr><th>#</th><th>Type</th><th>Step</th><th>Time</th><th>Error</th></tr></thead><tbody>${events}</tbody></table>` : ''}
      </article>`;
  }).join('');
}

function shipmentsView(order: OrderView): string {
  const shipments = order.shipments ?? [];
  const backordered = order.backorderedLines.length ? `<p class="reason">Backordered: ${order.backorderedLines.map((l) => `${h(l.sku)} × ${l.quantity}`).join(', ')}</p>` : '';
  if (!shipments.length) return `${backordered}<p class="empty">No shipments.</p>`;
  return `${backordered}<table class="list"><thead><tr><th>Shipment</th><th>Location</th><th>Status</th><th>Lines</th><th>Carrier</th><th>Cost</th><th>CO2</th><th>Promised</th></tr></thead><tbody>${shipments.map((s) => `
    <tr><td>${h(s.shipmentId.split('-').slice(1).join('-'))}</td><td>${h(s.locationId)}</td><td>${badge(s.status)}${s.delayed ? ' <span class="badge s-failed">late</span>' : ''}</td>
    <td>${s.lines.map((l) => `${h(l.sku)} × ${l.quantity}`).join(', ')}</td><td>${h([s.carrier, s.service].filter(Boolean).join(' '))}</td>
    <td>${s.cost != null ? num(s.cost) : ''}</td><td>${s.co2Grams != null ? `${num(s.co2Grams / 1000, 2)} kg` : ''}</td><td>${h(s.promisedDeliveryDate ?? '')}</td></tr>`).join('')}</tbody></table>`;
}

type StockRow = { sku: string; locationId: string; onHand: number; reserved: number; available: number };
async function stockAt(order: OrderView): Promise<StockRow[]> {
  const locations = new Set([...order.allocations.map((a) => a.locationId), ...(order.shipments ?? []).map((s) => s.locationId)]);
  const skus = [...new Set(order.lines.map((l) => l.sku))].slice(0, 20);
  const answers = await Promise.all(skus.map((sku) => call<{ locations: Array<{ locationId: string; onHand: number; reserved: number; available: number }> }>('GET', `/inventory/${encodeURIComponent(sku)}`)));
  // The locations involved; for an order with none yet (backordered, failed), every location that stocks the SKU.
  return answers.flatMap((answer, i) => answer.locations.filter((l) => locations.size === 0 || locations.has(l.locationId)).map((l) => ({ sku: skus[i]!, ...l })));
}

function stockView(rows: StockRow[]): string {
  if (!rows.length) return '<p class="empty">No stock records.</p>';
  return `<table class="list"><thead><tr><th>SKU</th><th>Location</th><th>On hand</th><th>Reserved</th><th>Available</th></tr></thead><tbody>${rows.map((r) => `
    <tr${r.available <= 0 ? ' class="out"' : ''}><td>${h(r.sku)}</td><td>${h(r.locationId)}</td><td>${r.onHand}</td><td>${r.reserved}</td><td>${r.available}</td></tr>`).join('')}</tbody></table>`;
}

async function orderDeliveries(orderId: string): Promise<Delivery[]> {
  const { items: webhooks } = await call<{ items: Array<{ webhookId: string }> }>('GET', '/webhooks');
  const pages = await Promise.all(webhooks.map((w) => call<{ items: Delivery[] }>('GET', `/webhooks/${encodeURIComponent(w.webhookId)}/deliveries?limit=100`)));
  return pages.flatMap((p) => p.items).filter((d) => d.orderId === orderId);
}

function deliveriesView(deliveries: Delivery[]): string {
  if (!deliveries.length) return '<p class="empty">No webhook deliveries for this order (in the last 100 of each webhook).</p>';
  return `<table class="list"><thead><tr><th>Event</th><th>Status</th><th>Attempts</th><th>Last response</th><th>Occurred</th></tr></thead><tbody>${deliveries.map((d) => `
    <tr><td><code>${h(d.eventType)}</code></td><td>${badge(d.status)}</td><td>${d.attempts.length}</td><td>${h(d.attempts.at(-1)?.statusCode ?? '')}</td><td>${time(d.occurredAt)}</td></tr>`).join('')}</tbody></table>`;
}

/* ---------- failures: FAILED orders and dead letters ---------- */
async function renderFailures(): Promise<void> {
  app.innerHTML = `
    <section class="card"><h2>FAILED orders</h2><div id="failed"><p class="loading">Loading…</p></div></section>
    <section class="card"><h2>Dead letters</h2><div id="dead"><p class="loading">Loading…</p></div></section>`;
  const failed = document.getElementById('failed')!;
  const dead = document.getElementById('dead')!;
  await Promise.all([
    call<{ items: OrderView[] }>('GET', '/orders?status=FAILED&limit=100').then((page) => {
      failed.innerHTML = page.items.length
        ? `<table class="list"><thead><tr><th>Order</th><th>Reason</th><th>Failed</th><th></th></tr></thead><tbody>${page.items.map((o) => `
          <tr data-order="${h(o.orderId)}"><td><a href="#/order/${h(o.orderId)}">${h(o.orderId)}</a></td><td>${h(o.statusReason ?? '')}</td><td>${time(o.updatedAt)}</td>
          <td><button class="retry" data-order="${h(o.orderId)}">Retry</button></td></tr>`).join('')}</tbody></table><div id="retry-result"></div>`
        : '<p class="empty">No FAILED orders.</p>';
      for (const button of failed.querySelectorAll<HTMLButtonElement>('button.retry')) {
        button.addEventListener('click', () => void retryOrder(button.dataset.order!, document.getElementById('retry-result')!, renderFailures));
      }
    }, (error: unknown) => (failed.innerHTML = fail(error))),
    call<{ queues: Array<{ queue: string; count: number; complete: boolean; messages: Array<{ messageId: string; kind: string; receiveCount: number; sentAt?: string; orderId?: string; webhookId?: string }> }> }>('GET', '/ops/dead-letters').then((answer) => {
      dead.innerHTML = answer.queues.map((q) => `
        <div class="queue"><div class="toolbar"><h3>${h(q.queue)} <span class="count">${q.count}${q.complete ? '' : '+'}</span></h3>
          ${q.count ? `<button class="redrive" data-queue="${h(q.queue)}">Redrive</button>` : ''}</div>
          ${q.messages.length ? `<table class="list"><thead><tr><th>Message</th><th>What</th><th>Receives</th><th>Sent</th></tr></thead><tbody>${q.messages.map((m) => `
            <tr><td><code>${h(m.messageId.slice(0, 8))}</code></td><td>${h(m.kind)}${m.orderId ? ` <a href="#/order/${h(m.orderId)}">${h(m.orderId)}</a>` : ''}${m.webhookId ? ` (${h(m.webhookId)})` : ''}</td><td>${m.receiveCount}</td><td>${time(m.sentAt)}</td></tr>`).join('')}</tbody></table>` : '<p class="empty">Empty.</p>'}
        </div>`).join('') + '<div id="redrive-result"></div>';
      for (const button of dead.querySelectorAll<HTMLButtonElement>('button.redrive')) {
        button.addEventListener('click', async () => {
          const out = document.getElementById('redrive-result')!;
          try {
            const result = await call<{ moved: number; failed: number }>('POST', `/ops/dead-letters/${button.dataset.queue}/redrive`);
            out.innerHTML = `<p class="ok">${result.moved} moved back to ${h(button.dataset.queue)}${result.failed ? `, ${result.failed} could not be moved` : ''}.</p>`;
            setTimeout(() => void renderFailures(), 1500);
          } catch (error) {
            out.innerHTML = fail(error);
          }
        });
      }
    }, (error: unknown) => (dead.innerHTML = fail(error))),
  ]);
}

/* ---------- KPIs ---------- */
interface Kpis {
  window: { from: string; to: string; bucketMinutes: number }; truncated: boolean; orders: { total: number; byStatus: Record<string, number> };
  perMinute: Array<{ at: string; accepted: number; allocated: number }>; timeToAllocate: { orders: number; p50Ms: number | null; p99Ms: number | null };
  parcelsPerOrder: { mean: number | null; distribution: Array<{ parcels: number; orders: number }> }; shippingCostPerOrder: { mean: number | null };
  co2PerOrder: { meanGrams: number | null }; onTime: { due: number; onTime: number; share: number | null };
  backorders: { orders: number; units: number; byAge: Array<{ age: string; orders: number; units: number }> };
  stockOuts: { items: Array<{ sku: string; locationId: string }>; bySku: Array<{ sku: string; locations: number; backorderedUnits: number }> };
  reroutes: { total: number; byReason: Array<{ reason: string; count: number }> };
}

const WINDOWS: Record<string, number> = { '1h': 1, '6h': 6, '24h': 24, '7d': 168 };

async function renderKpis(params: URLSearchParams): Promise<void> {
  const window = WINDOWS[params.get('window') ?? ''] ? params.get('window')! : '24h';
  const to = new Date();
  const from = new Date(to.getTime() - WINDOWS[window]! * 3_600_000);
  const picks = Object.keys(WINDOWS).map((w) => `<a href="#/kpis?window=${w}" class="tab${w === window ? ' active' : ''}">${w}</a>`).join('');
  app.innerHTML = `<section class="card"><div class="toolbar"><h2>KPIs</h2><nav class="tabs">${picks}</nav></div><div id="kpis"><p class="loading">Computing…</p></div></section>`;
  const out = document.getElementById('kpis')!;
  let k: Kpis;
  try {
    k = await call<Kpis>('GET', `/ops/kpis?${new URLSearchParams({ from: from.toISOString(), to: to.toISOString() })}`);
  } catch (error) {
    out.innerHTML = fail(error);
    return;
  }
  const tile = (label: string, value: string, note = '') => `<div class="tile"><div class="value">${value}</div><div class="label">${h(label)}</div>${note ? `<div class="note">${h(note)}</div>` : ''}</div>`;
  out.innerHTML = `
    <p class="meta">Orders created ${time(k.window.from)} – ${time(k.window.to)}: ${k.orders.total}${k.truncated ? ' (the newest only: the window holds more than one request reads)' : ''}</p>
    <div class="tiles">
      ${tile('time to allocate p50', ms(k.timeToAllocate.p50Ms), `${k.timeToAllocate.orders} orders`)}
      ${tile('time to allocate p99', ms(k.timeToAllocate.p99Ms))}
      ${tile('parcels per order', num(k.parcelsPerOrder.mean, 2))}
      ${tile('shipping cost per order', num(k.shippingCostPerOrder.mean, 2))}
      ${tile('CO2 per order', k.co2PerOrder.meanGrams == null ? '—' : `${num(k.co2PerOrder.meanGrams / 1000, 2)} kg`)}
      ${tile('on time', k.onTime.share == null ? '—' : `${(k.onTime.share * 100).toFixed(1)} %`, `${k.onTime.onTime} of ${k.onTime.due} due`)}
      ${tile('backordered', String(k.backorders.orders), `${k.backorders.units} units`)}
      ${tile('re-routes', String(k.reroutes.total))}
    </div>
    <h3>Orders per minute${k.window.bucketMinutes > 1 ? ` (averaged over ${k.window.bucketMinutes} min)` : ''}</h3>
    ${lineChart(k.perMinute.map((b) => clock(b.at).slice(0, 5)), [{ name: 'accepted', values: k.perMinute.map((b) => b.accepted) }, { name: 'allocated', values: k.perMinute.map((b) => b.allocated) }], { unit: 'orders / min' })}
    <div class="grid2">
      <div><h3>Orders by status</h3>${barChart(Object.entries(k.orders.byStatus).sort((a, b) => b[1] - a[1]).map(([label, value]) => ({ label, value })))}</div>
      <div><h3>Parcels per order</h3>${barChart(k.parcelsPerOrder.distribution.map((d) => ({ label: `${d.parcels} parcel${d.parcels > 1 ? 's' : ''}`, value: d.orders, note: `${d.orders} orders` })), { color: '#16a34a' })}</div>
      <div><h3>Backorders by age</h3>${barChart(k.backorders.byAge.map((a) => ({ label: a.age, value: a.orders, note: `${a.orders} orders, ${a.units} units` })), { color: '#d97706' })}</div>
      <div><h3>Re-routes by reason</h3>${barChart(k.reroutes.byReason.map((r) => ({ label: r.reason, value: r.count })), { color: '#7c3aed' })}</div>
      <div><h3>Stock-outs by SKU</h3>${barChart(k.stockOuts.bySku.slice(0, 15).map((s) => ({ label: s.sku, value: s.locations, note: `${s.locations} location${s.locations === 1 ? '' : 's'} out, ${s.backorderedUnits} units backordered` })), { color: '#dc2626' })}</div>
      <div><h3>Stock-outs by location</h3>${barChart(Object.entries(k.stockOuts.items.reduce<Record<string, number>>((acc, i) => ({ ...acc, [i.locationId]: (acc[i.locationId] ?? 0) + 1 }), {})).sort((a, b) => b[1] - a[1]).slice(0, 15).map(([label, value]) => ({ label, value, note: `${value} SKUs` })), { color: '#dc2626' })}</div>
    </div>`;
}

/* ---------- routing ---------- */
async function route(): Promise<void> {
  if (!connection) return renderConnect();
  nav.hidden = false;
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  for (const link of nav.querySelectorAll('a')) link.classList.toggle('active', (path ?? '').startsWith(link.getAttribute('href')!.slice(1)));
  if (path?.startsWith('/order/')) return renderOrder(decodeURIComponent(path.slice('/order/'.length)));
  if (path === '/failures') return renderFailures();
  if (path === '/kpis') return renderKpis(params);
  return renderOrders(params);
}

document.getElementById('disconnect')!.addEventListener('click', () => {
  forgetConnection();
  connection = undefined;
  document.getElementById('tenant')!.textContent = '';
  renderConnect();
});
window.addEventListener('hashchange', () => void route());
if (connection) {
  void call<{ tenantId: string; name: string }>('GET', '/tenant').then((t) => (document.getElementById('tenant')!.textContent = `${t.name} (${t.tenantId})`), () => undefined);
}
void route();
