import { beforeAll, describe, expect, it } from 'vitest';
import { DomApi } from '../../../infra/local/tools/api-client.ts';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { createTestTenant, eventually, type OrderView } from '../../../infra/local/tools/testing.ts';

// Money on orders over HTTP: prices go in as decimal strings, are kept in minor units and come back as decimal
// strings with totals; bad money is a 422 naming the field with nothing stored; unpriced orders work as before.

const cloud = useTestCloud();
let api: DomApi;

interface PricedView extends OrderView {
  lines: Array<{ lineId: string; sku: string; quantity: number; unitPrice?: string }>;
  currency?: string;
  shippingCharged?: string;
  totals?: { currency: string; items: string; shipping: string; total: string };
}

const SETTLED = new Set(['ALLOCATED', 'PARTIALLY_ALLOCATED', 'BACKORDERED', 'FAILED', 'CANCELLED']);
const NEW_YORK = { country: 'US', postalCode: '10001' };

beforeAll(async () => {
  const tenant = await createTestTenant('Money Shop');
  api = new DomApi(cloud().apiUrl, tenant.apiKey);
  await api.ok('PUT', '/locations/olean-wh', { name: 'Olean', type: 'warehouse', address: { postalCode: '14760', country: 'US' } });
  for (const sku of ['TEE', 'CAP']) await api.ok('PUT', `/skus/${sku}`, { weightLb: 0.5 });
  await api.ok('POST', '/inventory/adjustments', { adjustments: ['TEE', 'CAP'].map((sku) => ({ locationId: 'olean-wh', sku, set: 1_000 })) });
  await eventually(async () => ((await api.ok<{ available: number }>('GET', '/inventory/CAP')).available === 1_000 ? true : undefined));
  await cloud().settle();
});

async function settled(orderId: string): Promise<PricedView> {
  return eventually(async () => {
    const order = await api.ok<PricedView>('GET', `/orders/${orderId}`);
    return SETTLED.has(order.status) ? order : undefined;
  }, 30_000);
}

async function orderCount(): Promise<number> {
  const page = await api.ok<{ items: unknown[] }>('GET', '/orders?limit=100');
  return page.items.length;
}

const pricedOrder = (extra: Record<string, unknown> = {}) => ({
  channel: 'web',
  shipTo: NEW_YORK,
  currency: 'USD',
  shippingCharged: '4.95',
  lines: [
    { lineId: 'l1', sku: 'TEE', quantity: 3, unitPrice: '19.99' },
    { lineId: 'l2', sku: 'CAP', quantity: 1, unitPrice: '0.1' },
  ],
  ...extra,
});

describe('an order with prices', () => {
  it('shows its unit prices, shipping and totals in dollars and cents, and is routed as any other', async () => {
    const placed = await api.request<{ orderId: string }>('POST', '/orders', pricedOrder());
    expect(placed.status).toBe(202);
    const order = await settled(placed.body.orderId);
    expect(order.status).toBe('ALLOCATED');
    expect(order.lines.map((l) => l.unitPrice)).toEqual(['19.99', '0.10']);
    expect(order.currency).toBe('USD');
    expect(order.shippingCharged).toBe('4.95');
    expect(order.totals).toEqual({ currency: 'USD', items: '60.07', shipping: '4.95', total: '65.02' });
  });

  it('shows yen without decimals, with no shipping charged when the order leaves it out', async () => {
    const placed = await api.request<{ orderId: string }>('POST', '/orders', {
      channel: 'web',
      shipTo: NEW_YORK,
      currency: 'JPY',
      lines: [
        { lineId: 'l1', sku: 'TEE', quantity: 2, unitPrice: '1980' },
        { lineId: 'l2', sku: 'CAP', quantity: 1, unitPrice: '2500' },
      ],
    });
    expect(placed.status).toBe(202);
    const order = await settled(placed.body.orderId);
    expect(order.lines.map((l) => l.unitPrice)).toEqual(['1980', '2500']);
    expect(order.totals).toEqual({ currency: 'JPY', items: '6460', shipping: '0', total: '6460' });
  });

  it('lists with its totals too', async () => {
    const placed = await api.request<{ orderId: string }>('POST', '/orders', pricedOrder({ currency: 'BHD', shippingCharged: '1.5', lines: [{ lineId: 'l1', sku: 'TEE', quantity: 2, unitPrice: '3.125' }] }));
    await settled(placed.body.orderId);
    const page = await api.ok<{ items: PricedView[] }>('GET', '/orders?limit=100');
    expect(page.items.find((o) => o.orderId === placed.body.orderId)?.totals).toEqual({ currency: 'BHD', items: '6.250', shipping: '1.500', total: '7.750' });
  });
});

