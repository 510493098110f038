// Returns as RMAs over HTTP on the local cloud: a mail return authorised with a label to the nearest location that
// stocks the SKU, received there later by condition (sellable on hand, damaged to the damaged count) and refunded to
// the cent under the tenant's return policy (RefundDue delivered to a real webhook receiver); an in-store return; an
// exchange routed at once (shipFirst) or at receipt; over-returns refused naming the line; the race and the retry.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomApi } from '../../../infra/local/tools/api-client.ts';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { createTestTenant, eventually, type OrderView } from '../../../infra/local/tools/testing.ts';
import { expectMatchesContract } from '../../http/contract-validator.ts';

interface Refund {
  currency: string;
  items: string;
  shipping: string;
  restockingFee: string;
  exchangeCredit: string;
  total: string;
  refundTo: string;
}
interface ReturnView {
  returnId: string;
  method: string;
  status: string;
  locationId: string;
  destination?: string;
  lines: Array<{ lineId: string; sku: string; quantity: number; restock: boolean; reason?: string }>;
  label?: { toLocationId: string; carrier: string; serviceCode: string; cost: number; promisedDeliveryDate: string };
  refund?: Refund;
  exchange?: { orderId: string; shipFirst: boolean };
}
type Answer = { return: ReturnView; order: OrderView & { exchangeFor?: { orderId: string; returnId: string } }; exchangeOrderId?: string };
type Problem = { errors: Array<{ field: string; message: string }> };

const cloud = useTestCloud();
let api: DomApi;
let receiver: Server;
const delivered: Array<{ type: string; data: Record<string, unknown> }> = [];

const SETTLED = new Set(['ALLOCATED', 'PARTIALLY_ALLOCATED', 'BACKORDERED', 'FAILED', 'CANCELLED']);

