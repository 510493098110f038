import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomApi } from '../../infra/local/tools/api-client.ts';
import { useTestCloud } from '../../infra/local/tools/test-cloud.ts';
import { createTestTenant, eventually, type OrderView } from '../../infra/local/tools/testing.ts';
import { contractCoverage, expectMatchesContract } from './contract-validator.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { dynamoForecastStore } from '../adapters/dynamodb/demand-store.ts';
import { lifecycleDeps } from '../adapters/orders.ts';

/**
 * The contract, checked against the running API: every documented operation is called on the local cloud, answering
 * at least once with success and (but for the two public ops routes, which take no input) at least once with a
 * problem, and every answer is validated against the document: status documented, content type, body schema.
 */

const cloud = useTestCloud();

let api: DomApi;
let anonymous: DomApi;
let receiver: Server;
let receiverUrl: string;

beforeAll(async () => {
  const tenant = await createTestTenant('Contract Shop');
  api = new DomApi(cloud().apiUrl, tenant.apiKey);
  anonymous = new DomApi(cloud().apiUrl, 'dom_t_0000000000.not-a-key');
  receiver = createServer((req, res) => req.resume().on('end', () => res.writeHead(204).end()));
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

afterAll(async () => {
  api?.close();
  anonymous?.close();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
});

/** One request, validated against the document whatever its status; returns the answer for the test's own checks. */
async function call<T = any>(method: string, path: string, body?: unknown, options: { as?: DomApi; headers?: Record<string, string> } = {}) {
  const response = await (options.as ?? api).request<T>(method, path, body, options.headers);
  expectMatchesContract(method, path, response);
  return response;
}

const statusOf = async (method: string, path: string, body?: unknown, options?: { as?: DomApi; headers?: Record<string, string> }) =>
  (await call(method, path, body, options)).status;

const NEW_YORK = { country: 'US', postalCode: '10001' };
const order = (lineId = 'l1', extra: Record<string, unknown> = {}) => ({ channel: 'web', shipTo: NEW_YORK, lines: [{ lineId, sku: 'TEE-BLK-M', quantity: 1 }], ...extra });

async function settledOrder(orderId: string): Promise<OrderView> {
  await eventually(async () => (['ACCEPTED', 'ROUTING'].includes((await api.ok<OrderView>('GET', `/orders/${orderId}`)).status) ? undefined : true), 30_000);
  return (await call<OrderView>('GET', `/orders/${orderId}`)).body;
}

async function allocatedOrder(idempotencyKey?: string): Promise<{ orderId: string; shipmentId: string }> {
  const placed = await call<{ orderId: string }>('POST', '/orders', order(), idempotencyKey ? { headers: { 'Idempotency-Key': idempotencyKey } } : {});
  expect(placed.status).toBe(202);
  const settled = await settledOrder(placed.body.orderId);
  expect(settled.status, settled.statusReason).toBe('ALLOCATED');
  return { orderId: settled.orderId, shipmentId: settled.shipments[0]!.shipmentId };
}

describe('the API answers as its OpenAPI document says', () => {
  it('serves the document it is built from, and its health', async () => {
    const served = await call('GET', '/openapi.json', undefined, { as: anonymous });
    expect(served.status).toBe(200);
    expect(served.body).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
    expect(await statusOf('GET', '/health', undefined, { as: anonymous })).toBe(200);
  });

  it('shows the tenant of the key, and answers an unknown key with a 401 problem', async () => {
    expect(await statusOf('GET', '/tenant')).toBe(200);
    expect(await statusOf('GET', '/tenant', undefined, { as: anonymous })).toBe(401);
    expect(await statusOf('PUT', '/tenant/settings', { defaultPreference: 'fastest', customRegions: [{ id: 'northeast', states: ['NY', 'NJ'] }] })).toBe(200);
    expect(await statusOf('PUT', '/tenant/settings', { defaultSplitPolicy: 'sometimes' })).toBe(422);
    expect(await statusOf('GET', '/tenant')).toBe(200);
  });

  it('creates, replaces, reads and pages locations; refuses invalid, malformed and unknown ones', async () => {
    const brooklyn = { name: 'Brooklyn warehouse', type: 'warehouse', address: { postalCode: '11222', country: 'US' } };
    expect(await statusOf('PUT', '/locations/brooklyn-wh', brooklyn)).toBe(201);
    expect(await statusOf('PUT', '/locations/brooklyn-wh', { ...brooklyn, handlingCost: 1.25, dailyCapacity: 500, acceptanceHours: 24, rank: 1 })).toBe(200);
    expect(await statusOf('PUT', '/locations/olean-wh', { name: 'Olean warehouse', type: 'warehouse', geo: { lat: 42.08, lon: -78.43 } })).toBe(201);
    expect(await statusOf('PUT', '/locations/castle', { name: 'Castle', type: 'castle', geo: { lat: 0, lon: 0 } })).toBe(422);
    expect(await statusOf('PUT', '/locations/castle', '{"name": "Castle",')).toBe(400);
    expect(await statusOf('GET', '/locations/brooklyn-wh')).toBe(200);
    expect(await statusOf('GET', '/locations/nowhere')).toBe(404);
    const page = await call<{ nextCursor?: string }>('GET', '/locations?limit=1');
    expect(page.status).toBe(200);
    expect(await statusOf('GET', `/locations?limit=1&cursor=${page.body.nextCursor}`)).toBe(200);
    expect(await statusOf('GET', '/locations?limit=0')).toBe(422);
    expect(await statusOf('GET', '/locations?cursor=not-a-cursor')).toBe(400);
  });

  it('creates, replaces and reads SKUs; refuses invalid and unknown ones', async () => {
    expect(await statusOf('PUT', '/skus/TEE-BLK-M', { name: 'Black tee, M', weightLb: 0.4 })).toBe(201);
    expect(await statusOf('PUT', '/skus/TEE-BLK-M', { name: 'Black tee, M', weightLb: 0.4, dims: { lengthIn: 10, widthIn: 8, heightIn: 1 }, lowStockThreshold: 2 })).toBe(200);
    expect(await statusOf('PUT', '/skus/TEE-BLK-M', { weightLb: -1 })).toBe(422);
    expect(await statusOf('GET', '/skus/TEE-BLK-M')).toBe(200);
    expect(await statusOf('GET', '/skus/NO-SUCH-SKU')).toBe(404);
  });

  it('sets and lists channel hold-backs; refuses a share above 1 and a request without a key', async () => {
    expect(await statusOf('PUT', '/channels/marketplace', { holdBack: { units: 1 }, skus: { 'TEE-BLK-M': { share: 0.5 } } })).toBe(200);
    expect(await statusOf('PUT', '/channels/marketplace', { holdBack: { share: 2 } })).toBe(422);
    expect(await statusOf('GET', '/channels')).toBe(200);
    expect(await statusOf('GET', '/channels', undefined, { as: anonymous })).toBe(401);
  });

  it('adjusts stock and shows it per SKU and per location; refuses empty, invalid and unknown requests', async () => {
    const adjusted = await call<{ applied: number }>('POST', '/inventory/adjustments', {
      adjustments: [
        { locationId: 'brooklyn-wh', sku: 'TEE-BLK-M', set: 10 },
        { locationId: 'olean-wh', sku: 'TEE-BLK-M', set: 10, safetyStock: 0 },
        { locationId: 'nowhere', sku: 'TEE-BLK-M', delta: 1 },
      ],
    });
    expect(adjusted.status).toBe(200);
    expect(adjusted.body.applied).toBe(2);
    expect(await statusOf('POST', '/inventory/adjustments', { adjustments: [] })).toBe(422);
    expect(await statusOf('GET', '/inventory/TEE-BLK-M')).toBe(200);
    expect(await statusOf('GET', '/inventory/TEE-BLK-M?channel=marketplace')).toBe(200);
    expect(await statusOf('GET', '/inventory/TEE-BLK-M?channel=Not%20a%20channel!')).toBe(422);
    expect(await statusOf('GET', '/inventory?locationId=brooklyn-wh&limit=10')).toBe(200);
    expect(await statusOf('GET', '/inventory?locationId=nowhere')).toBe(404);
    expect(await statusOf('GET', '/inventory')).toBe(422);
    // Checkout availability (no store offers pickups here: an empty list is the answer, not an error).
    expect(await statusOf('GET', '/availability?sku=TEE-BLK-M&quantity=2&near=10001&radiusKm=500')).toBe(200);
    expect(await statusOf('GET', '/availability?sku=TEE-BLK-M&near=40.75,-73.99&fulfillment=curbside')).toBe(200);
    expect(await statusOf('GET', '/availability?sku=TEE-BLK-M&near=downtown')).toBe(422);
  });

  it('reads the default routing rules, stores a version, refuses a stale version and an empty document', async () => {
    expect(await statusOf('GET', '/routing-rules')).toBe(200);
    expect(await statusOf('GET', '/routing-rules', undefined, { as: anonymous })).toBe(401);
    const rules = { ruleSets: [{ id: 'default', preferences: { default: 'balanced' } }] };
    expect(await statusOf('PUT', '/routing-rules', { ...rules, expectedVersion: 0 })).toBe(200);
    expect(await statusOf('PUT', '/routing-rules', { ...rules, expectedVersion: 0 })).toBe(409);
    expect(await statusOf('PUT', '/routing-rules', { ruleSets: [] })).toBe(422);
    expect(await statusOf('GET', '/routing-rules')).toBe(200);
  });

  it('stores a rule document of 50 rule sets and pages 100 items; one more is a 422 naming the field', async () => {
    const ruleSets = (n: number) => [...Array.from({ length: n - 1 }, (_, i) => ({ id: `channel-${i}`, scope: { channels: [`c${i}`] } })), { id: 'default' }];
    expect(await statusOf('PUT', '/routing-rules', { ruleSets: ruleSets(50) })).toBe(200);
    const tooMany = await call<{ errors: Array<{ field: string }> }>('PUT', '/routing-rules', { ruleSets: ruleSets(51) });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.errors.map((e) => e.field)).toEqual(['ruleSets']);
    expect(await statusOf('PUT', '/routing-rules', { ruleSets: [{ id: 'default', preferences: { default: 'balanced' } }] })).toBe(200);
    expect(await statusOf('GET', '/locations?limit=100')).toBe(200);
    const pastLimit = await call<{ errors: Array<{ field: string }> }>('GET', '/locations?limit=101');
    expect(pastLimit.status).toBe(422);
    expect(pastLimit.body.errors.map((e) => e.field)).toEqual(['query.limit']);
  });

  it('registers, lists, tests, pages the deliveries of and deletes a webhook; refuses invalid and unknown ones', async () => {
    const created = await call<{ webhookId: string }>('POST', '/webhooks', { url: `${receiverUrl}/hook`, events: ['OrderAllocated'], description: 'ERP' });
    expect(created.status).toBe(201);
    const { webhookId } = created.body;
    expect(await statusOf('POST', '/webhooks', { url: `${receiverUrl}/hook`, events: ['not an event'] })).toBe(422);
    expect(await statusOf('GET', '/webhooks')).toBe(200);
    expect(await statusOf('GET', '/webhooks', undefined, { as: anonymous })).toBe(401);
    expect(await statusOf('POST', `/webhooks/${webhookId}/test`)).toBe(202);
    expect(await statusOf('POST', '/webhooks/wh_0000000000/test')).toBe(404);
    await eventually(async () => ((await call<{ items: Array<{ attempts: unknown[] }> }>('GET', `/webhooks/${webhookId}/deliveries`)).body.items[0]?.attempts.length ? true : undefined), 20_000);
    expect(await statusOf('GET', `/webhooks/${webhookId}/deliveries?limit=5`)).toBe(200);
    expect(await statusOf('GET', `/webhooks/${webhookId}/deliveries?limit=0`)).toBe(422);
    expect(await statusOf('GET', '/webhooks/wh_0000000000/deliveries')).toBe(404);
    expect(await statusOf('DELETE', `/webhooks/${webhookId}`)).toBe(204);
    expect(await statusOf('DELETE', `/webhooks/${webhookId}`)).toBe(404);
  });

  describe('orders and shipments', () => {
    beforeAll(async () => {
      // The router reads the stream-built SKU projection, written a moment after the stock.
      await eventually(async () => ((await api.ok<{ available: number }>('GET', '/inventory/TEE-BLK-M')).available === 20 ? true : undefined));
      await cloud().settle();
    });

    it('accepts an order once per Idempotency-Key; refuses a reused key, an invalid and a malformed body', async () => {
      const key = { headers: { 'Idempotency-Key': `contract-${Date.now()}` } };
      const placed = await call<{ orderId: string }>('POST', '/orders', order(), key);
      expect(placed.status).toBe(202);
      expect(await statusOf('POST', '/orders', order(), key)).toBe(200);
      expect(await statusOf('POST', '/orders', order('l2'), key)).toBe(409);
      expect(await statusOf('POST', '/orders', { ...order(), lines: [] })).toBe(422);
      expect(await statusOf('POST', '/orders', '{"channel":')).toBe(400);
      await settledOrder(placed.body.orderId);
    });

    it('shows and pages orders; refuses an unknown order and an unknown status', async () => {
      const { orderId } = await allocatedOrder();
      expect(await statusOf('GET', `/orders/${orderId}`)).toBe(200);
      expect(await statusOf('GET', '/orders/o_0000000000')).toBe(404);
      expect(await statusOf('GET', '/orders?limit=2')).toBe(200);
      expect(await statusOf('GET', '/orders?status=ALLOCATED')).toBe(200);
      expect(await statusOf('GET', '/orders?status=LOST')).toBe(422);
    });

    it('shows an order placed with prices, with its totals; refuses a price with too many decimals', async () => {
      const priced = order('l1', { currency: 'USD', shippingCharged: '4.95', lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 2, unitPrice: '19.99' }] });
      const placed = await call<{ orderId: string }>('POST', '/orders', priced);
      expect(placed.status).toBe(202);
      const shown = (await settledOrder(placed.body.orderId)) as OrderView & { totals?: unknown };
      expect(shown.totals).toEqual({ currency: 'USD', items: '39.98', shipping: '4.95', total: '44.93' });
      const refused = await call<{ errors: Array<{ field: string }> }>('POST', '/orders', { ...priced, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 1, unitPrice: '19.999' }] });
      expect(refused.status).toBe(422);
      expect(refused.body.errors.map((e) => e.field)).toEqual(['lines[0].unitPrice']);
    });

    it('takes a shipment through accept, ship (a retry answers the same) and deliver; refuses a step out of order and an unknown shipment', async () => {
      const { shipmentId } = await allocatedOrder();
      expect(await statusOf('POST', `/shipments/${shipmentId}/deliver`)).toBe(409);
      expect(await statusOf('POST', `/shipments/${shipmentId}/accept`)).toBe(200);
      expect(await statusOf('POST', `/shipments/${shipmentId}/ship`, { tracking: { carrier: 'UPS', trackingNumber: '1Z999', url: 'https://example.com/t/1Z999' } })).toBe(200);
      expect(await statusOf('POST', `/shipments/${shipmentId}/ship`)).toBe(200);
      expect(await statusOf('POST', `/shipments/${shipmentId}/accept`)).toBe(409);
      expect(await statusOf('POST', `/shipments/${shipmentId}/reject`, { reason: 'too late' })).toBe(409);
      expect(await statusOf('POST', `/shipments/${shipmentId}/deliver`)).toBe(200);
      expect(await statusOf('POST', `/shipments/${shipmentId}/ship`)).toBe(409);
      expect(await statusOf('POST', '/shipments/o_0000000000-S1-1-1/accept')).toBe(404);
      expect(await statusOf('POST', '/shipments/o_0000000000-S1-1-1/ship')).toBe(404);
      expect(await statusOf('POST', `/shipments/${shipmentId}/ship`, { tracking: { trackingNumber: '' } })).toBe(422);
    });

    it('lets a location reject a shipment, which routes its lines elsewhere; refuses an unknown shipment', async () => {
      const { orderId, shipmentId } = await allocatedOrder();
      expect(await statusOf('POST', `/shipments/${shipmentId}/reject`, { reason: 'cannot find it on the shelf' })).toBe(200);
      expect(await statusOf('POST', '/shipments/o_0000000000-S1-1-1/reject')).toBe(404);
      expect(await statusOf('POST', '/shipments/o_0000000000-S1-1-1/deliver')).toBe(404);
      await eventually(async () => ((await api.ok<OrderView>('GET', `/orders/${orderId}`)).shipments.length > 1 ? true : undefined), 30_000);
      expect(await statusOf('GET', `/orders/${orderId}`)).toBe(200);
    });

    it('hands a curbside pickup over: ready, arrived, picked-up with its code; refuses a wrong code, a parcel and an unknown shipment', async () => {
      // A tenant of its own: the router caches a tenant's locations, and the contract tenant's were read long ago.
      const shop = await createTestTenant('Contract Pickups');
      const as = new DomApi(cloud().apiUrl, shop.apiKey);
      await as.ok('PUT', '/skus/PICK-1', { weightLb: 0.5 });
      await as.ok('PUT', '/locations/contract-curbside', { name: 'Curbside', type: 'store', address: { postalCode: '10013', country: 'US' }, capabilities: { ship: false, pickup: true, curbside: true }, pickupHoldDays: 3 });
      await as.ok('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'contract-curbside', sku: 'PICK-1', set: 2 }] });
      await eventually(async () => ((await as.ok<{ available: number }>('GET', '/inventory/PICK-1')).available === 2 ? true : undefined));
      await cloud().settle();
      const placed = await call<{ orderId: string }>('POST', '/orders', {
        channel: 'web',
        shipTo: NEW_YORK,
        pickupFallback: 'cancel',
        lines: [{ lineId: 'l1', sku: 'PICK-1', quantity: 1, fulfillment: { type: 'curbside', locationId: 'contract-curbside' } }],
      }, { as });
      const { shipmentId } = (await eventually(async () => {
        const shown = await as.ok<OrderView>('GET', `/orders/${placed.body.orderId}`);
        return shown.shipments.length ? shown : undefined;
      }, 30_000)).shipments[0]!;
      expect(await statusOf('POST', `/shipments/${shipmentId}/arrived`, { bay: '2' }, { as })).toBe(409);
      expect(await statusOf('POST', `/shipments/${shipmentId}/ready`, { reissueCode: 'yes' }, { as })).toBe(422);
      expect(await statusOf('POST', `/shipments/${shipmentId}/ready`, undefined, { as })).toBe(200);
      expect(await statusOf('POST', `/shipments/${shipmentId}/arrived`, { bay: '2', vehicle: 'red van' }, { as })).toBe(200);
      expect(await statusOf('POST', `/shipments/${shipmentId}/arrived`, { parking: '2' }, { as })).toBe(422);
      expect(await statusOf('POST', `/shipments/${shipmentId}/picked-up`, {}, { as })).toBe(422);
      const code = (await lifecycleDeps.orders.get(shop.tenantId, placed.body.orderId))!.shipments[0]!.pickup!.code;
      expect(await statusOf('POST', `/shipments/${shipmentId}/picked-up`, { code: code === '000000' ? '000001' : '000000' }, { as })).toBe(422);
      expect(await statusOf('POST', `/shipments/${shipmentId}/picked-up`, { code }, { as })).toBe(200);
      expect(await statusOf('POST', `/shipments/${shipmentId}/ready`, undefined, { as })).toBe(409);
      const parcel = await allocatedOrder();
      expect(await statusOf('POST', `/shipments/${parcel.shipmentId}/ready`)).toBe(409);
      expect(await statusOf('POST', `/shipments/${parcel.shipmentId}/picked-up`, { code: '123456' })).toBe(409);
      expect(await statusOf('POST', '/shipments/o_0000000000-S1-1-1/ready')).toBe(404);
      expect(await statusOf('POST', '/shipments/o_0000000000-S1-1-1/arrived')).toBe(404);
      expect(await statusOf('POST', '/shipments/o_0000000000-S1-1-1/picked-up', { code: '123456' })).toBe(404);
      as.close();
    });

    it('cancels an order, and refuses to cancel a shipped one or an unknown one', async () => {
      const open = await allocatedOrder();
      expect(await statusOf('POST', `/orders/${open.orderId}/cancel`, { reason: 'customer changed their mind' })).toBe(200);
      const shipped = await allocatedOrder();
      await api.ok('POST', `/shipments/${shipped.shipmentId}/ship`);
      expect(await statusOf('POST', `/orders/${shipped.orderId}/cancel`)).toBe(409);
      expect(await statusOf('POST', '/orders/o_0000000000/cancel')).toBe(404);
      expect(await statusOf('POST', `/orders/${open.orderId}/cancel`, { reason: 'x'.repeat(501) })).toBe(422);
    });

    it('re-drives a FAILED order as a new attempt, and refuses one with nothing to re-drive or an unknown one', async () => {
      await api.ok('PUT', '/skus/ANVIL-5000', { weightLb: 5000 });
      await api.ok('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'olean-wh', sku: 'ANVIL-5000', set: 3 }] });
      await eventually(async () => ((await api.ok<{ available: number }>('GET', '/inventory/ANVIL-5000')).available === 3 ? true : undefined));
      await cloud().settle();
      const placed = await api.ok<{ orderId: string }>('POST', '/orders', { channel: 'web', shipTo: NEW_YORK, lines: [{ lineId: 'l1', sku: 'ANVIL-5000', quantity: 1 }] });
      expect((await settledOrder(placed.orderId)).status).toBe('FAILED');
      const retried = await call<{ attempt: number; execution: string }>('POST', `/orders/${placed.orderId}/retry`);
      expect(retried.status).toBe(202);
      expect(retried.body.execution).toBe(`${placed.orderId}-${retried.body.attempt}`);
      const open = await allocatedOrder();
      expect(await statusOf('POST', `/orders/${open.orderId}/retry`)).toBe(409);
      expect(await statusOf('POST', '/orders/o_0000000000/retry')).toBe(404);
    });

    it('receives a return once per return id; refuses a reused id, more units than shipped and an unknown order', async () => {
      const { orderId, shipmentId } = await allocatedOrder();
      await api.ok('POST', `/shipments/${shipmentId}/ship`);
      const rma = { returnId: 'RMA-1', locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 1 }], reason: 'too small' };
      expect(await statusOf('POST', `/orders/${orderId}/returns`, rma)).toBe(201);
      expect(await statusOf('POST', `/orders/${orderId}/returns`, rma)).toBe(200);
      expect(await statusOf('POST', `/orders/${orderId}/returns`, { ...rma, lines: [{ lineId: 'l1', quantity: 1, restock: false }] })).toBe(409);
      expect(await statusOf('POST', `/orders/${orderId}/returns`, { ...rma, returnId: 'RMA-2' })).toBe(422);
      expect(await statusOf('POST', '/orders/o_0000000000/returns', rma)).toBe(404);
    });

    it('authorises a mail return and receives it; sets the return policy; refuses a bad receipt, an unknown return and a bad policy', async () => {
      const { orderId, shipmentId } = await allocatedOrder();
      await api.ok('POST', `/shipments/${shipmentId}/ship`);
      expect(await statusOf('PUT', '/tenant/return-policy', { refundShipping: true, restockingFeePercent: 12.5 })).toBe(200);
      expect(await statusOf('PUT', '/tenant/return-policy', { restockingFeePercent: 'ten' })).toBe(422);
      expect(await statusOf('POST', `/orders/${orderId}/returns`, { returnId: 'RMA-M1', method: 'mail', lines: [{ lineId: 'l1', quantity: 1 }] })).toBe(201);
      expect(await statusOf('POST', '/returns/RMA-M1/receive', { locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 2, condition: 'sellable' }] })).toBe(422);
      expect(await statusOf('POST', '/returns/RMA-M1/receive', { locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 1, condition: 'damaged' }] })).toBe(200);
      expect(await statusOf('POST', '/returns/RMA-M1/receive', { locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 1, condition: 'sellable' }] })).toBe(409);
      expect(await statusOf('POST', '/returns/RMA-none/receive', { locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 1, condition: 'sellable' }] })).toBe(404);
    });

    it('issues, lists and revokes a scoped key that pages its location\'s work queue; refuses an unknown location, a taken name and the admin key', async () => {
      const { orderId, shipmentId } = await allocatedOrder();
      const { locationId } = (await api.ok<OrderView>('GET', `/orders/${orderId}`)).shipments[0]!;
      const issued = await call<{ keyId: string; apiKey: string }>('POST', '/api-keys', { name: 'Olean dock', scope: { locationIds: ['olean-wh', 'brooklyn-wh'] } });
      expect(issued.status).toBe(201);
      expect(await statusOf('POST', '/api-keys', { name: 'olean dock', scope: { locationIds: ['olean-wh'] } })).toBe(409);
      expect(await statusOf('POST', '/api-keys', { name: 'Nowhere', scope: { locationIds: ['nowhere'] } })).toBe(422);
      expect(await statusOf('GET', '/api-keys')).toBe(200);
      expect(await statusOf('GET', '/api-keys?limit=0')).toBe(422);
      const dock = new DomApi(cloud().apiUrl, issued.body.apiKey);
      const queue = await call<{ items: Array<{ shipmentId: string }> }>('GET', `/locations/${locationId}/shipments?status=REQUESTED`, undefined, { as: dock });
      expect(queue.body.items.map((s) => s.shipmentId)).toContain(shipmentId);
      expect(await statusOf('GET', '/locations/nowhere/shipments', undefined, { as: dock })).toBe(404);
      expect(await statusOf('GET', '/locations/olean-wh/shipments?status=LOST')).toBe(422);
      expect(await statusOf('DELETE', `/api-keys/${issued.body.keyId}`)).toBe(200);
      expect(await statusOf('DELETE', '/api-keys/admin')).toBe(409);
      expect(await statusOf('DELETE', '/api-keys/k_0000000000')).toBe(404);
      dock.close();
    });
  });

  describe('the ops console\'s routes', () => {
    it('answers an order\'s executions, the dead letters and their redrive, and the KPIs; refuses bad ids, queues and windows', async () => {
      const { orderId } = await allocatedOrder();
      expect(await statusOf('GET', `/orders/${orderId}/executions`)).toBe(200);
      expect(await statusOf('GET', '/orders/o_0000000000/executions')).toBe(404);
      expect(await statusOf('GET', '/ops/dead-letters')).toBe(200);
      expect(await statusOf('GET', '/ops/dead-letters', undefined, { as: anonymous })).toBe(401);
      expect(await statusOf('POST', '/ops/dead-letters/webhookDeliveries/redrive')).toBe(200);
      expect(await statusOf('POST', '/ops/dead-letters/tableEventsDlq/redrive')).toBe(422);
      expect(await statusOf('GET', '/ops/kpis')).toBe(200);
      expect(await statusOf('GET', '/ops/kpis?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z')).toBe(422);
    });
  });

  it('imports demand history as CSV and JSON and serves a stored forecast; refuses bad rows and unknown SKUs', async () => {
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect(await statusOf('POST', '/demand-history', `date,sku,locationId,units\n${yesterday},TEE-BLK-M,olean-wh,3\n`, { headers: { 'content-type': 'text/csv' } })).toBe(200);
    expect(await statusOf('POST', '/demand-history', { rows: [{ date: yesterday, sku: 'TEE-BLK-M', locationId: 'olean-wh', units: 2 }] })).toBe(200);
    expect(await statusOf('POST', '/demand-history', { rows: [{ date: yesterday, sku: 'TEE-BLK-M', locationId: 'olean-wh', units: -2 }] })).toBe(422);
    expect(await statusOf('GET', `/demand-history/TEE-BLK-M?from=${yesterday}`)).toBe(200);
    expect(await statusOf('GET', '/demand-history/TEE-BLK-M?from=yesterday')).toBe(422);
    // The tenant id only (GET /tenant's own contract is checked above).
    const { tenantId } = await api.ok<{ tenantId: string }>('GET', '/tenant');
    const run = { origin: yesterday, runId: 'contract', generatedAt: new Date().toISOString() };
    await dynamoForecastStore.put({
      locations: [{ tenantId, sku: 'TEE-BLK-M', locationId: 'olean-wh', daily: [1, 2], leadTimeDays: 7, serviceLevel: 0.95, leadTimeDemand: 3, reorderPoint: 6, safetyStock: 3, historyDays: 30, ...run }],
      skus: [{ tenantId, sku: 'TEE-BLK-M', daily: [1, 2], locations: 1, ...run }],
    });
    expect(await statusOf('GET', '/forecasts/TEE-BLK-M?locationId=olean-wh')).toBe(200);
    expect(await statusOf('GET', '/forecasts/NO-SUCH-SKU')).toBe(404);
  });

  it('simulates a candidate rule set and manages the shadow rule set (what-if)', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const candidate = [{ id: 'what-if', preferences: { default: 'fastest' } }];
    expect(await statusOf('POST', '/simulations', { rules: candidate, from, to })).toBe(200);
    expect(await statusOf('POST', '/simulations', { rules: candidate, from: to, to: from })).toBe(422);
    expect(await statusOf('POST', '/simulations', { rules: candidate, from, to }, { as: anonymous })).toBe(401);
    expect(await statusOf('GET', '/routing-rules/shadow')).toBe(404);
    expect(await statusOf('PUT', '/routing-rules/shadow', { ruleSets: candidate, scope: { channels: ['web'] }, expectedVersion: 0 })).toBe(200);
    expect(await statusOf('PUT', '/routing-rules/shadow', { ruleSets: candidate, expectedVersion: 0 })).toBe(409);
    expect(await statusOf('PUT', '/routing-rules/shadow', { ruleSets: [] })).toBe(422);
    expect(await statusOf('GET', '/routing-rules/shadow')).toBe(200);
    expect(await statusOf('GET', `/routing-rules/shadow/kpis?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)).toBe(200);
    expect(await statusOf('GET', `/routing-rules/shadow/kpis?from=${encodeURIComponent(to)}&to=${encodeURIComponent(from)}`)).toBe(422);
    expect(await statusOf('DELETE', '/routing-rules/shadow')).toBe(204);
    expect(await statusOf('DELETE', '/routing-rules/shadow', undefined, { as: anonymous })).toBe(401);
  });

  it('requests, ships, receives, cancels and lists transfers; suggests and accepts rebalancing; refuses short stock, bad fields and unknown ids', async () => {
    expect(await statusOf('PUT', '/locations/reno-wh', { name: 'Reno warehouse', type: 'warehouse', geo: { lat: 39.53, lon: -119.81 } })).toBe(201);
    expect(await statusOf('PUT', '/skus/XFER-1', { weightLb: 0.5 })).toBe(201);
    await api.ok('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'reno-wh', sku: 'XFER-1', set: 500 }] });
    const transfer = { transferId: 'TR-C1', fromLocationId: 'reno-wh', toLocationId: 'olean-wh', lines: [{ sku: 'XFER-1', quantity: 3 }] };
    expect(await statusOf('POST', '/transfers', transfer)).toBe(201);
    expect(await statusOf('POST', '/transfers', transfer)).toBe(200);
    expect(await statusOf('POST', '/transfers', { ...transfer, transferId: 'TR-C2', lines: [{ sku: 'XFER-1', quantity: 10_000 }] })).toBe(409);
    expect(await statusOf('POST', '/transfers', { ...transfer, toLocationId: 'reno-wh' })).toBe(422);
    expect(await statusOf('GET', '/transfers/TR-C1')).toBe(200);
    expect(await statusOf('GET', '/transfers/NO-SUCH')).toBe(404);
    expect(await statusOf('GET', '/transfers?toLocationId=olean-wh&status=REQUESTED')).toBe(200);
    expect(await statusOf('GET', '/transfers?status=REQUESTED')).toBe(422);
    expect(await statusOf('POST', '/transfers/TR-C1/ship', { carrier: 'ups' })).toBe(200);
    expect(await statusOf('POST', '/transfers/TR-C1/cancel')).toBe(409);
    expect(await statusOf('POST', '/transfers/TR-C1/receive', { lines: [{ sku: 'XFER-1', quantity: 4 }] })).toBe(422);
    expect(await statusOf('POST', '/transfers/TR-C1/receive', { receiptId: 'dock-1', lines: [{ sku: 'XFER-1', quantity: 1 }] })).toBe(200);
    expect(await statusOf('POST', '/transfers/TR-C1/receive')).toBe(200);
    expect(await statusOf('POST', '/transfers/NO-SUCH/ship')).toBe(404);
    expect(await statusOf('POST', '/transfers', { ...transfer, transferId: 'TR-C3' })).toBe(201);
    expect(await statusOf('POST', '/transfers/TR-C3/cancel')).toBe(200);
    // Brooklyn is forecast to sell what Reno holds.
    const { tenantId } = await api.ok<{ tenantId: string }>('GET', '/tenant');
    const run = { origin: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10), runId: 'contract-rebalancing', generatedAt: new Date().toISOString() };
    const daily = Array.from({ length: 28 }, () => 6);
    await dynamoForecastStore.put({
      locations: [{ tenantId, sku: 'XFER-1', locationId: 'brooklyn-wh', daily, leadTimeDays: 7, serviceLevel: 0.95, leadTimeDemand: 42, reorderPoint: 55, safetyStock: 13, historyDays: 90, ...run }],
      skus: [{ tenantId, sku: 'XFER-1', daily, locations: 1, ...run }],
    });
    // Suggestions read the SKU network projection, which follows Reno's stock within moments.
    const suggestion = await eventually(async () => {
      const suggested = await call<{ suggestions: Array<{ suggestionId: string; sku: string }> }>('GET', '/rebalancing?sku=XFER-1');
      expect(suggested.status).toBe(200);
      return suggested.body.suggestions.find((s) => s.sku === 'XFER-1');
    });
    expect(await statusOf('GET', '/rebalancing?horizonDays=0')).toBe(422);
    expect(await statusOf('POST', `/rebalancing/${suggestion.suggestionId}/accept`)).toBe(201);
    expect(await statusOf('POST', `/rebalancing/${suggestion.suggestionId}/accept`)).toBe(200);
    expect(await statusOf('POST', '/rebalancing/rb-none/accept')).toBe(404);
  });

  it('sets replenishment settings, lists suggestions, takes and receives an inbound; refuses bad fields and unknown ids', async () => {
    expect(await statusOf('PUT', '/locations/repl-wh', { name: 'Replenished warehouse', type: 'warehouse', geo: { lat: 40.7, lon: -74 } })).toBe(201);
    expect(await statusOf('GET', '/replenishment/settings')).toBe(200);
    expect(await statusOf('GET', '/replenishment/settings', undefined, { as: anonymous })).toBe(401);
    expect(await statusOf('PUT', '/replenishment/settings', { serviceLevel: 0.97, leadTimeDays: 7, locationLeadTimeDays: { 'repl-wh': 3 }, reviewDays: 14 })).toBe(200);
    expect(await statusOf('PUT', '/replenishment/settings', { serviceLevel: 2, leadTimeDays: 7 })).toBe(422);
    const { tenantId } = await api.ok<{ tenantId: string }>('GET', '/tenant');
    const run = { origin: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10), runId: 'contract-replenishment', generatedAt: new Date().toISOString() };
    await dynamoForecastStore.put({
      locations: [{ tenantId, sku: 'REPL-1', locationId: 'repl-wh', daily: Array(28).fill(1), leadTimeDays: 3, serviceLevel: 0.97, leadTimeDemand: 3, reorderPoint: 6, safetyStock: 3, historyDays: 60, ...run }],
      skus: [],
    });
    const below = await eventually(async () => {
      const page = await call<{ items: unknown[] }>('GET', '/replenishment?status=below-reorder&limit=10');
      return page.body.items.length ? page : undefined;
    }, 20_000);
    expect(below.status).toBe(200);
    expect(await statusOf('GET', '/replenishment?status=all&limit=1')).toBe(200);
    expect(await statusOf('GET', '/replenishment?status=sometimes')).toBe(422);
    const inbound = { inboundId: 'PO-C1', locationId: 'repl-wh', expectedAt: '2026-12-10', supplierId: 'acme', reference: 'ASN 1', tolerancePercent: 5, lines: [{ sku: 'REPL-1', quantity: 20 }] };
    expect(await statusOf('POST', '/inbound', inbound)).toBe(201);
    expect(await statusOf('POST', '/inbound', inbound)).toBe(200);
    expect(await statusOf('POST', '/inbound', { ...inbound, lines: [{ sku: 'REPL-1', quantity: 21 }] })).toBe(409);
    expect(await statusOf('POST', '/inbound', { ...inbound, inboundId: 'PO-C2', locationId: 'nowhere' })).toBe(422);
    expect(await statusOf('GET', '/inbound/PO-C1')).toBe(200);
    expect(await statusOf('GET', '/inbound/NO-SUCH')).toBe(404);
    expect(await statusOf('POST', '/inbound/PO-C1/receive', { receiptId: 'DN-1', lines: [{ sku: 'REPL-1', quantity: 12 }] })).toBe(200);
    expect(await statusOf('POST', '/inbound/PO-C1/receive', { receiptId: 'DN-1', lines: [{ sku: 'REPL-1', quantity: 12 }] })).toBe(200);
    expect(await statusOf('POST', '/inbound/PO-C1/receive', { receiptId: 'DN-2', lines: [{ sku: 'REPL-1', quantity: 10 }] })).toBe(422);
    expect(await statusOf('POST', '/inbound/NO-SUCH/receive', { receiptId: 'DN-3', lines: [{ sku: 'REPL-1', quantity: 1 }] })).toBe(404);
  });

  it('was checked on every operation with a success and, where a request can be wrong, a problem', () => {
    const missing: string[] = [];
    for (const [operationId, { method, template, statuses }] of contractCoverage()) {
      const what = `${operationId} (${method.toUpperCase()} ${template})`;
      if (!statuses.some((s) => s < 300)) missing.push(`${what}: no success`);
      const public_ = operationId === 'getHealth' || operationId === 'getOpenapi';
      if (!public_ && !statuses.some((s) => s >= 400)) missing.push(`${what}: no problem`);
    }
    expect(missing).toEqual([]);
  });
});