describe('an order without prices', () => {
  it('is accepted and routed as before, with no money fields', async () => {
    const placed = await api.request<{ orderId: string }>('POST', '/orders', { channel: 'web', shipTo: NEW_YORK, lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1 }] });
    expect(placed.status).toBe(202);
    const order = await settled(placed.body.orderId);
    expect(order.status).toBe('ALLOCATED');
    expect(order).not.toHaveProperty('totals');
    expect(order).not.toHaveProperty('currency');
    expect(order.lines[0]).not.toHaveProperty('unitPrice');
  });
});

describe('bad money', () => {
  it.each([
    ['three decimals in USD', pricedOrder({ lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1, unitPrice: '19.999' }] }), 'lines[0].unitPrice'],
    ['decimals in JPY', pricedOrder({ currency: 'JPY', shippingCharged: '0', lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1, unitPrice: '1980.5' }] }), 'lines[0].unitPrice'],
    ['an exponent', pricedOrder({ lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1, unitPrice: '2e1' }] }), 'lines[0].unitPrice'],
    ['a JSON number', pricedOrder({ lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1, unitPrice: 19.99 }] }), 'lines[0].unitPrice'],
    ['a negative price', pricedOrder({ lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1, unitPrice: '-1' }] }), 'lines[0].unitPrice'],
    ['a priced line beside an unpriced one', pricedOrder({ lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1, unitPrice: '1.00' }, { lineId: 'l2', sku: 'CAP', quantity: 1 }] }), 'lines[1].unitPrice'],
    ['prices without a currency', pricedOrder({ currency: undefined }), 'currency'],
    ['an unknown currency', pricedOrder({ currency: 'XYZ' }), 'currency'],
    ['shipping with more decimals than the currency', pricedOrder({ shippingCharged: '4.950' }), 'shippingCharged'],
  ])('refuses %s with a 422 naming the field, and stores nothing', async (_, body, field) => {
    const before = await orderCount();
    const externalId = `BAD-${field.replace(/\W/g, '')}-${Math.random().toString(36).slice(2, 8)}`;
    const refused = await api.request<{ errors: Array<{ field: string }> }>('POST', '/orders', { ...body, externalId });
    expect(refused.status).toBe(422);
    expect(refused.body.errors.map((e) => e.field)).toContain(field);
    expect(await orderCount()).toBe(before);
    // Nothing reserved the external id either: the corrected order is a new one.
    const corrected = await api.request<{ orderId: string }>('POST', '/orders', pricedOrder({ externalId }));
    expect(corrected.status).toBe(202);
  });
});

describe('idempotency with prices', () => {
  it('answers a repeat with the same prices written differently as the same order, and other prices with a 409', async () => {
    const key = { 'Idempotency-Key': `money-${Date.now()}` };
    const first = await api.request<{ orderId: string }>('POST', '/orders', pricedOrder(), key);
    expect(first.status).toBe(202);
    const sameMoney = pricedOrder({ lines: [{ lineId: 'l1', sku: 'TEE', quantity: 3, unitPrice: '19.99' }, { lineId: 'l2', sku: 'CAP', quantity: 1, unitPrice: '0.10' }] });
    const repeat = await api.request<{ orderId: string }>('POST', '/orders', sameMoney, key);
    expect(repeat.status).toBe(200);
    expect(repeat.body.orderId).toBe(first.body.orderId);
    const otherPrices = await api.request('POST', '/orders', pricedOrder({ lines: [{ lineId: 'l1', sku: 'TEE', quantity: 3, unitPrice: '18.99' }, { lineId: 'l2', sku: 'CAP', quantity: 1, unitPrice: '0.1' }] }), key);
    expect(otherPrices.status).toBe(409);
    const otherShipping = await api.request('POST', '/orders', pricedOrder({ shippingCharged: '0' }), key);
    expect(otherShipping.status).toBe(409);
    await settled(first.body.orderId);
  });
});