beforeAll(async () => {
  process.env.WEBHOOK_SUBSCRIPTION_CACHE_MS = '0';
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      delivered.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string; data: Record<string, unknown> });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const tenant = await createTestTenant('Returns Shop');
  api = new DomApi(cloud().apiUrl, tenant.apiKey);
  await api.ok('POST', '/webhooks', { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/events`, events: ['RefundDue', 'ReturnReceived'] });
  for (const sku of ['TEE', 'CAP', 'TEE-L']) await api.ok('PUT', `/skus/${sku}`, { weightLb: 0.5 });
  // Orders ship from Olean; Brooklyn also stocks TEE (the nearest that does to a New York customer); the Manhattan
  // store is nearer still but has never stocked it.
  await api.ok('PUT', '/locations/olean-wh', { name: 'Olean', type: 'warehouse', address: { postalCode: '14760', country: 'US' } });
  await api.ok('PUT', '/locations/brooklyn-wh', { name: 'Brooklyn', type: 'warehouse', address: { postalCode: '11201', country: 'US' } });
  await api.ok('PUT', '/locations/manhattan-store', { name: 'Manhattan', type: 'store', address: { postalCode: '10013', country: 'US' } });
  await api.ok('POST', '/inventory/adjustments', {
    adjustments: [...['TEE', 'CAP', 'TEE-L'].map((sku) => ({ locationId: 'olean-wh', sku, set: 1_000 })), { locationId: 'brooklyn-wh', sku: 'TEE', set: 0 }],
  });
  await eventually(async () => ((await api.ok<{ available: number }>('GET', '/inventory/TEE-L')).available === 1_000 ? true : undefined));
  await cloud().settle();
});

afterAll(async () => {
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
});

async function orderOf(orderId: string, until: (o: OrderView) => boolean): Promise<OrderView> {
  return eventually(async () => {
    const order = await api.ok<OrderView>('GET', `/orders/${orderId}`);
    return until(order) ? order : undefined;
  }, 30_000);
}

/** A priced order (3 TEE at 19.99, 1 CAP at 0.10, shipping 4.95) to New York, shipped and delivered. */
async function deliveredOrder(): Promise<string> {
  const placed = await api.ok<{ orderId: string }>('POST', '/orders', {
    channel: 'web',
    customer: { email: 'ada@example.com', name: 'Ada', tier: 'standard' },
    shipTo: { country: 'US', postalCode: '10001' },
    currency: 'USD',
    shippingCharged: '4.95',
    splitPolicy: 'single',
    lines: [
      { lineId: 'l1', sku: 'TEE', quantity: 3, unitPrice: '19.99' },
      { lineId: 'l2', sku: 'CAP', quantity: 1, unitPrice: '0.1' },
    ],
  });
  const order = await orderOf(placed.orderId, (o) => SETTLED.has(o.status));
  expect(order.status).toBe('ALLOCATED');
  for (const shipment of order.shipments) {
    await api.ok('POST', `/shipments/${shipment.shipmentId}/ship`);
    await api.ok('POST', `/shipments/${shipment.shipmentId}/deliver`);
  }
  await orderOf(placed.orderId, (o) => o.status === 'DELIVERED');
  return placed.orderId;
}

async function stockAt(locationId: string, sku: string): Promise<{ onHand: number; available: number; damaged?: number } | undefined> {
  const page = await api.ok<{ items: Array<{ sku: string; onHand: number; available: number; damaged?: number }> }>('GET', `/inventory?locationId=${locationId}&limit=100`);
  return page.items.find((item) => item.sku === sku);
}

const policy = (body: Record<string, unknown>) => api.ok('PUT', '/tenant/return-policy', body);

describe('a mail return', () => {
  it('is authorised with a label to the nearest location stocking the SKU, received there by condition, and refunded to the cent', async () => {
    await policy({ refundShipping: true, restockingFeePercent: 10 });
    const orderId = await deliveredOrder();
    const rma = { returnId: 'Rma.2026:07_b-1', method: 'mail', lines: [{ lineId: 'l1', quantity: 2, reason: 'trop petit — ça serre 👕' }] };
    const authorised = await api.request<Answer>('POST', `/orders/${orderId}/returns`, rma);
    expect(authorised.status, JSON.stringify(authorised.body)).toBe(201);
    await expectMatchesContract('POST', `/orders/${orderId}/returns`, authorised);
    expect(authorised.body.return).toMatchObject({ status: 'AUTHORISED', method: 'mail', destination: 'brooklyn-wh', label: { toLocationId: 'brooklyn-wh' } });
    expect(authorised.body.return.label!.cost).toBeGreaterThan(0);
    expect(authorised.body.return.label!.promisedDeliveryDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(authorised.body.return.refund).toBeUndefined();
    // The authorised units are held: they cannot come back twice, even in store.
    const twice = await api.request<Problem>('POST', `/orders/${orderId}/returns`, { returnId: 'RMA-other', locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 2 }] });
    expect(twice.status).toBe(422);
    expect(twice.body.errors).toEqual([{ field: 'lines[0].quantity', message: 'only 1 unit(s) of line l1 shipped and have not come back' }]);
    // The same request again answers the authorisation as recorded.
    expect((await api.request<Answer>('POST', `/orders/${orderId}/returns`, rma)).status).toBe(200);

    const before = (await stockAt('brooklyn-wh', 'TEE'))!;
    const receipt = { locationId: 'brooklyn-wh', lines: [{ lineId: 'l1', quantity: 1, condition: 'sellable' }, { lineId: 'l1', quantity: 1, condition: 'damaged' }] };
    const received = await api.request<Answer>('POST', `/returns/${rma.returnId}/receive`, receipt);
    expect(received.status, JSON.stringify(received.body)).toBe(200);
    await expectMatchesContract('POST', `/returns/${rma.returnId}/receive`, received);
    // 2 x 19.99 = 39.98; 10 % fee = 3.998, rounded down: 3.99; shipping 4.95 x 2 of 4 units = 2.475, rounded down: 2.47.
    expect(received.body.return).toMatchObject({ status: 'RECEIVED', locationId: 'brooklyn-wh' });
    expect(received.body.return.lines.map((l) => l.reason)).toEqual(['trop petit — ça serre 👕', 'trop petit — ça serre 👕']);
    expect(received.body.return.refund).toEqual({ currency: 'USD', items: '39.98', restockingFee: '3.99', shipping: '2.47', exchangeCredit: '0.00', total: '38.46', refundTo: 'original' });
    expect(received.body.order.status).toBe('DELIVERED');

    // The sellable unit is on hand at Brooklyn, the damaged one in its damaged count, never available.
    const after = await eventually(async () => {
      const level = await stockAt('brooklyn-wh', 'TEE');
      return level && level.onHand === before.onHand + 1 ? level : undefined;
    });
    expect(after).toMatchObject({ onHand: before.onHand + 1, available: before.available + 1, damaged: 1 });
    const refundDue = await eventually(async () => delivered.find((e) => e.type === 'RefundDue' && e.data.returnId === rma.returnId), 30_000);
    expect(refundDue.data).toMatchObject({ orderId, currency: 'USD', items: '39.98', shipping: '2.47', restockingFee: '3.99', total: '38.46', refundTo: 'original' });

    // The same receipt again is answered as recorded, adding nothing; another receipt of it is a conflict.
    const again = await api.request<Answer>('POST', `/returns/${rma.returnId}/receive`, receipt);
    expect(again.status).toBe(200);
    expect(again.body.return.refund!.total).toBe('38.46');
    const other = await api.request<Problem>('POST', `/returns/${rma.returnId}/receive`, { locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 2, condition: 'sellable' }] });
    expect(other.status).toBe(409);
    expect(other.body.errors[0]!.field).toBe('returnId');
    await cloud().settle();
    expect(await stockAt('brooklyn-wh', 'TEE')).toMatchObject({ onHand: before.onHand + 1, damaged: 1 });
    expect(delivered.filter((e) => e.type === 'RefundDue' && e.data.returnId === rma.returnId)).toHaveLength(1);
  });

  it('gives back the rest of the shipping with the last units, and none under a policy that keeps it', async () => {
    await policy({ refundShipping: true, restockingFeePercent: 0 });
    const orderId = await deliveredOrder();
    await api.ok('POST', `/orders/${orderId}/returns`, { returnId: 'RMA-s1', method: 'mail', lines: [{ lineId: 'l1', quantity: 2 }] });
    const first = await api.ok<Answer>('POST', '/returns/RMA-s1/receive', { locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 2, condition: 'sellable' }] });
    expect(first.return.refund).toMatchObject({ items: '39.98', shipping: '2.47', total: '42.45' });
    // The last units (1 TEE, 1 CAP) bring every unit back: 4.95 - 2.47 = 2.48 of shipping, and the order is RETURNED.
    await api.ok('POST', `/orders/${orderId}/returns`, { returnId: 'RMA-s2', method: 'mail', lines: [{ lineId: 'l1', quantity: 1 }, { lineId: 'l2', quantity: 1 }] });
    const last = await api.ok<Answer>('POST', '/returns/RMA-s2/receive', { locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 1, condition: 'sellable' }, { lineId: 'l2', quantity: 1, condition: 'sellable' }] });
    expect(last.return.refund).toMatchObject({ items: '20.09', shipping: '2.48', total: '22.57' });
    expect(last.order.status).toBe('RETURNED');

    await policy({});
    const kept = await deliveredOrder();
    await api.ok('POST', `/orders/${kept}/returns`, { returnId: 'RMA-s3', method: 'mail', lines: [{ lineId: 'l1', quantity: 3 }, { lineId: 'l2', quantity: 1 }] });
    const all = await api.ok<Answer>('POST', '/returns/RMA-s3/receive', { locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 3, condition: 'sellable' }, { lineId: 'l2', quantity: 1, condition: 'sellable' }] });
    expect(all.return.refund).toMatchObject({ items: '60.07', shipping: '0.00', restockingFee: '0.00', total: '60.07' });
  });
});

describe('an in-store return', () => {
  it('is received at once where the customer brings it (today\'s request shape), with its refund', async () => {
    await policy({ refundShipping: false, restockingFeePercent: 0 });
    const orderId = await deliveredOrder();
    const before = (await stockAt('manhattan-store', 'CAP'))?.onHand ?? 0;
    const answer = await api.request<Answer>('POST', `/orders/${orderId}/returns`, { returnId: 'RMA-store', locationId: 'manhattan-store', lines: [{ lineId: 'l2', quantity: 1 }, { lineId: 'l1', quantity: 1, restock: false }], reason: 'changed mind' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body.return).toMatchObject({ method: 'in-store', status: 'RECEIVED', locationId: 'manhattan-store', refund: { items: '20.09', shipping: '0.00', total: '20.09' } });
    await eventually(async () => ((await stockAt('manhattan-store', 'CAP'))?.onHand === before + 1 ? true : undefined));
    expect(await stockAt('manhattan-store', 'TEE')).toMatchObject({ onHand: 0, available: 0, damaged: 1 });
    await eventually(async () => delivered.find((e) => e.type === 'RefundDue' && e.data.returnId === 'RMA-store'), 30_000);
  });

  it('refuses bad input by field, with nothing written', async () => {
    const orderId = await deliveredOrder();
    const refused = async (path: string, body: unknown, status: number, field: string, method = 'POST') => {
      const answer = await api.request<Problem>(method, path, body);
      expect(answer.status, JSON.stringify(answer.body)).toBe(status);
      expect(answer.body.errors?.map((e) => e.field)).toContain(field);
    };
    await refused(`/orders/${orderId}/returns`, { returnId: 'RMA-b1', lines: [{ lineId: 'l1', quantity: 1 }] }, 422, 'locationId');
    await refused(`/orders/${orderId}/returns`, { returnId: 'RMA-b2', method: 'mail', lines: [{ lineId: 'l9', quantity: 1 }] }, 422, 'lines[0].lineId');
    await refused(`/orders/${orderId}/returns`, { returnId: 'RMA-b3', method: 'mail', lines: [{ lineId: 'l1', quantity: 4 }] }, 422, 'lines[0].quantity');
    await refused(`/orders/${orderId}/returns`, { returnId: 'RMA-b4', method: 'post', lines: [{ lineId: 'l1', quantity: 1 }] }, 422, 'method');
    await refused(`/orders/${orderId}/returns`, { returnId: 'RMA-b5', method: 'mail', lines: [{ lineId: 'l1', quantity: 1 }], exchange: { lines: [{ sku: 'NOPE', quantity: 1 }] } }, 422, 'exchange.lines[0].sku');
    await refused(`/orders/${orderId}/returns`, { returnId: 'RMA-b6', method: 'mail', lines: [{ lineId: 'l1', quantity: 1 }], refundTo: 'cash' }, 422, 'refundTo');
    await refused('/returns/RMA-b7/receive', { locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 1, condition: 'mint' }] }, 422, 'lines[0].condition');
    expect((await api.request('POST', '/returns/RMA-unknown/receive', { locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 1, condition: 'sellable' }] })).status).toBe(404);
    await refused('/tenant/return-policy', { restockingFeePercent: 100.5 }, 422, 'restockingFeePercent', 'PUT');
    // A return id is the tenant's RMA number: another order cannot take it.
    const other = await deliveredOrder();
    await api.ok('POST', `/orders/${orderId}/returns`, { returnId: 'RMA-taken', method: 'mail', lines: [{ lineId: 'l1', quantity: 1 }] });
    await refused(`/orders/${other}/returns`, { returnId: 'RMA-taken', method: 'mail', lines: [{ lineId: 'l1', quantity: 1 }] }, 409, 'returnId');
    const order = await api.ok<OrderView>('GET', `/orders/${orderId}`);
    expect(order.returns?.map((r) => r.returnId)).toEqual(['RMA-taken']);
    expect((await api.ok<OrderView>('GET', `/orders/${other}`)).returns).toBeUndefined();
  });
});

describe('an exchange', () => {
  it('with shipFirst places a linked order routed at once, before the return arrives; a retry makes no second one', async () => {
    const orderId = await deliveredOrder();
    const rma = { returnId: 'RMA-x1', method: 'mail', lines: [{ lineId: 'l1', quantity: 1, reason: 'wrong size' }], exchange: { lines: [{ sku: 'TEE-L', quantity: 1 }], shipFirst: true } };
    const first = await api.request<Answer>('POST', `/orders/${orderId}/returns`, rma);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const exchangeOrderId = first.body.exchangeOrderId!;
    expect(first.body.return.exchange).toMatchObject({ orderId: exchangeOrderId, shipFirst: true });
    const exchange = await orderOf(exchangeOrderId, (o) => SETTLED.has(o.status));
    expect(exchange).toMatchObject({ status: 'ALLOCATED', exchangeFor: { orderId, returnId: 'RMA-x1' } });
    expect(exchange.shipments.map((s) => s.lines)).toEqual([[expect.objectContaining({ sku: 'TEE-L', quantity: 1 })]]);
    // An even swap: the replacement is charged nothing.
    expect((exchange as unknown as { totals: { total: string } }).totals.total).toBe('0.00');
    const again = await api.request<Answer>('POST', `/orders/${orderId}/returns`, rma);
    expect(again.status).toBe(200);
    expect(again.body.exchangeOrderId).toBe(exchangeOrderId);
    const received = await api.ok<Answer>('POST', '/returns/RMA-x1/receive', { locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 1, condition: 'sellable' }] });
    expect(received.exchangeOrderId).toBe(exchangeOrderId);
    expect(received.return.refund).toMatchObject({ items: '19.99', exchangeCredit: '19.99', total: '0.00' });
    const page = await api.ok<{ items: Array<{ orderId: string; exchangeFor?: { returnId: string } }> }>('GET', '/orders?limit=100');
    expect(page.items.filter((o) => o.exchangeFor?.returnId === 'RMA-x1')).toHaveLength(1);
  });

  it('without shipFirst is placed (and routed) only when the return is received', async () => {
    const orderId = await deliveredOrder();
    const authorised = await api.ok<Answer>('POST', `/orders/${orderId}/returns`, { returnId: 'RMA-x2', method: 'mail', lines: [{ lineId: 'l2', quantity: 1 }], exchange: { lines: [{ sku: 'TEE-L', quantity: 2 }] } });
    expect(authorised.exchangeOrderId).toBeUndefined();
    const reserved = authorised.return.exchange!.orderId;
    expect((await api.request('GET', `/orders/${reserved}`)).status).toBe(404);
    const received = await api.ok<Answer>('POST', '/returns/RMA-x2/receive', { locationId: 'brooklyn-wh', lines: [{ lineId: 'l2', quantity: 1, condition: 'damaged' }] });
    expect(received.exchangeOrderId).toBe(reserved);
    const exchange = await orderOf(reserved, (o) => SETTLED.has(o.status));
    expect(exchange).toMatchObject({ status: 'ALLOCATED', exchangeFor: { orderId, returnId: 'RMA-x2' } });
  });
});

describe('races and retries', () => {
  it('two receipts of one return at once: one wins, the stock moves once', async () => {
    const orderId = await deliveredOrder();
    await api.ok('POST', `/orders/${orderId}/returns`, { returnId: 'RMA-r1', method: 'mail', lines: [{ lineId: 'l1', quantity: 3 }] });
    const before = (await stockAt('olean-wh', 'TEE'))!.onHand;
    const answers = await Promise.all([
      api.request<Answer>('POST', '/returns/RMA-r1/receive', { locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 3, condition: 'sellable' }] }),
      api.request<Answer>('POST', '/returns/RMA-r1/receive', { locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 2, condition: 'sellable' }] }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const won = answers.find((a) => a.status === 200)!.body.return.lines[0]!.quantity;
    await cloud().settle();
    expect((await stockAt('olean-wh', 'TEE'))!.onHand).toBe(before + won);
  });

  it('concurrent returns of one line never take more than shipped; the same return sent twice at once is one return and one exchange order', async () => {
    const orderId = await deliveredOrder();
    const answers = await Promise.all(
      ['RMA-c1', 'RMA-c2', 'RMA-c3'].map((returnId) => api.request<Problem>('POST', `/orders/${orderId}/returns`, { returnId, locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 2 }] })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 422, 422]);
    for (const refused of answers.filter((a) => a.status === 422)) expect(refused.body.errors[0]!.field).toBe('lines[0].quantity');

    const rma = { returnId: 'RMA-c9', method: 'mail', lines: [{ lineId: 'l1', quantity: 1 }], exchange: { lines: [{ sku: 'CAP', quantity: 1 }], shipFirst: true } };
    const twice = await Promise.all([0, 1].map(() => api.request<Answer>('POST', `/orders/${orderId}/returns`, rma)));
    expect(twice.map((a) => a.status).sort()).toEqual([200, 201]);
    expect(twice[0]!.body.exchangeOrderId).toBe(twice[1]!.body.exchangeOrderId);
    const order = await api.ok<OrderView>('GET', `/orders/${orderId}`);
    expect(order.returns?.filter((r) => r.returnId === 'RMA-c9')).toHaveLength(1);
    const page = await api.ok<{ items: Array<{ exchangeFor?: { returnId: string } }> }>('GET', '/orders?limit=100');
    expect(page.items.filter((o) => o.exchangeFor?.returnId === 'RMA-c9')).toHaveLength(1);
  });
});

describe('tenants', () => {
  it('never see or receive each other\'s returns; a return id is per tenant', async () => {
    const orderId = await deliveredOrder();
    await api.ok('POST', `/orders/${orderId}/returns`, { returnId: 'RMA-mine', method: 'mail', lines: [{ lineId: 'l1', quantity: 1 }] });
    const other = await createTestTenant('Other Shop');
    const theirs = new DomApi(cloud().apiUrl, other.apiKey);
    await theirs.ok('PUT', '/locations/olean-wh', { name: 'Olean', type: 'warehouse', address: { postalCode: '14760', country: 'US' } });
    expect((await theirs.request('POST', '/returns/RMA-mine/receive', { locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 1, condition: 'sellable' }] })).status).toBe(404);
    expect((await theirs.request('POST', `/orders/${orderId}/returns`, { returnId: 'RMA-mine', locationId: 'olean-wh', lines: [{ lineId: 'l1', quantity: 1 }] })).status).toBe(404);
    const mine = await api.ok<Answer['order']>('GET', `/orders/${orderId}`);
    expect((mine.returns as unknown as ReturnView[]).map((r) => r.status)).toEqual(['AUTHORISED']);
  });
});
