// `npm run demo`: a short scripted day of a merchant against the RUNNING local cloud (`npm start`), through the public
// HTTP API only: orders from several channels, a pickup handed over at the store with the code from the customer's
// message, the t-shirt story, a stock-out and its restock, a store rejection, a cancellation, shipping and delivery, and
// a return at another location. Prints every routing decision and a summary; exits 1 on a failure.
import { DomApi } from './api-client.ts';
import { DEMO_LOCATIONS } from './demo-network.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

interface Shipment {
  shipmentId: string;
  locationId: string;
  fulfillment: string;
  status: string;
  lines: Array<{ sku: string; quantity: number }>;
  carrier?: string;
  service?: string;
  cost?: number;
  promisedDeliveryDate?: string;
  co2Grams?: number;
  quote?: { upgraded?: boolean; chargedToCustomer?: number };
}
interface Order {
  orderId: string;
  status: string;
  statusReason?: string;
  channel: string;
  externalId?: string;
  customer: { tier: string };
  backorderedLines: Array<{ sku: string; quantity: number }>;
  shipments?: Shipment[];
  routing?: { attempt: number; explanation: string[] };
}
interface Availability {
  available: number;
  locations: Array<{ locationId: string; onHand: number; reserved: number; available: number }>;
}

class DemoError extends Error {}

const dataDir = resolve(process.env.DOM_DATA_DIR ?? '.dom');
const started = Date.now();
const STEPS = 12;
let step = 0;
const placed = new Map<string, { label: string; channel: string }>();
const notes: string[] = [];
let rejections = 0;

function progress(name: string): void {
  step++;
  console.log(`\n\x1b[1m[${step}/${STEPS}] ${name}...\x1b[0m`);
}

async function connect(): Promise<DomApi> {
  const file = join(dataDir, 'local.json');
  const local = await readFile(file, 'utf8').then(
    (text) => JSON.parse(text) as { apiUrl?: string; demoApiKey?: string },
    () => undefined,
  );
  if (!local?.apiUrl || !local.demoApiKey) throw new DemoError(`No local cloud is running: ${file} not found. Start one with \`npm start\` (same DOM_DATA_DIR), then run \`npm run demo\`.`);
  const health = await fetch(`${local.apiUrl}/health`).catch(() => undefined);
  if (!health?.ok) throw new DemoError(`The local cloud in ${file} does not answer at ${local.apiUrl} (stale local.json?). Start it with \`npm start\`.`);
  return new DomApi(local.apiUrl, local.demoApiKey);
}

const api = await connect().catch(fail);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const settled = (o: Order) => o.status !== 'ACCEPTED' && o.status !== 'ROUTING';

async function waitFor(orderId: string, done: (o: Order) => boolean = settled, what = 'to be routed', timeoutMs = 20_000): Promise<Order> {
  const deadline = Date.now() + timeoutMs;
  let last: Order | undefined;
  while (Date.now() < deadline) {
    last = await api.ok<Order>('GET', `/orders/${orderId}`);
    if (done(last)) return last;
    await sleep(100);
  }
  throw new DemoError(`Order ${orderId} did not settle ${what} within ${timeoutMs / 1000} s (last status ${last?.status ?? 'unknown'})`);
}

async function place(label: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Order> {
  const response = await api.request<{ orderId: string; status: string }>('POST', '/orders', body, headers);
  if (response.status !== 202 && response.status !== 200) throw new DemoError(`POST /orders (${label}) -> ${response.status}: ${JSON.stringify(response.body)}`);
  placed.set(response.body.orderId, { label, channel: String(body.channel) });
  return waitFor(response.body.orderId);
}

const pad = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width));
const padLeft = (text: string, width: number) => text.padStart(width);

