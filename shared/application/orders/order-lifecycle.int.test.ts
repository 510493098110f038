import { describe, expect, it } from 'vitest';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DomApi } from '../../../infra/local/tools/api-client.ts';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { createTestTenant, eventually, type OrderView } from '../../../infra/local/tools/testing.ts';
import { flagLateShipments } from '#application/orders/delays';
import { delayDeps } from '#adapters/orders';

const cloud = useTestCloud();

const NEW_YORK = { country: 'US', postalCode: '10001' };

async function tenantWith(stock: Array<{ locationId: string; zip: string; type?: string; acceptanceHours?: number; units: Record<string, number> }>, skus: Record<string, number> = { 'TEE-BLK-M': 0.4 }): Promise<DomApi> {
  const tenant = await createTestTenant('Lifecycle Shop');
  const api = new DomApi(cloud().apiUrl, tenant.apiKey);
  for (const [sku, weightLb] of Object.entries(skus)) await api.ok('PUT', `/skus/${sku}`, { weightLb });
  for (const location of stock) {
    await api.ok('PUT', `/locations/${location.locationId}`, {
      name: location.locationId,
      type: location.type ?? 'warehouse',
      address: { postalCode: location.zip, country: 'US' },
      ...(location.acceptanceHours ? { acceptanceHours: location.acceptanceHours } : {}),
    });
  }
  const adjustments = stock.flatMap((l) => Object.entries(l.units).map(([sku, set]) => ({ locationId: l.locationId, sku, set })));
  if (adjustments.length) await api.ok('POST', '/inventory/adjustments', { adjustments });
  await waitForAvailability(api, adjustments);
  // The stock reads above are consistent, but the router reads the SKU projection, which the stream writes a moment later.
  await cloud().settle();
  return api;
}

async function waitForAvailability(api: DomApi, adjustments: Array<{ sku: string; set: number }>): Promise<void> {
  const totals = new Map<string, number>();
  for (const a of adjustments) totals.set(a.sku, (totals.get(a.sku) ?? 0) + a.set);
  for (const [sku, total] of totals) {
    await eventually(async () => ((await api.ok<{ available: number }>('GET', `/inventory/${sku}`)).available === total ? true : undefined));
  }
}

function orderOf(api: DomApi, orderId: string, until: (o: OrderView) => boolean): Promise<OrderView> {
  return eventually(async () => {
    const order = await api.ok<OrderView>('GET', `/orders/${orderId}`);
    return until(order) ? order : undefined;
  }, 30_000);
}

/** The scheduled check's deps, looking at this test's tenant only (other tests leave shipments of their own). */
async function onlyTenantOf(api: DomApi): Promise<typeof delayDeps> {
  const { tenantId } = await api.ok<{ tenantId: string }>('GET', '/tenant');
  return { ...delayDeps, late: { ...delayDeps.late, tenantIds: async () => [tenantId] } };
}

const settled = (o: OrderView) => !['ACCEPTED', 'ROUTING'].includes(o.status);

async function place(api: DomApi, lines: Array<{ sku: string; quantity: number }>, extra: Record<string, unknown> = {}): Promise<string> {
  const response = await api.request<{ orderId: string }>('POST', '/orders', { channel: 'web', shipTo: NEW_YORK, lines: lines.map((l, i) => ({ lineId: `l${i + 1}`, ...l })), ...extra });
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return response.body.orderId;
}

