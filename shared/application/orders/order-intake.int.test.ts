import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomApi } from '../../../infra/local/tools/api-client.ts';
import type { LocalCloud } from '../../../infra/local/cloud.ts';
import { createTestTenant, eventually, startTestCloud } from '../../../infra/local/tools/testing.ts';

let cloud: LocalCloud;
let api: DomApi;

beforeAll(async () => {
  cloud = await startTestCloud();
  const tenant = await createTestTenant('Intake Shop');
  api = new DomApi(cloud.apiUrl, tenant.apiKey);
  await api.ok('PUT', '/skus/TEE-BLK-M', { weightLb: 0.4 });
  await api.ok('PUT', '/locations/olean-wh', { name: 'Olean', type: 'warehouse', address: { postalCode: '14760', country: 'US' } });
  await api.ok('PUT', '/locations/soho-store', { name: 'SoHo', type: 'store', address: { postalCode: '10012', country: 'US' }, capabilities: { ship: true, pickup: false, curbside: false } });
});

afterAll(async () => {
  await cloud?.close();
});

const valid = { channel: 'web', shipTo: { country: 'US', postalCode: '10001' }, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 1 }] };

interface Problem {
  status: number;
  title: string;
  errors?: Array<{ field: string; message: string }>;
}

async function refused(body: unknown, raw = false): Promise<{ status: number; problem: Problem; contentType: string | null }> {
  const response = await fetch(`${cloud.apiUrl}/orders`, {
    method: 'POST',
    headers: { authorization: `Bearer ${api.apiKey}`, 'content-type': 'application/json' },
    body: raw ? (body as string) : JSON.stringify(body),
  });
  return { status: response.status, problem: (await response.json()) as Problem, contentType: response.headers.get('content-type') };
}

async function orderCount(): Promise<number> {
  return (await api.ok<{ items: unknown[] }>('GET', '/orders?limit=100')).items.length;
}

describe('POST /orders refuses bad input with a 4xx naming the field, and stores nothing', () => {
  it.each([
    ['malformed JSON', '{"channel": "web", "lines": [', true, 400, ''],
    ['an empty body', '', true, 400, ''],
    ['a missing channel', { ...valid, channel: undefined }, false, 422, 'channel'],
    ['a wrong-typed quantity', { ...valid, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 'two' }] }, false, 422, 'lines[0].quantity'],
    ['a zero quantity', { ...valid, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 0 }] }, false, 422, 'lines[0].quantity'],
    ['a negative quantity', { ...valid, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: -1 }] }, false, 422, 'lines[0].quantity'],
    ['a huge quantity', { ...valid, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 1e12 }] }, false, 422, 'lines[0].quantity'],
    ['1,000 lines', { ...valid, lines: Array.from({ length: 1000 }, (_, i) => ({ lineId: `l${i}`, sku: 'TEE-BLK-M', quantity: 1 })) }, false, 422, 'lines'],
    ['an unknown SKU', { ...valid, lines: [{ lineId: 'l1', sku: 'NO-SUCH-SKU', quantity: 1 }] }, false, 422, 'lines[0].sku'],
    ['a pickup at a store that does not offer it', { ...valid, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 1, fulfillment: { type: 'pickup', locationId: 'soho-store' } }] }, false, 422, 'lines[0].fulfillment.locationId'],
    ['an unknown ZIP', { ...valid, shipTo: { country: 'US', postalCode: '00000' } }, false, 422, 'shipTo.postalCode'],
    ['a huge string', { ...valid, channel: 'x'.repeat(100_000) }, false, 422, 'channel'],
  ])('%s', async (_, body, raw, status, field) => {
    const before = await orderCount();
    const answer = await refused(body, raw as boolean);
    expect(answer.status).toBe(status);
    expect(answer.contentType).toBe('application/problem+json');
    if (field) expect(answer.problem.errors?.map((e) => e.field)).toContain(field);
    expect(await orderCount()).toBe(before);
  });

  it('refuses an oversize body with a 413 problem', async () => {
    const answer = await refused({ ...valid, note: 'x'.repeat(2_000_000) });
    expect(answer.status).toBe(413);
    expect(answer.problem.status).toBe(413);
  });

  it('accepts the valid order and lists it', async () => {
    const response = await api.request<{ orderId: string; status: string }>('POST', '/orders', valid);
    expect(response.status).toBe(202);
    expect(response.body.status).toBe('ACCEPTED');
    expect(response.headers.get('location')).toBe(`/orders/${response.body.orderId}`);
    const listed = await eventually(async () => {
      const page = await api.ok<{ items: Array<{ orderId: string }> }>('GET', '/orders?limit=100');
      return page.items.find((o) => o.orderId === response.body.orderId);
    });
    expect(listed).toBeDefined();
  });

  it("hides one tenant's orders from another", async () => {
    const placed = await api.ok<{ orderId: string }>('POST', '/orders', valid);
    const other = await createTestTenant('Other Shop');
    const otherApi = new DomApi(cloud.apiUrl, other.apiKey);
    expect((await otherApi.request('GET', `/orders/${placed.orderId}`)).status).toBe(404);
    expect((await otherApi.request('POST', `/orders/${placed.orderId}/cancel`)).status).toBe(404);
    expect((await otherApi.ok<{ items: unknown[] }>('GET', '/orders')).items).toEqual([]);
  });
});