function show(order: Order, label: string): void {
  const tier = order.customer.tier === 'vip' ? ' · VIP' : '';
  console.log(`  ${label}: ${order.orderId} · channel ${order.channel}${order.externalId ? ` (${order.externalId})` : ''}${tier} · \x1b[1m${order.status}\x1b[0m${order.statusReason ? ` (${order.statusReason})` : ''}`);
  const shipments = order.shipments ?? [];
  if (shipments.length > 0) {
    console.log(`    ${pad('location', 20)} ${pad('lines', 22)} ${pad('how', 9)} ${pad('carrier / service', 28)} ${padLeft('cost', 7)} ${pad(' promised', 11)} ${padLeft('CO2 g', 6)}  status`);
    for (const s of shipments) {
      const lines = s.lines.map((l) => `${l.sku} x${l.quantity}`).join(', ');
      const carrier = s.carrier ? `${s.carrier} / ${s.service}${s.quote?.upgraded ? ' (VIP upgrade)' : ''}` : '-';
      console.log(
        `    ${pad(s.locationId, 20)} ${pad(lines, 22)} ${pad(s.fulfillment, 9)} ${pad(carrier, 28)} ${padLeft(s.cost !== undefined ? s.cost.toFixed(2) : '-', 7)} ${pad(` ${s.promisedDeliveryDate ?? '-'}`, 11)} ${padLeft(s.co2Grams !== undefined ? String(Math.round(s.co2Grams)) : '-', 6)}  ${s.status}`,
      );
    }
  }
  if (order.backorderedLines.length > 0) console.log(`    backordered: ${order.backorderedLines.map((l) => `${l.sku} x${l.quantity}`).join(', ')}`);
  for (const line of order.routing?.explanation ?? []) console.log(`    \x1b[2m│ ${line}\x1b[0m`);
}

async function availability(sku: string): Promise<Availability> {
  return api.ok<Availability>('GET', `/inventory/${sku}`);
}

/** Puts a SKU's availability at the given locations back to the script's numbers, so the demo can be replayed. */
async function resetStock(sku: string, targets: Record<string, number>): Promise<void> {
  const now = await availability(sku);
  const adjustments = Object.entries(targets)
    .map(([locationId, target]) => ({ locationId, sku, delta: target - (now.locations.find((l) => l.locationId === locationId)?.available ?? 0), reason: 'demo reset' }))
    .filter((a) => a.delta !== 0);
  if (adjustments.length === 0) return;
  await adjust(adjustments);
  notes.push(`reset ${sku} to the script's stock (${Object.entries(targets).map(([l, n]) => `${l} ${n}`).join(', ')}): the demo had run before`);
  // The router reads the stream-built projection: give it a moment to see the reset.
  await sleep(750);
}

async function adjust(adjustments: Array<Record<string, unknown>>): Promise<void> {
  const report = await api.ok<{ applied: number; errors: unknown[] }>('POST', '/inventory/adjustments', { adjustments });
  if (report.errors.length > 0) throw new DemoError(`Inventory adjustment refused: ${JSON.stringify(report.errors)}`);
}

function expect(condition: unknown, message: string): void {
  if (!condition) throw new DemoError(message);
}

const run = `${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${(Date.now() % 1e6).toString(36)}`;

/**
 * The merchant's messaging gateway for this run: a receiver on loopback subscribed to the rendered customer messages
 * of pickups (the local cloud lets webhooks reach loopback). The pickup's customer reads the code from PickupReady, as
 * a real customer would; the subscription is deleted when the demo ends.
 */
let gateway: { receiver: WebhookReceiver; webhookId: string; subscribedAt: number } | undefined;
interface CustomerMessage {
  orderId: string;
  eventType: string;
  to: string;
  subject: string;
  text: string;
}

async function openGateway(): Promise<void> {
  const receiver = await startWebhookReceiver();
  const { webhookId } = await api.ok<{ webhookId: string }>('POST', '/webhooks', {
    url: `${receiver.url}/messages`,
    events: ['PickupReady'],
    kind: 'customer-notifications',
    description: `npm run demo ${run}: pickup messages`,
  });
  gateway = { receiver, webhookId, subscribedAt: Date.now() };
}

async function closeGateway(): Promise<void> {
  if (!gateway) return;
  const { receiver, webhookId } = gateway;
  gateway = undefined;
  await api.request('DELETE', `/webhooks/${webhookId}`).catch(() => undefined);
  await receiver.close();
}