describe('order lifecycle on the local cloud', () => {
  it('backorders what is missing and fills it when a restock arrives', async () => {
    const api = await tenantWith([{ locationId: 'olean-wh', zip: '14760', units: { 'TEE-BLK-M': 1 } }]);
    const orderId = await place(api, [{ sku: 'TEE-BLK-M', quantity: 3 }]);
    const partial = await orderOf(api, orderId, settled);
    expect(partial.status).toBe('PARTIALLY_ALLOCATED');
    expect(partial.backorderedLines).toEqual([{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 2 }]);

    await api.ok('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'olean-wh', sku: 'TEE-BLK-M', delta: 5, reason: 'restock' }] });
    const filled = await orderOf(api, orderId, (o) => o.status === 'ALLOCATED');
    expect(filled.allocations.reduce((n, a) => n + a.quantity, 0)).toBe(3);
    expect(filled.backorderedLines).toEqual([]);
    expect(filled.history.map((h) => h.status)).toEqual(['ACCEPTED', 'ROUTING', 'PARTIALLY_ALLOCATED', 'ROUTING', 'ALLOCATED']);
  });

  it('waits as BACKORDERED when nothing is in stock', async () => {
    const api = await tenantWith([{ locationId: 'olean-wh', zip: '14760', units: { 'TEE-BLK-M': 0 } }]);
    const orderId = await place(api, [{ sku: 'TEE-BLK-M', quantity: 1 }]);
    expect((await orderOf(api, orderId, settled)).status).toBe('BACKORDERED');
  });

  it('re-routes the lines of a shipment a store rejects, never back to that store', async () => {
    const api = await tenantWith([
      { locationId: 'manhattan-store', zip: '10013', type: 'store', units: { 'TEE-BLK-M': 2 } },
      { locationId: 'olean-wh', zip: '14760', units: { 'TEE-BLK-M': 2 } },
    ]);
    const orderId = await place(api, [{ sku: 'TEE-BLK-M', quantity: 2 }], { splitPolicy: 'single', preference: 'fastest' });
    const first = await orderOf(api, orderId, settled);
    expect(first.status).toBe('ALLOCATED');
    const rejected = first.shipments[0]!;

    const answer = await api.request<{ status: string }>('POST', `/shipments/${rejected.shipmentId}/reject`, { reason: 'cannot find the stock on the shelf' });
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('REJECTED');

    const rerouted = await orderOf(api, orderId, (o) => o.status === 'ALLOCATED' && o.shipments.some((s) => s.status === 'REQUESTED'));
    const active = rerouted.shipments.filter((s) => s.status !== 'REJECTED');
    expect(active).toHaveLength(1);
    expect(active[0]!.locationId).not.toBe(rejected.locationId);
    // The rejected location's units went back to stock.
    const inventory = await eventually(async () => {
      const inv = await api.ok<{ locations: Array<{ locationId: string; reserved: number }> }>('GET', '/inventory/TEE-BLK-M');
      return inv.locations.find((l) => l.locationId === rejected.locationId)?.reserved === 0 ? inv : undefined;
    });
    expect(inventory).toBeDefined();
  });

  it('ships and delivers: reservations are committed (on-hand goes down) and the order ends DELIVERED', async () => {
    const api = await tenantWith([{ locationId: 'olean-wh', zip: '14760', units: { 'TEE-BLK-M': 4 } }]);
    const orderId = await place(api, [{ sku: 'TEE-BLK-M', quantity: 2 }]);
    const order = await orderOf(api, orderId, settled);
    const shipmentId = order.shipments[0]!.shipmentId;
    await api.ok('POST', `/shipments/${shipmentId}/accept`);
    await api.ok('POST', `/shipments/${shipmentId}/ship`, { tracking: { carrier: 'UPS', trackingNumber: '1Z999AA10123456784' } });
    // Shipping twice is a no-op, not a second commit.
    expect((await api.request('POST', `/shipments/${shipmentId}/ship`)).status).toBe(200);
    expect((await orderOf(api, orderId, (o) => o.status === 'SHIPPED')).status).toBe('SHIPPED');
    await api.ok('POST', `/shipments/${shipmentId}/deliver`);
    expect((await orderOf(api, orderId, (o) => o.status === 'DELIVERED')).history.at(-1)?.status).toBe('DELIVERED');
    const stock = await eventually(async () => {
      const inv = await api.ok<{ locations: Array<{ onHand: number; reserved: number }> }>('GET', '/inventory/TEE-BLK-M');
      return inv.locations[0]!.onHand === 2 ? inv.locations[0] : undefined;
    });
    expect(stock).toMatchObject({ onHand: 2, reserved: 0 });
  });

  it('takes a return at any location: restocked units go on-hand there, once; the last units back make it RETURNED', async () => {
    const api = await tenantWith([
      { locationId: 'olean-wh', zip: '14760', units: { 'TEE-BLK-M': 3 } },
      { locationId: 'manhattan-store', zip: '10013', type: 'store', units: {} },
    ]);
    const orderId = await place(api, [{ sku: 'TEE-BLK-M', quantity: 3 }], { splitPolicy: 'single' });
    const shipmentId = (await orderOf(api, orderId, settled)).shipments[0]!.shipmentId;
    await api.ok('POST', `/shipments/${shipmentId}/ship`);
    await api.ok('POST', `/shipments/${shipmentId}/deliver`);
    await orderOf(api, orderId, (o) => o.status === 'DELIVERED');
    const onHandAt = async (locationId: string) =>
      (await api.ok<{ locations: Array<{ locationId: string; onHand: number }> }>('GET', '/inventory/TEE-BLK-M')).locations.find((l) => l.locationId === locationId)?.onHand ?? 0;

    // Two units back at the Manhattan store, which never stocked the SKU: they go on its shelf.
    const rma1 = { returnId: 'RMA-1', locationId: 'manhattan-store', lines: [{ lineId: 'l1', quantity: 2 }], reason: 'too small' };
    const first = await api.request<{ return: { lines: unknown[] }; order: OrderView }>('POST', `/orders/${orderId}/returns`, rma1);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.order.status).toBe('DELIVERED');
    expect(first.body.return.lines).toEqual([{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 2, restock: true }]);
    // A retry is answered as recorded and adds nothing; the same id for other units is a conflict.
    expect((await api.request('POST', `/orders/${orderId}/returns`, rma1)).status).toBe(200);
    const reused = await api.request<{ errors: Array<{ field: string }> }>('POST', `/orders/${orderId}/returns`, { ...rma1, lines: [{ lineId: 'l1', quantity: 1 }] });
    expect(reused.status).toBe(409);
    expect(reused.body.errors[0]!.field).toBe('returnId');
    await eventually(async () => ((await onHandAt('manhattan-store')) === 2 ? true : undefined));

    const tooMany = await api.request<{ errors: Array<{ field: string; message: string }> }>('POST', `/orders/${orderId}/returns`, { returnId: 'RMA-2', locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 2 }] });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.errors).toEqual([{ field: 'lines[0].quantity', message: 'only 1 unit(s) of line l1 shipped and have not come back' }]);

    // The last unit is damaged: written off, not restocked. Every unit is back, so the order is RETURNED.
    const last = await api.request<{ order: OrderView }>('POST', `/orders/${orderId}/returns`, { returnId: 'RMA-2', locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 1, restock: false }] });
    expect(last.status).toBe(201);
    expect(last.body.order.status).toBe('RETURNED');
    const order = await api.ok<OrderView>('GET', `/orders/${orderId}`);
    expect(order.returns?.map((r) => [r.returnId, r.locationId])).toEqual([
      ['RMA-1', 'manhattan-store'],
      ['RMA-2', 'olean-wh'],
    ]);
    expect(order.history.map((h) => h.status).slice(-3)).toEqual(['SHIPPED', 'DELIVERED', 'RETURNED']);
    expect(await onHandAt('manhattan-store')).toBe(2);
    expect(await onHandAt('olean-wh')).toBe(0);
  });

  it('refuses a return naming the field: unknown location, a drop-shipper, unshipped units, an unknown line', async () => {
    const api = await tenantWith([
      { locationId: 'olean-wh', zip: '14760', units: { 'TEE-BLK-M': 2 } },
      { locationId: 'drop-co', zip: '60601', type: 'dropship', units: {} },
    ]);
    const orderId = await place(api, [{ sku: 'TEE-BLK-M', quantity: 1 }]);
    await orderOf(api, orderId, settled);
    const attempt = (body: Record<string, unknown>) =>
      api.request<{ errors: Array<{ field: string; message: string }> }>('POST', `/orders/${orderId}/returns`, { returnId: 'RMA-9', locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 1 }], ...body });

    const answers = await Promise.all([
      attempt({ locationId: 'nowhere' }),
      attempt({ locationId: 'drop-co' }),
      attempt({}),
      attempt({ lines: [{ lineId: 'l7', quantity: 1 }] }),
      attempt({ lines: [{ lineId: 'l1', quantity: 0 }] }),
      attempt({ lines: [] }),
      attempt({ returnId: undefined }),
    ]);
    expect(answers.map((a) => [a.status, a.body.errors?.[0]?.field])).toEqual([
      [422, 'locationId'],
      [422, 'locationId'],
      [422, 'lines[0].quantity'],
      [422, 'lines[0].lineId'],
      [422, 'lines[0].quantity'],
      [422, 'lines'],
      [422, 'returnId'],
    ]);
    expect((await api.request('POST', '/orders/o_01m8ck0000000000000000/returns', { returnId: 'RMA-9', locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 1 }] })).status).toBe(404);
    expect((await api.ok<OrderView>('GET', `/orders/${orderId}`)).returns).toBeUndefined();
  });

  it('wakes an order backordered for a SKU when a return puts a unit of it back on a shelf', async () => {
    const api = await tenantWith([{ locationId: 'olean-wh', zip: '14760', units: { 'TEE-BLK-M': 1 } }]);
    const shippedId = await place(api, [{ sku: 'TEE-BLK-M', quantity: 1 }]);
    const shipmentId = (await orderOf(api, shippedId, settled)).shipments[0]!.shipmentId;
    await api.ok('POST', `/shipments/${shipmentId}/ship`);
    const waitingId = await place(api, [{ sku: 'TEE-BLK-M', quantity: 1 }]);
    expect((await orderOf(api, waitingId, settled)).status).toBe('BACKORDERED');

    await api.ok('POST', `/orders/${shippedId}/returns`, { returnId: 'RMA-5', locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 1 }] });
    expect((await orderOf(api, waitingId, (o) => o.status === 'ALLOCATED')).allocations).toEqual([expect.objectContaining({ locationId: 'olean-wh', quantity: 1 })]);
  });

  it('marks a shipment late once its promised day has passed, once, re-routes one never accepted, leaves delivered ones alone', async () => {
    const api = await tenantWith([
      { locationId: 'olean-wh', zip: '14760', units: { 'TEE-BLK-M': 3 } },
      { locationId: 'reno-wh', zip: '89501', units: { 'TEE-BLK-M': 1 } },
    ]);
    const shippedId = await place(api, [{ sku: 'TEE-BLK-M', quantity: 1 }]);
    const onTimeId = await place(api, [{ sku: 'TEE-BLK-M', quantity: 1 }]);
    const ignoredId = await place(api, [{ sku: 'TEE-BLK-M', quantity: 1 }]);
    const shipped = (await orderOf(api, shippedId, settled)).shipments[0]!;
    const onTime = (await orderOf(api, onTimeId, settled)).shipments[0]!;
    const ignored = (await orderOf(api, ignoredId, settled)).shipments[0]!;
    expect(ignored.locationId).toBe('olean-wh');
    await api.ok('POST', `/shipments/${shipped.shipmentId}/ship`);
    await api.ok('POST', `/shipments/${onTime.shipmentId}/ship`);
    await api.ok('POST', `/shipments/${onTime.shipmentId}/deliver`);

    // The scheduled run today finds nothing due; a month later two parcels are late, and only once.
    await cloud().runSchedule('flagLateShipments');
    expect((await api.ok<OrderView>('GET', `/orders/${shippedId}`)).shipments[0]!.delayed).toBeUndefined();
    const monthLater = { ...(await onlyTenantOf(api)), clock: { now: () => new Date(Date.parse(shipped.promisedDeliveryDate!) + 30 * 86_400_000) } };
    const first = await flagLateShipments(monthLater);
    const again = await flagLateShipments(monthLater);

    expect(first.flagged).toBeGreaterThanOrEqual(2);
    expect(again.flagged).toBe(0);
    const late = (await api.ok<OrderView>('GET', `/orders/${shippedId}`)).shipments[0]!;
    expect(late.delayed).toEqual({ at: expect.any(String), previousPromisedDeliveryDate: shipped.promisedDeliveryDate, reason: `not delivered; it was promised for ${shipped.promisedDeliveryDate}` });
    expect(late.status).toBe('SHIPPED');
    expect((await api.ok<OrderView>('GET', `/orders/${onTimeId}`)).shipments[0]!.delayed).toBeUndefined();

    // Olean never accepted the third parcel: it is taken away from Olean and routed again, to Reno.
    const rerouted = await orderOf(api, ignoredId, (o) => o.status === 'ALLOCATED' && o.shipments.some((s) => s.status === 'REQUESTED'));
    const taken = rerouted.shipments.find((s) => s.shipmentId === ignored.shipmentId)!;
    expect(taken.status).toBe('REJECTED');
    expect(taken.delayed?.reason).toBe(`not shipped yet; it was promised for ${ignored.promisedDeliveryDate}`);
    expect(rerouted.shipments.filter((s) => s.status === 'REQUESTED').map((s) => s.locationId)).toEqual(['reno-wh']);
  });

  it('routes a pick again when its store does not accept it within its own window, and leaves the one it accepted alone', async () => {
    const api = await tenantWith([
      { locationId: 'bk-store', zip: '11201', type: 'store', acceptanceHours: 2, units: { 'TEE-BLK-M': 2 } },
      { locationId: 'olean-wh', zip: '14760', units: {} },
    ]);
    const ignoredId = await place(api, [{ sku: 'TEE-BLK-M', quantity: 1 }]);
    const acceptedId = await place(api, [{ sku: 'TEE-BLK-M', quantity: 1 }]);
    const ignored = (await orderOf(api, ignoredId, settled)).shipments[0]!;
    const accepted = (await orderOf(api, acceptedId, settled)).shipments[0]!;
    expect(Date.parse(ignored.acceptBy!) - Date.parse(ignored.history[0]!.at)).toBe(2 * 3_600_000);
    await api.ok('POST', `/shipments/${accepted.shipmentId}/accept`);
    await api.ok('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'olean-wh', sku: 'TEE-BLK-M', set: 1 }] });
    await eventually(async () => ((await api.ok<{ available: number }>('GET', '/inventory/TEE-BLK-M')).available === 1 ? true : undefined));

    // The store gave itself two hours: one hour on nothing is due; three hours on its silence costs it the first pick,
    // long before any promise broke.
    const deps = await onlyTenantOf(api);
    const hoursLater = (h: number) => ({ ...deps, clock: { now: () => new Date(Date.parse(ignored.history[0]!.at) + h * 3_600_000) } });
    const early = await flagLateShipments(hoursLater(1));
    const due = await flagLateShipments(hoursLater(3));
    const again = await flagLateShipments(hoursLater(3));

    expect(early.reassigned).toBe(0);
    expect(due).toMatchObject({ reassigned: 1, flagged: 0 });
    expect(again.reassigned).toBe(0);
    const rerouted = await orderOf(api, ignoredId, (o) => o.shipments.some((s) => s.status === 'REQUESTED'));
    const taken = rerouted.shipments.find((s) => s.shipmentId === ignored.shipmentId)!;
    expect(taken.status).toBe('REJECTED');
    expect(taken.history.at(-1)?.reason).toBe(`not accepted by the location by ${ignored.acceptBy}`);
    expect(taken.delayed).toBeUndefined();
    expect(taken.acceptBy).toBeUndefined();
    expect(rerouted.shipments.filter((s) => s.status === 'REQUESTED').map((s) => s.locationId)).toEqual(['olean-wh']);
    expect((await api.ok<OrderView>('GET', `/orders/${acceptedId}`)).shipments[0]!.status).toBe('ACCEPTED');
  });

  it('cancels an order and gives its units back; a shipped order cannot be cancelled', async () => {
    const api = await tenantWith([{ locationId: 'olean-wh', zip: '14760', units: { 'TEE-BLK-M': 3 } }]);
    const orderId = await place(api, [{ sku: 'TEE-BLK-M', quantity: 2 }]);
    await orderOf(api, orderId, settled);
    await eventually(async () => ((await api.ok<{ available: number }>('GET', '/inventory/TEE-BLK-M')).available === 1 ? true : undefined));

    const cancelled = await api.request<OrderView>('POST', `/orders/${orderId}/cancel`, { reason: 'customer changed their mind' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('CANCELLED');
    await eventually(async () => ((await api.ok<{ available: number }>('GET', '/inventory/TEE-BLK-M')).available === 3 ? true : undefined));

    const shippedId = await place(api, [{ sku: 'TEE-BLK-M', quantity: 1 }]);
    const shipped = await orderOf(api, shippedId, settled);
    await api.ok('POST', `/shipments/${shipped.shipments[0]!.shipmentId}/ship`);
    const refused = await api.request<{ status: number; detail: string }>('POST', `/orders/${shippedId}/cancel`);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/shipped/);
  });

  it('ends a failing workflow in FAILED with the reason, and a message on the failure queue', async () => {
    // No carrier service takes a 5,000 lb parcel: the rating task fails, the Catch marks the order FAILED.
    const api = await tenantWith([{ locationId: 'olean-wh', zip: '14760', units: { ANVIL: 2 } }], { ANVIL: 5000 });
    const orderId = await place(api, [{ sku: 'ANVIL', quantity: 1 }]);
    const failed = await orderOf(api, orderId, settled);
    expect(failed.status).toBe('FAILED');
    // The reason is the refusal in words a merchant can act on; the error's type goes to ops (the queue, the logs).
    expect(failed.statusReason).toMatch(/^No carrier service can (ship|take)/);
    const sqs = new SQSClient({});
    const message = await eventually(async () => {
      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: cloud().queueUrls.workflowFailures.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      return received.Messages?.find((m) => JSON.parse(m.Body!).orderId === orderId);
    });
    expect(JSON.parse(message.Body!)).toMatchObject({ workflow: 'order-fulfillment', orderId, error: { Error: 'UnroutableDestinationError' } });
  });

  it('creates one order when the same request is posted twice at once, and refuses the key with another body', async () => {
    const api = await tenantWith([{ locationId: 'olean-wh', zip: '14760', units: { 'TEE-BLK-M': 5 } }]);
    const body = { channel: 'marketplace', externalId: 'AMZ-111-222', shipTo: NEW_YORK, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 1 }] };
    const headers = { 'idempotency-key': 'checkout-42' };
    const answers = await Promise.all([api.request<{ orderId: string }>('POST', '/orders', body, headers), api.request<{ orderId: string }>('POST', '/orders', body, headers)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 202]);
    expect(answers[0]!.body.orderId).toBe(answers[1]!.body.orderId);
    // A marketplace resending the same channel + externalId without the key gets the same order too.
    const resent = await api.request<{ orderId: string }>('POST', '/orders', body);
    expect(resent.body.orderId).toBe(answers[0]!.body.orderId);

    const conflict = await api.request<{ errors: Array<{ field: string }> }>('POST', '/orders', { ...body, externalId: 'AMZ-999', lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 2 }] }, headers);
    expect(conflict.status).toBe(409);
    expect(conflict.body.errors[0]!.field).toBe('header.Idempotency-Key');
    const list = await api.ok<{ items: unknown[] }>('GET', '/orders?status=ALLOCATED&limit=100');
    const all = await api.ok<{ items: unknown[] }>('GET', '/orders?limit=100');
    expect(all.items.length).toBeGreaterThanOrEqual(list.items.length);
    expect(all.items).toHaveLength(1);
  });

  it('pages a tenant\'s orders and refuses a cursor from another tenant or another listing with a 400', async () => {
    const api = await tenantWith([{ locationId: 'olean-wh', zip: '14760', units: { 'TEE-BLK-M': 5 } }]);
    const other = await tenantWith([]);
    for (let i = 0; i < 3; i++) await place(api, [{ sku: 'TEE-BLK-M', quantity: 1 }]);

    const first = await api.ok<{ items: Array<{ orderId: string }>; nextCursor: string }>('GET', '/orders?limit=2');
    const second = await api.ok<{ items: Array<{ orderId: string }> }>('GET', `/orders?limit=2&cursor=${first.nextCursor}`);
    const foreign = await other.request<{ errors: Array<{ field: string }> }>('GET', `/orders?limit=2&cursor=${first.nextCursor}`);
    const otherListing = await api.request<{ errors: Array<{ field: string }> }>('GET', `/orders?status=ACCEPTED&cursor=${first.nextCursor}`);

    expect([...first.items, ...second.items].map((o) => o.orderId)).toHaveLength(3);
    expect(foreign.status).toBe(400);
    expect(foreign.body.errors[0]!.field).toBe('query.cursor');
    expect(otherListing.status).toBe(400);
  });

  it("stops routing to a location once its daily capacity is used up", async () => {
    const api = await tenantWith([
      { locationId: 'newark-wh', zip: '07102', units: { 'TEE-BLK-M': 10 } },
      { locationId: 'olean-wh', zip: '14760', units: { 'TEE-BLK-M': 10 } },
    ]);
    // Newark is the cheaper origin for New York; it can ship one parcel a day.
    await api.ok('PUT', '/locations/newark-wh', { name: 'newark-wh', type: 'warehouse', address: { postalCode: '07102', country: 'US' }, dailyCapacity: 1 });
    const first = await orderOf(api, await place(api, [{ sku: 'TEE-BLK-M', quantity: 1 }]), settled);
    const second = await orderOf(api, await place(api, [{ sku: 'TEE-BLK-M', quantity: 1 }]), settled);
    expect(first.shipments.map((s) => s.locationId)).toEqual(['newark-wh']);
    expect(second.shipments.map((s) => s.locationId)).toEqual(['olean-wh']);
  });
});
