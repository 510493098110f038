import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomApi } from '../../../infra/local/tools/api-client.ts';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { createTestTenant, eventually, type OrderView } from '../../../infra/local/tools/testing.ts';
import { delayDeps, lifecycleDeps } from '#adapters/orders';
import { flagLateShipments } from '#application/orders/delays';
import { startWebhookReceiver, type WebhookReceiver } from '../../../infra/local/tools/webhook-receiver.ts';

const cloud = useTestCloud();
let receiver: WebhookReceiver;

beforeAll(async () => {
  process.env.WEBHOOK_SUBSCRIPTION_CACHE_MS = '0';
  receiver = await startWebhookReceiver();
});

afterAll(async () => {
  await receiver?.close();
});

/** The Manhattan store as it publishes itself: a street address and opening hours in its zone. */
const MANHATTAN = {
  name: 'Manhattan store (SoHo)',
  type: 'store',
  address: { line1: '120 Prince St', line2: 'Floor 2', city: 'New York', region: 'NY', postalCode: '10012', country: 'US' },
  timeZone: 'America/New_York',
  openingHours: Object.fromEntries([...['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ opens: '09:00', closes: '18:00' }]]), ['sat', [{ opens: '10:00', closes: '16:00' }]]]),
};

/** `Friday, December 4 at 10:00 AM EST`: an instant as New York reads it. */
const newYorkTime = (iso: string) =>
  new Intl.DateTimeFormat('en-US', { weekday: 'long', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone: 'America/New_York', timeZoneName: 'short' }).format(new Date(iso));

/** A customer message the merchant's messaging gateway got for the order. */
function messageOf(orderId: string, eventType: string): Promise<{ to: string; subject: string; text: string }> {
  return eventually(async () => receiver.received.map((r) => JSON.parse(r.body) as { orderId: string; eventType: string; to: string; subject: string; text: string }).find((m) => m.orderId === orderId && m.eventType === eventType), 30_000);
}

const STORES = { 'bk-store': '11201', 'manhattan-store': '10013' } as const;
type Shop = { api: DomApi; tenantId: string };

/** Two stores 8 km apart (Brooklyn, Manhattan) offering pickup and curbside, and a warehouse 400 km away (Olean). */
async function shop(units: { bk?: number; manhattan?: number; olean?: number }, hold?: number): Promise<Shop> {
  const tenant = await createTestTenant('Pickup Shop');
  const api = new DomApi(cloud().apiUrl, tenant.apiKey);
  await api.ok('PUT', '/skus/TEE-BLK-M', { weightLb: 0.4 });
  for (const [locationId, zip] of Object.entries(STORES)) {
    await api.ok('PUT', `/locations/${locationId}`, {
      name: locationId,
      type: 'store',
      address: { postalCode: zip, country: 'US' },
      capabilities: { ship: true, pickup: true, curbside: true },
      ...(hold ? { pickupHoldDays: hold } : {}),
    });
  }
  await api.ok('PUT', '/locations/olean-wh', { name: 'Olean', type: 'warehouse', address: { postalCode: '14760', country: 'US' } });
  const adjustments = [
    { locationId: 'bk-store', sku: 'TEE-BLK-M', set: units.bk ?? 0 },
    { locationId: 'manhattan-store', sku: 'TEE-BLK-M', set: units.manhattan ?? 0 },
    { locationId: 'olean-wh', sku: 'TEE-BLK-M', set: units.olean ?? 0 },
  ];
  await api.ok('POST', '/inventory/adjustments', { adjustments });
  const total = adjustments.reduce((n, a) => n + a.set, 0);
  await eventually(async () => ((await api.ok<{ available: number }>('GET', '/inventory/TEE-BLK-M')).available === total ? true : undefined));
  await cloud().settle();
  return { api, tenantId: tenant.tenantId };
}

async function placePickup(api: DomApi, type: 'pickup' | 'curbside', extra: Record<string, unknown> = {}, quantity = 2): Promise<PickupOrder> {
  const response = await api.request<{ orderId: string }>('POST', '/orders', {
    channel: 'web',
    customer: { email: 'ada@example.com', name: 'Ada' },
    shipTo: { country: 'US', postalCode: '11201' },
    lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity, fulfillment: { type, locationId: 'bk-store' }, unitPrice: '19.99' }],
    currency: 'USD',
    ...extra,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return orderOf(api, response.body.orderId, (o) => !['ACCEPTED', 'ROUTING'].includes(o.status));
}

type Shipment = OrderView['shipments'][number] & {
  fulfillment: string;
  pickup?: { readyAt: string; remindAt: string; remindedAt?: string; expiresAt: string; failedAttempts: number; arrival?: unknown; pickedUpAt?: string };
};
/** The order view with what pickups add to it. */
type PickupOrder = Omit<OrderView, 'shipments'> & {
  shipments: Shipment[];
  lines: Array<{ lineId: string; fulfillment: Record<string, unknown> }>;
  cancelledLines?: Array<{ lineId: string; quantity: number; cause: string; refund?: { currency: string; items: string; total: string } }>;
  pickupReroutes?: Array<{ fallback: string; fromLocationId: string; lineIds: string[] }>;
};

function orderOf(api: DomApi, orderId: string, until: (o: PickupOrder) => boolean): Promise<PickupOrder> {
  return eventually(async () => {
    const order = await api.ok<PickupOrder>('GET', `/orders/${orderId}`);
    return until(order) ? order : undefined;
  }, 30_000);
}

/** The code the customer got (PickupReady carries it; the API never shows it): read from the table, as the event is made. */
async function codeOf(tenantId: string, orderId: string, shipmentId: string): Promise<string> {
  const found = await lifecycleDeps.orders.get(tenantId, orderId);
  return found!.shipments.find((s) => s.shipmentId === shipmentId)!.pickup!.code;
}

async function stockAt(api: DomApi, locationId: string): Promise<{ onHand: number; reserved: number; available: number }> {
  const inventory = await api.ok<{ locations: Array<{ locationId: string; onHand: number; reserved: number; available: number }> }>('GET', '/inventory/TEE-BLK-M');
  return inventory.locations.find((l) => l.locationId === locationId)!;
}

/** The scheduled check, for this tenant only, at `now`. */
const checkAt = (tenantId: string, now: Date) => flagLateShipments({ ...delayDeps, clock: { now: () => now }, late: { ...delayDeps.late, tenantIds: async () => [tenantId] } });


describe('pickup and curbside on the local cloud', () => {
  it('hands a pickup over with its code: wrong or missing codes are refused by field and counted, the right one commits the units once', async () => {
    const { api, tenantId } = await shop({ bk: 5 });
    const order = await placePickup(api, 'pickup');
    expect(order.status).toBe('ALLOCATED');
    const { shipmentId } = order.shipments[0]!;
    await api.ok('POST', `/shipments/${shipmentId}/accept`);

    const ready = await api.request<Shipment & { pickup: { code?: string } }>('POST', `/shipments/${shipmentId}/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('READY_FOR_PICKUP');
    expect(ready.body.pickup.code).toBeUndefined();
    expect(Date.parse(ready.body.pickup.expiresAt) - Date.parse(ready.body.pickup.readyAt)).toBe(5 * 86_400_000);
    expect((await orderOf(api, order.orderId, (o) => o.status === 'READY_FOR_PICKUP')).status).toBe('READY_FOR_PICKUP');
    // Ready twice: the same code, no second hold.
    expect((await api.request<Shipment>('POST', `/shipments/${shipmentId}/ready`)).body.pickup).toEqual(ready.body.pickup);
    const code = await codeOf(tenantId, order.orderId, shipmentId);
    expect(code).toMatch(/^\d{6}$/);

    const wrong = await api.request<{ errors: Array<{ field: string; message: string }> }>('POST', `/shipments/${shipmentId}/picked-up`, { code: code === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors).toEqual([{ field: 'code', message: 'The pickup code does not match (4 tries left)' }]);
    const missing = await api.request<{ errors: Array<{ field: string }> }>('POST', `/shipments/${shipmentId}/picked-up`, {});
    expect(missing.status).toBe(422);
    expect(missing.body.errors[0]!.field).toBe('code');
    expect((await api.request('POST', `/shipments/${shipmentId}/picked-up`, { code: 'x'.repeat(33) })).status).toBe(422);
    expect((await stockAt(api, 'bk-store')).onHand).toBe(5);

    const handed = await api.request<Shipment>('POST', `/shipments/${shipmentId}/picked-up`, { code: ` ${code} ` });
    expect(handed.status).toBe(200);
    expect(handed.body.status).toBe('PICKED_UP');
    expect(handed.body.pickup?.failedAttempts).toBe(1);
    expect((await api.request<Shipment>('POST', `/shipments/${shipmentId}/picked-up`, { code })).body.status).toBe('PICKED_UP');
    const done = await orderOf(api, order.orderId, (o) => o.status === 'PICKED_UP');
    expect(done.history.at(-1)?.status).toBe('PICKED_UP');
    expect(await stockAt(api, 'bk-store')).toMatchObject({ onHand: 3, reserved: 0 });
    // Picked up is final: the order cannot be cancelled any more.
    expect((await api.request('POST', `/orders/${order.orderId}/cancel`)).status).toBe(409);
  });

  it('locks a pickup after five wrong codes until the store issues a new code', async () => {
    const { api, tenantId } = await shop({ bk: 2 });
    const order = await placePickup(api, 'pickup');
    const { shipmentId } = order.shipments[0]!;
    await api.ok('POST', `/shipments/${shipmentId}/ready`);
    const first = await codeOf(tenantId, order.orderId, shipmentId);
    const wrong = first === '999999' ? '888888' : '999999';
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push((await api.request('POST', `/shipments/${shipmentId}/picked-up`, { code: wrong })).status);
    expect(answers).toEqual([422, 422, 422, 422, 422, 423]);
    expect((await api.request('POST', `/shipments/${shipmentId}/picked-up`, { code: first })).status).toBe(423);

    const reissued = await api.request<Shipment>('POST', `/shipments/${shipmentId}/ready`, { reissueCode: true });
    expect(reissued.body.pickup?.failedAttempts).toBe(0);
    const second = await codeOf(tenantId, order.orderId, shipmentId);
    expect((await api.request('POST', `/shipments/${shipmentId}/picked-up`, { code: second })).status).toBe(200);
  });

  it('records a curbside arrival (bay, vehicle); two picked-up calls at once hand over once', async () => {
    const { api, tenantId } = await shop({ bk: 4 });
    const order = await placePickup(api, 'curbside');
    const { shipmentId } = order.shipments[0]!;
    expect((await api.request('POST', `/shipments/${shipmentId}/arrived`, { bay: '3' })).status).toBe(409);
    await api.ok('POST', `/shipments/${shipmentId}/ready`);
    expect((await api.request('POST', `/shipments/${shipmentId}/arrived`, { bay: '' })).status).toBe(422);

    const arrived = await api.request<Shipment>('POST', `/shipments/${shipmentId}/arrived`, { bay: '3', vehicle: 'blue Civic — NY ÄBC-1234' });
    expect(arrived.status).toBe(200);
    expect(arrived.body.status).toBe('CUSTOMER_ARRIVED');
    expect(arrived.body.pickup?.arrival).toEqual({ at: expect.any(String), bay: '3', vehicle: 'blue Civic — NY ÄBC-1234' });
    expect((await api.request<Shipment>('POST', `/shipments/${shipmentId}/arrived`, { bay: '3' })).status).toBe(200);

    const code = await codeOf(tenantId, order.orderId, shipmentId);
    const racing = await Promise.all([1, 2, 3].map(() => api.request<Shipment>('POST', `/shipments/${shipmentId}/picked-up`, { code })));
    expect(racing.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(racing.every((r) => r.body.status === 'PICKED_UP')).toBe(true);
    await orderOf(api, order.orderId, (o) => o.status === 'PICKED_UP');
    expect(await stockAt(api, 'bk-store')).toMatchObject({ onHand: 2, reserved: 0 });
  });

  it('refuses pickup steps on a parcel and curbside arrival on a plain pickup', async () => {
    const { api } = await shop({ bk: 2, olean: 2 });
    const pickup = await placePickup(api, 'pickup', {}, 1);
    await api.ok('POST', `/shipments/${pickup.shipments[0]!.shipmentId}/ready`);
    expect((await api.request('POST', `/shipments/${pickup.shipments[0]!.shipmentId}/arrived`, { bay: '1' })).status).toBe(409);
    const parcel = await api.ok<{ orderId: string }>('POST', '/orders', { channel: 'web', shipTo: { country: 'US', postalCode: '14760' }, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 1 }] });
    const shipped = await orderOf(api, parcel.orderId, (o) => o.shipments.length > 0);
    const refused = await api.request<{ detail: string }>('POST', `/shipments/${shipped.shipments[0]!.shipmentId}/ready`);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/not a pickup/);
  });

  it('reminds halfway through the hold and then expires the pickup: units available at the store again, the line refunded, once', async () => {
    const { api, tenantId } = await shop({ bk: 3 }, 2);
    const order = await placePickup(api, 'pickup');
    const { shipmentId } = order.shipments[0]!;
    const ready = await api.ok<Shipment>('POST', `/shipments/${shipmentId}/ready`);
    const readyAt = Date.parse(ready.pickup!.readyAt);
    expect((await stockAt(api, 'bk-store')).available).toBe(1);

    expect(await checkAt(tenantId, new Date(readyAt + 0.5 * 86_400_000))).toMatchObject({ reminded: 0, expired: 0 });
    expect(await checkAt(tenantId, new Date(readyAt + 1.1 * 86_400_000))).toMatchObject({ reminded: 1, expired: 0 });
    expect(await checkAt(tenantId, new Date(readyAt + 1.2 * 86_400_000))).toMatchObject({ reminded: 0, expired: 0 });
    const reminded = (await api.ok<PickupOrder>('GET', `/orders/${order.orderId}`)).shipments[0]!;
    expect(reminded.pickup).toMatchObject({ remindedAt: expect.any(String) });

    const expiry = new Date(readyAt + 2.1 * 86_400_000);
    const [first, second] = await Promise.all([checkAt(tenantId, expiry), checkAt(tenantId, expiry)]);
    expect(first.expired + second.expired).toBe(1);
    expect(await checkAt(tenantId, expiry)).toMatchObject({ expired: 0 });

    const expired = await orderOf(api, order.orderId, (o) => o.status === 'CANCELLED');
    expect(expired.shipments[0]!.status).toBe('EXPIRED');
    expect(expired.cancelledLines).toEqual([
      expect.objectContaining({ lineId: 'l1', quantity: 2, cause: 'pickup-expired', refund: expect.objectContaining({ currency: 'USD', items: '39.98', total: '39.98' }) }),
    ]);
    expect(await eventually(async () => ((await stockAt(api, 'bk-store')).available === 3 ? stockAt(api, 'bk-store') : undefined))).toMatchObject({ onHand: 3, reserved: 0 });
    expect((await api.request('POST', `/shipments/${shipmentId}/picked-up`, { code: await codeOf(tenantId, order.orderId, shipmentId) })).status).toBe(409);
  });

  it('moves a pickup its store rejects to the nearest store with the units (default), and tells the customer', async () => {
    const { api } = await shop({ bk: 2, manhattan: 2, olean: 5 });
    const order = await placePickup(api, 'pickup');
    const rejected = order.shipments[0]!;
    expect(rejected.locationId).toBe('bk-store');
    expect((await api.request('POST', `/shipments/${rejected.shipmentId}/reject`, { reason: 'shelf empty' })).status).toBe(200);

    const moved = await orderOf(api, order.orderId, (o) => o.shipments.some((s) => s.status === 'REQUESTED'));
    const active = moved.shipments.filter((s) => s.status === 'REQUESTED');
    expect(active.map((s) => [s.locationId, s.fulfillment])).toEqual([['manhattan-store', 'pickup']]);
    expect(moved.status).toBe('ALLOCATED');
    expect(moved.pickupReroutes).toEqual([expect.objectContaining({ fallback: 'nearest-store', fromLocationId: 'bk-store', lineIds: ['l1'] })]);
    expect(await stockAt(api, 'bk-store')).toMatchObject({ reserved: 0, available: 2 });
    // The same rejection again is answered as it is, and moves nothing more.
    expect((await api.request('POST', `/shipments/${rejected.shipmentId}/reject`)).status).toBe(200);
    await cloud().settle();
    expect((await api.ok<OrderView>('GET', `/orders/${order.orderId}`)).shipments).toHaveLength(2);
  });

  it('moves a pickup its store does not accept in time the same way', async () => {
    const { api, tenantId } = await shop({ bk: 2, manhattan: 2 });
    const order = await placePickup(api, 'pickup');
    const ignored = order.shipments[0]!;
    // Past its window (and, late in the UTC day, past its promised day too: then it is marked late first).
    const check = await checkAt(tenantId, new Date(Date.parse(ignored.acceptBy!) + 60_000));
    expect(check.failed).toEqual([]);
    expect(check.reassigned + check.flagged).toBe(1);
    const moved = await orderOf(api, order.orderId, (o) => o.shipments.some((s) => s.status === 'REQUESTED'));
    expect(moved.shipments.find((s) => s.status === 'REQUESTED')?.locationId).toBe('manhattan-store');
  });

  it('ships a rejected pickup as a parcel when the order says ship', async () => {
    const { api } = await shop({ bk: 2, olean: 5 });
    const order = await placePickup(api, 'pickup', { pickupFallback: 'ship' });
    await api.ok('POST', `/shipments/${order.shipments[0]!.shipmentId}/reject`);
    const moved = await orderOf(api, order.orderId, (o) => o.shipments.some((s) => s.status === 'REQUESTED'));
    expect(moved.shipments.filter((s) => s.status === 'REQUESTED').map((s) => [s.locationId, s.fulfillment])).toEqual([['olean-wh', 'ship']]);
    expect(moved.lines[0]).toMatchObject({ fulfillment: { type: 'ship', movedFrom: 'bk-store' } });
  });

  it('cancels and refunds a rejected pickup when the order says cancel, and when no store within 50 km has it', async () => {
    const { api } = await shop({ bk: 2, olean: 5 });
    const cancel = await placePickup(api, 'pickup', { pickupFallback: 'cancel' });
    await api.ok('POST', `/shipments/${cancel.shipments[0]!.shipmentId}/reject`);
    const cancelled = await orderOf(api, cancel.orderId, (o) => o.status === 'CANCELLED');
    expect(cancelled.cancelledLines).toEqual([
      expect.objectContaining({ cause: 'pickup-cancelled', refund: expect.objectContaining({ total: '39.98' }) }),
    ]);

    // Nearest store (default), but only a warehouse 400 km away has the units: never a dead end.
    const nowhere = await placePickup(api, 'pickup');
    await api.ok('POST', `/shipments/${nowhere.shipments[0]!.shipmentId}/reject`);
    const ended = await orderOf(api, nowhere.orderId, (o) => o.status === 'CANCELLED');
    expect(ended.statusReason).toMatch(/no store within 50 km/);
    expect(await stockAt(api, 'bk-store')).toMatchObject({ reserved: 0, available: 2 });
  });

  it('refuses an unknown pickupFallback by field', async () => {
    const { api } = await shop({ bk: 1 });
    const response = await api.request<{ errors: Array<{ field: string }> }>('POST', '/orders', {
      channel: 'web',
      shipTo: { country: 'US', postalCode: '11201' },
      lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 1, fulfillment: { type: 'pickup', locationId: 'bk-store' } }],
      pickupFallback: 'Nearest-Store',
    });
    expect(response.status).toBe(422);
    expect(response.body.errors.map((e) => e.field)).toEqual(['pickupFallback']);
  });

  it('lets a store key hand over its own pickups only, and records the key', async () => {
    const { api, tenantId } = await shop({ bk: 2, manhattan: 2 });
    const order = await placePickup(api, 'pickup');
    const { shipmentId } = order.shipments[0]!;
    const bk = await api.ok<{ apiKey: string; keyId: string }>('POST', '/api-keys', { name: 'Brooklyn tablet', scope: { locationIds: ['bk-store'] } });
    const manhattan = await api.ok<{ apiKey: string }>('POST', '/api-keys', { name: 'Manhattan tablet', scope: { locationIds: ['manhattan-store'] } });
    const bkApi = new DomApi(cloud().apiUrl, bk.apiKey);
    const otherApi = new DomApi(cloud().apiUrl, manhattan.apiKey);

    expect((await otherApi.request('POST', `/shipments/${shipmentId}/ready`)).status).toBe(404);
    const ready = await bkApi.request<Shipment>('POST', `/shipments/${shipmentId}/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body.history.at(-1)).toMatchObject({ status: 'READY_FOR_PICKUP', by: { keyId: bk.keyId, keyName: 'Brooklyn tablet' } });
    const code = await codeOf(tenantId, order.orderId, shipmentId);
    expect((await otherApi.request('POST', `/shipments/${shipmentId}/picked-up`, { code })).status).toBe(404);
    const handed = await bkApi.request<Shipment>('POST', `/shipments/${shipmentId}/picked-up`, { code });
    expect(handed.body.history.at(-1)).toMatchObject({ status: 'PICKED_UP', by: { keyId: bk.keyId } });
    expect((await bkApi.request('GET', `/orders/${order.orderId}`)).status).toBe(404);
  });

  it('tells the customer from the real events: the move to another store, the code where it is ready, the reminder and the expiry', async () => {
    const { api, tenantId } = await shop({ bk: 2, manhattan: 2 });
    await api.ok('POST', '/webhooks', { url: `${receiver.url}/esp`, events: ['*'], kind: 'customer-notifications' });
    // The fan-out reads a tenant's subscriptions through a 5-second cache, which the shop's own stock events filled
    // (with none): past it, every event of the order reaches the subscription.
    const subscribedAt = Date.now();
    await cloud().settle();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, subscribedAt + 6_000 - Date.now())));
    const order = await placePickup(api, 'curbside');
    await api.ok('POST', `/shipments/${order.shipments[0]!.shipmentId}/reject`, { reason: 'shelf empty' });
    const moved = await messageOf(order.orderId, 'PickupRerouted');
    expect(moved.to).toBe('ada@example.com');
    expect(moved.text).toContain('bk-store cannot prepare your order');
    expect(moved.text).toContain('nearest store');

    const atManhattan = (await orderOf(api, order.orderId, (o) => o.shipments.some((s) => s.status === 'REQUESTED'))).shipments.find((s) => s.status === 'REQUESTED')!;
    // The store publishes its street address and hours after the pickup was planned there: the ready step reads the
    // store afresh, so the customer is told the store as it is when the pickup is ready.
    await api.ok('PUT', '/locations/manhattan-store', { ...MANHATTAN, capabilities: { ship: true, pickup: true, curbside: true } });
    const ready = await api.ok<Shipment>('POST', `/shipments/${atManhattan.shipmentId}/ready`);
    const code = await codeOf(tenantId, order.orderId, atManhattan.shipmentId);
    const notice = await messageOf(order.orderId, 'PickupReady');
    expect(notice.subject).toBe(`Your order ${order.orderId} is ready for curbside pickup`);
    expect(notice.text).toContain(`2 items of your order ${order.orderId} are ready at Manhattan store (SoHo).\n`);
    expect(notice.text).toContain('\nAddress: 120 Prince St, Floor 2, New York, NY 10012, US\n');
    expect(notice.text).toContain('\nOpening hours: Mon-Fri 9:00-18:00, Sat 10:00-16:00, Sun closed (Eastern Time)\n');
    expect(notice.text).toContain(`\nYour pickup code: ${code}\n`);
    expect(notice.text).toContain('tell the store your parking bay');
    // The hold's end in New York time, named (EST or EDT by the season).
    expect(notice.text).toContain(`We hold it for you until ${newYorkTime(ready.pickup!.expiresAt)}.`);

    const readyAt = Date.parse(ready.pickup!.readyAt);
    await checkAt(tenantId, new Date(readyAt + 2.6 * 86_400_000));
    const reminder = (await messageOf(order.orderId, 'PickupReminder')).text;
    expect(reminder).toContain('waiting for you at Manhattan store (SoHo).\nAddress: 120 Prince St, Floor 2, New York, NY 10012, US\nOpening hours: Mon-Fri 9:00-18:00');
    await checkAt(tenantId, new Date(readyAt + 5.1 * 86_400_000));
    const expired = (await messageOf(order.orderId, 'PickupExpired')).text;
    expect(expired).toContain('was not collected at Manhattan store (SoHo) in time');
    expect(expired).toContain('will be refunded');
  });

  it('makes a pickup ready once when the store taps ready twice at once, recording the store as it is then', async () => {
    const { api, tenantId } = await shop({ bk: 2 });
    const order = await placePickup(api, 'pickup');
    const { shipmentId } = order.shipments[0]!;
    await api.ok('PUT', '/locations/bk-store', { ...MANHATTAN, name: 'Brooklyn Heights', address: { line1: '1 Court St', city: 'Brooklyn', region: 'NY', postalCode: '11201', country: 'US' }, capabilities: { ship: true, pickup: true, curbside: true } });
    const [a, b] = await Promise.all([api.request<Shipment>('POST', `/shipments/${shipmentId}/ready`), api.request<Shipment>('POST', `/shipments/${shipmentId}/ready`)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.pickup).toEqual(b.body.pickup);
    expect(a.body).not.toHaveProperty('store');
    const stored = (await lifecycleDeps.orders.get(tenantId, order.orderId))!.shipments.find((s) => s.shipmentId === shipmentId)!;
    expect(stored.history.filter((h) => h.status === 'READY_FOR_PICKUP')).toHaveLength(1);
    expect(stored.store).toMatchObject({ locationId: 'bk-store', name: 'Brooklyn Heights', address: { line1: '1 Court St' }, timeZone: 'America/New_York' });
  });

  it('takes a store\'s street address, and refuses a bad part of it by field without writing anything', async () => {
    const tenant = await createTestTenant('Store Address Shop');
    const api = new DomApi(cloud().apiUrl, tenant.apiKey);
    const created = await api.ok<{ address: Record<string, string>; version: number }>('PUT', '/locations/manhattan-store', MANHATTAN);
    expect(created.address).toEqual(MANHATTAN.address);
    for (const [field, value] of [['line1', 'x'.repeat(101)], ['city', '  '], ['region', 'NY\r\nBcc: x@example.com'], ['street', '1 A St']] as const) {
      const refused = await api.request<{ errors: Array<{ field: string }> }>('PUT', '/locations/manhattan-store', { ...MANHATTAN, address: { ...MANHATTAN.address, [field]: value } });
      expect(refused.status, field).toBe(422);
      expect(refused.body.errors.map((e) => e.field), field).toEqual([field === 'street' ? 'address' : `address.${field}`]);
    }
    expect(await api.ok('GET', '/locations/manhattan-store')).toMatchObject({ address: MANHATTAN.address, version: created.version });
    // Lines at their bounds, in any script, are taken trimmed.
    const long = await api.ok<{ address: Record<string, string> }>('PUT', '/locations/manhattan-store', { ...MANHATTAN, address: { ...MANHATTAN.address, line1: ` ${'Ü'.repeat(100)} `, city: 'c'.repeat(60) } });
    expect(long.address.line1).toBe('Ü'.repeat(100));
  });
});