async function customerMessage(orderId: string, eventType: string, timeoutMs = 20_000): Promise<CustomerMessage> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = gateway?.receiver.received.map((r) => JSON.parse(r.body) as CustomerMessage).find((m) => m.orderId === orderId && m.eventType === eventType);
    if (found) return found;
    await sleep(100);
  }
  throw new DemoError(`No ${eventType} message for ${orderId} reached the messaging gateway within ${timeoutMs / 1000} s`);
}

/** The Manhattan store publishes where it is and when it opens: customers' pickup messages show both. */
async function publishManhattanStore(): Promise<void> {
  const seeded = DEMO_LOCATIONS.find((l) => l.id === 'manhattan-store')!;
  await api.ok('PUT', '/locations/manhattan-store', {
    name: seeded.name,
    type: seeded.type,
    address: { line1: '120 Prince St', city: 'New York', region: 'NY', postalCode: seeded.postalCode, country: 'US' },
    ...(seeded.capabilities ? { capabilities: seeded.capabilities } : {}),
    ...(seeded.dailyCapacity ? { dailyCapacity: seeded.dailyCapacity } : {}),
    timeZone: 'America/New_York',
    openingHours: {
      mon: [{ opens: '10:00', closes: '20:00' }],
      tue: [{ opens: '10:00', closes: '20:00' }],
      wed: [{ opens: '10:00', closes: '20:00' }],
      thu: [{ opens: '10:00', closes: '20:00' }],
      fri: [{ opens: '10:00', closes: '20:00' }],
      sat: [{ opens: '10:00', closes: '20:00' }],
      sun: [{ opens: '11:00', closes: '19:00' }],
    },
  });
}

try {
  console.log(`Open DOM demo: a day at Demo Outfitters on ${api.baseUrl} (run ${run})`);
  // Subscribed first: the fan-out reads subscriptions through a 5-second cache, long gone by the pickup.
  await openGateway();
  await resetStock('TEE-BLK-M', { 'brooklyn-wh': 1, 'olean-wh': 2, 'manhattan-store': 2 });
  await resetStock('SNKR-LTD-10', { 'joliet-dc': 2, 'chicago-store': 1, 'los-angeles-store': 1 });

  progress('web order from Boston (balanced)');
  const web = await place('web', {
    channel: 'web',
    customer: { id: 'cust-1001', email: 'ana@example.com' },
    shipTo: { name: 'Ana', postalCode: '02116', country: 'US' },
    lines: [
      { lineId: 'l1', sku: 'HOODIE-GRY-M', quantity: 1 },
      { lineId: 'l2', sku: 'JEANS-IND-32', quantity: 1 },
    ],
    preference: 'balanced',
  });
  show(web, 'web');

  progress('marketplace order, resent twice by the marketplace');
  const marketBody = { channel: 'marketplace', externalId: `MKT-${run}`, shipTo: { postalCode: '30309', country: 'US' }, lines: [{ lineId: '1', sku: 'SNKR-RUN-9', quantity: 1 }] };
  const sends = [];
  for (let i = 0; i < 3; i++) sends.push(await api.request<{ orderId: string }>('POST', '/orders', marketBody));
  console.log(`  POST /orders x3 with externalId ${marketBody.externalId}: HTTP ${sends.map((s) => s.status).join(', ')} -> ${new Set(sends.map((s) => s.body.orderId)).size} order (${sends[0]!.body.orderId})`);
  expect(new Set(sends.map((s) => s.body.orderId)).size === 1, 'the marketplace resend created a second order');
  placed.set(sends[0]!.body.orderId, { label: 'marketplace', channel: 'marketplace' });
  show(await waitFor(sends[0]!.body.orderId), 'marketplace');

  progress('social order from Chicago (greenest)');
  const social = await place('social', {
    channel: 'social',
    shipTo: { postalCode: '60601', country: 'US' },
    lines: [
      { lineId: 'l1', sku: 'CANDLE-CEDAR', quantity: 2 },
      { lineId: 'l2', sku: 'MUG-CERAMIC', quantity: 2 },
    ],
    preference: 'greenest',
  });
  show(social, 'social');

  progress('VIP customer in Los Angeles (cheapest, free upgrades)');
  const vip = await place('vip', {
    channel: 'web',
    customer: { id: 'cust-vip-7', email: 'vip@example.com', tier: 'vip' },
    shipTo: { postalCode: '90012', country: 'US' },
    lines: [
      { lineId: 'l1', sku: 'BOOT-HIKE-10', quantity: 1 },
      { lineId: 'l2', sku: 'SOCKS-3PK', quantity: 2 },
    ],
    preference: 'cheapest',
  });
  show(vip, 'VIP');

  progress('buy online, pick up in the Manhattan store');
  await publishManhattanStore();
  console.log('  PUT /locations/manhattan-store: its street address, time zone and opening hours, for customers');
  const bopis = await place('bopis', {
    channel: 'web',
    customer: { id: 'cust-2002', email: 'mia@example.com', name: 'Mia' },
    shipTo: { postalCode: '10013', country: 'US' },
    lines: [{ lineId: 'l1', sku: 'CAP-NAVY', quantity: 1, fulfillment: { type: 'pickup', locationId: 'manhattan-store' } }],
  });
  show(bopis, 'pick-up');
  const pickup = (bopis.shipments ?? []).find((s) => s.fulfillment === 'pickup' && s.status === 'REQUESTED');
  expect(pickup, `the pick-up order ${bopis.orderId} has no requested pickup at the store (${bopis.status})`);
  await api.ok('POST', `/shipments/${pickup!.shipmentId}/accept`, {});
  // Past the fan-out's subscription cache (5 s) before the event the gateway waits for.
  await sleep(Math.max(0, gateway!.subscribedAt + 6_000 - Date.now()));
  const readied = await api.ok<Shipment & { pickup?: { expiresAt: string } }>('POST', `/shipments/${pickup!.shipmentId}/ready`, {});
  console.log(`  POST /shipments/${pickup!.shipmentId}/accept, then /ready -> ${readied.status} (held until ${readied.pickup?.expiresAt ?? '?'}): PickupReady -> the customer's message:`);
  const message = await customerMessage(bopis.orderId, 'PickupReady');
  console.log(`    \x1b[2mTo: ${message.to} · Subject: ${message.subject}\x1b[0m`);
  for (const line of message.text.trimEnd().split('\n')) console.log(`    \x1b[2m│ ${line}\x1b[0m`);
  const code = /Your pickup code: (\S+)/.exec(message.text)?.[1];
  expect(code, 'the PickupReady message carries no pickup code');
  expect(message.text.includes('120 Prince St') && message.text.includes('Opening hours:'), 'the PickupReady message does not show the store\'s address and hours');
  const wrong = await api.request('POST', `/shipments/${pickup!.shipmentId}/picked-up`, { code: code === '000000' ? '111111' : '000000' });
  expect(wrong.status === 422, `a wrong pickup code was answered ${wrong.status}, expected 422`);
  const handed = await api.ok<Shipment>('POST', `/shipments/${pickup!.shipmentId}/picked-up`, { code });
  const collected = await waitFor(bopis.orderId, (o) => o.status === 'PICKED_UP', 'after the pickup');
  console.log(`  POST /shipments/${pickup!.shipmentId}/picked-up: a wrong code -> 422, the code from the message -> ${handed.status}; order ${collected.status}`);

  progress('the t-shirt story: two black tees to New York (docs/routing.md)');
  const tees = await place('t-shirt story', {
    channel: 'web',
    shipTo: { postalCode: '10001', country: 'US' },
    lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 2 }],
    splitPolicy: 'allow',
    preference: 'cheapest',
  });
  show(tees, 't-shirt story');
  expect(tees.status === 'ALLOCATED', `the t-shirt story order is ${tees.status}, expected ALLOCATED`);

  progress('stock-out: 6 limited-edition sneakers, 4 in the network');
  const before = await availability('SNKR-LTD-10');
  console.log(`  SNKR-LTD-10 available: ${before.available}`);
  const sneakers = await place('stock-out', { channel: 'web', shipTo: { postalCode: '60611', country: 'US' }, lines: [{ lineId: 'l1', sku: 'SNKR-LTD-10', quantity: 6 }], splitPolicy: 'allow' });
  show(sneakers, 'stock-out');
  expect(['PARTIALLY_ALLOCATED', 'BACKORDERED'].includes(sneakers.status), `the stock-out order is ${sneakers.status}`);
  await adjust([{ locationId: 'joliet-dc', sku: 'SNKR-LTD-10', delta: 6, reason: 'purchase order received' }]);
  console.log('  POST /inventory/adjustments: joliet-dc receives 6 x SNKR-LTD-10 -> StockChanged -> backorder retried');
  const filled = await waitFor(sneakers.orderId, (o) => o.status === 'ALLOCATED', 'after the restock');
  show(filled, 'restocked');

  progress('store rejection: a store cannot find the units');
  // Any store shipment still open, the story's first (orders shipped in step 10 are left alone).
  const candidates = [tees, filled, social];
  let storeShipment: Shipment | undefined;
  let storeOrder: Order | undefined;
  for (const order of candidates) {
    const fresh = await api.ok<Order>('GET', `/orders/${order.orderId}`);
    storeShipment = (fresh.shipments ?? []).find((s) => s.status === 'REQUESTED' && s.fulfillment === 'ship' && s.locationId.endsWith('-store'));
    if (storeShipment) {
      storeOrder = fresh;
      break;
    }
  }
  if (!storeShipment || !storeOrder) {
    notes.push('store rejection skipped: no order was routed to ship from a store this time');
    console.log('  (no open ship-from-store shipment to reject)');
  } else {
    await api.ok('POST', `/shipments/${storeShipment.shipmentId}/reject`, { reason: 'units not found on the shelf' });
    rejections++;
    console.log(`  POST /shipments/${storeShipment.shipmentId}/reject (${storeShipment.locationId}: units not found on the shelf) -> re-routing`);
    const attempt = storeOrder.routing?.attempt ?? 0;
    const rerouted = await waitFor(storeOrder.orderId, (o) => settled(o) && (o.routing?.attempt ?? 0) > attempt, 'after the rejection');
    show(rerouted, 're-routed');
    const rejected = (rerouted.shipments ?? []).find((s) => s.shipmentId === storeShipment.shipmentId);
    const skus = new Set(storeShipment.lines.map((l) => l.sku));
    const elsewhere = (rerouted.shipments ?? []).some((s) => s.status === 'REQUESTED' && s.locationId !== storeShipment.locationId && s.lines.some((l) => skus.has(l.sku)));
    expect(rejected?.status === 'REJECTED', `the rejected shipment is ${rejected?.status}`);
    expect(elsewhere || rerouted.backorderedLines.length > 0, 'the rejected units were neither re-routed elsewhere nor backordered');
  }

  progress('cancellation releases the stock');
  const throwBefore = (await availability('THROW-WOOL')).available;
  const cancelled = await place('cancelled', { channel: 'web', shipTo: { postalCode: '80202', country: 'US' }, lines: [{ lineId: 'l1', sku: 'THROW-WOOL', quantity: 3 }] });
  show(cancelled, 'to cancel');
  const throwAllocated = (await availability('THROW-WOOL')).available;
  await api.ok('POST', `/orders/${cancelled.orderId}/cancel`, { reason: 'customer changed their mind' });
  const throwAfter = (await availability('THROW-WOOL')).available;
  console.log(`  THROW-WOOL available: ${throwBefore} before the order, ${throwAllocated} while allocated, ${throwAfter} after POST /orders/${cancelled.orderId}/cancel`);
  expect(throwAfter === throwBefore, 'the cancellation did not give the stock back');

  progress('shipping and delivering');
  for (const order of [web, vip]) {
    const fresh = await api.ok<Order>('GET', `/orders/${order.orderId}`);
    for (const s of (fresh.shipments ?? []).filter((x) => x.status === 'REQUESTED' || x.status === 'ACCEPTED')) {
      await api.ok('POST', `/shipments/${s.shipmentId}/accept`, {});
      await api.ok('POST', `/shipments/${s.shipmentId}/ship`, s.fulfillment === 'ship' ? { tracking: { carrier: s.carrier ?? 'UPS', trackingNumber: `1Z${run.toUpperCase().replace(/[^A-Z0-9]/g, '')}${s.shipmentId.slice(-5).replace(/\D/g, '')}` } } : {});
      await api.ok('POST', `/shipments/${s.shipmentId}/deliver`, {});
    }
    const done = await api.ok<Order>('GET', `/orders/${order.orderId}`);
    console.log(`  ${placed.get(order.orderId)!.label}: ${done.orderId} -> ${done.status} (${(done.shipments ?? []).map((s) => `${s.locationId} ${s.status}`).join(', ')})`);
    expect(done.status === 'DELIVERED', `${done.orderId} is ${done.status} after its shipments were delivered`);
  }

  progress('a return, at another location');
  // Return-anywhere: the hoodie shipped from a warehouse comes back over the counter of the customer's nearest store.
  const returnAt = 'boston-store';
  const hoodieBefore = (await availability('HOODIE-GRY-M')).locations.find((l) => l.locationId === returnAt)?.onHand ?? 0;
  const received = await api.ok<{ order: Order }>('POST', `/orders/${web.orderId}/returns`, {
    returnId: `RMA-${run}`,
    locationId: returnAt,
    lines: [{ lineId: 'l1', quantity: 1 }],
    reason: 'does not fit',
  });
  const hoodieAfter = (await availability('HOODIE-GRY-M')).locations.find((l) => l.locationId === returnAt)?.onHand ?? 0;
  console.log(`  POST /orders/${web.orderId}/returns (RMA-${run}: the hoodie, at ${returnAt}) -> order ${received.order.status}, hoodies on hand there ${hoodieBefore} -> ${hoodieAfter}`);
  expect(hoodieAfter === hoodieBefore + 1, `the returned hoodie is not on hand at ${returnAt} (${hoodieBefore} -> ${hoodieAfter})`);
  expect(received.order.status === 'DELIVERED', `a partial return left the order ${received.order.status}`);

  progress('summary');
  const orders = await Promise.all([...placed.keys()].map((id) => api.ok<Order>('GET', `/orders/${id}`)));
  const byStatus = new Map<string, number>();
  for (const o of orders) byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1);
  const shipments = orders.flatMap((o) => o.shipments ?? []).filter((s) => s.status !== 'REJECTED' && s.status !== 'CANCELLED');
  const cost = shipments.reduce((n, s) => n + (s.cost ?? 0), 0);
  const co2 = shipments.reduce((n, s) => n + (s.co2Grams ?? 0), 0);
  console.log(`  ${orders.length} orders (${[...byStatus].map(([s, n]) => `${n} ${s}`).join(', ')}), ${shipments.length} live shipments from ${new Set(shipments.map((s) => s.locationId)).size} locations`);
  console.log(`  shipping cost ${cost.toFixed(2)} USD, ${(co2 / 1000).toFixed(2)} kg CO2; 1 marketplace resend deduplicated twice, 1 pickup handed over with its code, ${rejections} store rejection(s) re-routed, 1 backorder filled by a restock`);
  for (const note of notes) console.log(`  note: ${note}`);
  await closeGateway();
  console.log(`\nDemo finished in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  process.exit(0);
} catch (error) {
  await closeGateway().catch(() => undefined);
  fail(error);
}

function fail(error: unknown): never {
  const where = step > 0 ? ` at step ${step}/${STEPS}` : '';
  console.error(`\n\x1b[31mDemo failed${where}: ${error instanceof DemoError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\x1b[0m`);
  process.exit(1);
}
