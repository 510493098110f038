import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomApi } from '../../../infra/local/tools/api-client.ts';
import type { LocalCloud } from '../../../infra/local/cloud.ts';
import { createTestTenant, eventually, startTestCloud, type OrderView } from '../../../infra/local/tools/testing.ts';

// Input safety end to end: whatever intake accepts, every later step accepts (one schema per concept), and whatever
// it refuses is a 4xx naming the field, with nothing stored.

let cloud: LocalCloud;
let api: DomApi;
const SKUS = ['TEE-BLK-M', 'tee.blk:l', 'Cap_01'];
const ZIPS = ['10001', '14760', '10012', '94105'];
const SETTLED = new Set(['ALLOCATED', 'PARTIALLY_ALLOCATED', 'BACKORDERED', 'FAILED', 'CANCELLED']);

beforeAll(async () => {
  cloud = await startTestCloud();
  const tenant = await createTestTenant('Input Shop');
  api = new DomApi(cloud.apiUrl, tenant.apiKey);
  await api.ok('PUT', '/locations/olean-wh', { name: 'Olean', type: 'warehouse', address: { postalCode: '14760', country: 'US' } });
  for (const sku of SKUS) await api.ok('PUT', `/skus/${encodeURIComponent(sku)}`, { weightLb: 0.5 });
  await api.ok('POST', '/inventory/adjustments', { adjustments: SKUS.map((sku) => ({ locationId: 'olean-wh', sku, set: 100_000 })) });
  await eventually(async () => ((await api.ok<{ available: number }>('GET', `/inventory/${encodeURIComponent(SKUS[2]!)}`)).available === 100_000 ? true : undefined));
  await cloud.settle();
});

afterAll(async () => {
  await cloud?.close();
});

async function settledOrder(orderId: string): Promise<OrderView> {
  return eventually(async () => {
    const order = await api.ok<OrderView>('GET', `/orders/${orderId}`);
    return SETTLED.has(order.status) ? order : undefined;
  }, 30_000);
}

const order = (channel: string, extra: Record<string, unknown> = {}) => ({ channel, shipTo: { country: 'US', postalCode: '10001' }, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 1 }], ...extra });

describe('channels as merchants write them', () => {
  it.each(['Web', 'amazon.com', 'shop:us', 'Marketplace-EU', 'web'])('routes an order from channel %s to ALLOCATED, under its lower-case name', async (channel) => {
    const placed = await api.request<{ orderId: string }>('POST', '/orders', order(channel));
    expect(placed.status).toBe(202);
    const settled = await settledOrder(placed.body.orderId);
    expect(settled.status).toBe('ALLOCATED');
    expect((settled as OrderView & { channel: string }).channel).toBe(channel.toLowerCase());
  });

  it.each([
    ['a#b', 'a # is not a channel character'],
    ['-web', 'a channel starts with a letter or digit'],
    ['x'.repeat(65), 'a channel has at most 64 characters'],
    ['wéb', 'a channel is ASCII'],
  ])('refuses channel %s at intake with a 422 naming channel (%s)', async (channel) => {
    const refused = await api.request<{ errors: Array<{ field: string }> }>('POST', '/orders', order(channel));
    expect(refused.status).toBe(422);
    expect(refused.body.errors.map((e) => e.field)).toContain('channel');
  });

  it('applies one hold-back to Web and web: the channel rule is found whatever case the order used', async () => {
    await api.ok('PUT', '/channels/Marketplace-EU', { holdBack: { units: 5 } });
    const rule = await api.ok<{ channel: string }>('GET', '/channels').then((r) => (r as unknown as { items: Array<{ channel: string }> }).items);
    expect(rule.map((r) => r.channel)).toContain('marketplace-eu');
  });
});

describe('composite keys', () => {
  it('keeps channel a + external id b#c apart from channel a.b + external id c, and from a + b/c', async () => {
    const first = await api.request<{ orderId: string }>('POST', '/orders', order('a', { externalId: 'b#c' }));
    const second = await api.request<{ orderId: string }>('POST', '/orders', order('a.b', { externalId: 'c' }));
    const third = await api.request<{ orderId: string }>('POST', '/orders', order('a', { externalId: 'b/c' }));
    expect([first.status, second.status, third.status]).toEqual([202, 202, 202]);
    expect(new Set([first.body.orderId, second.body.orderId, third.body.orderId]).size).toBe(3);
    // The same channel + external id again is the same order.
    const again = await api.request<{ orderId: string }>('POST', '/orders', order('A', { externalId: 'b#c' }));
    expect(again.status).toBe(200);
    expect(again.body.orderId).toBe(first.body.orderId);
  });
});

describe('tampered cursors', () => {
  it.each(['%%%', 'e30', Buffer.from('{"gsi2pk":"t_other#ORDERS","gsi2sk":"x","pk":"p","sk":"s"}').toString('base64url'), Buffer.from('[1,2]').toString('base64url')])(
    'answer 400 naming query.cursor for %s',
    async (cursor) => {
      for (const path of ['/orders', '/orders?status=ALLOCATED&limit=5', '/locations', '/inventory?locationId=olean-wh']) {
        const answer = await api.request<{ errors: Array<{ field: string }> }>('GET', `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`);
        expect(answer.status, path).toBe(400);
        expect(answer.body.errors.map((e) => e.field)).toContain('query.cursor');
      }
    },
  );
});

const idChars = fc.constantFrom(...'abcXYZ019._:-'.split(''));
const channel = fc.tuple(fc.constantFrom(...'aZ9'.split('')), fc.array(idChars, { maxLength: 20 })).map(([first, rest]) => first + rest.join(''));
const externalId = fc.tuple(fc.constantFrom(...'aZ9'.split('')), fc.array(fc.constantFrom(...'abcXYZ019._:#/-'.split('')), { maxLength: 30 })).map(([first, rest]) => first + rest.join(''));
const validOrder = fc.record(
  {
    channel,
    externalId,
    lines: fc.uniqueArray(fc.record({ lineId: fc.constantFrom('l1', 'L.2', 'line:3', 'x-4'), sku: fc.constantFrom(...SKUS), quantity: fc.integer({ min: 1, max: 3 }) }), { minLength: 1, maxLength: 3, selector: (l) => l.lineId }),
    shipTo: fc.record({ country: fc.constant('US'), postalCode: fc.constantFrom(...ZIPS), name: fc.string({ maxLength: 30, unit: 'grapheme' }) }),
    customer: fc.record({ tier: fc.constantFrom('standard', 'vip') }),
    preference: fc.constantFrom('fastest', 'cheapest', 'greenest', 'balanced'),
  },
  { requiredKeys: ['channel', 'lines', 'shipTo'] },
);

describe('property: what intake accepts ends well', () => {
  it('routes every random order the schema accepts to a settled status that is not FAILED', async () => {
    const samples = fc.sample(validOrder, { numRuns: 30, seed: 20261203 });
    const placed = await Promise.all(samples.map((body) => api.request<{ orderId: string }>('POST', '/orders', body)));
    for (const [i, answer] of placed.entries()) expect([200, 202], JSON.stringify(samples[i])).toContain(answer.status);
    for (const answer of placed) {
      const settled = await settledOrder(answer.body.orderId);
      expect(settled.status, `${answer.body.orderId}: ${settled.statusReason ?? ''}`).not.toBe('FAILED');
    }
  });
});

/** One field broken in a way the schema refuses, with the field path the 422 must name. */
const breakages: Array<[string, (body: Record<string, unknown>) => unknown]> = [
  ['channel', (b) => ({ ...b, channel: 'has space' })],
  ['channel', (b) => ({ ...b, channel: 42 })],
  ['externalId', (b) => ({ ...b, externalId: '' })],
  ['lines', (b) => ({ ...b, lines: [] })],
  ['lines[0].quantity', (b) => ({ ...b, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 0 }] })],
  ['lines[0].quantity', (b) => ({ ...b, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 10_001 }] })],
  ['lines[0].quantity', (b) => ({ ...b, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 1.5 }] })],
  ['lines[0].sku', (b) => ({ ...b, lines: [{ lineId: 'l1', sku: 'a#b', quantity: 1 }] })],
  ['lines[1].lineId', (b) => ({ ...b, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 1 }, { lineId: 'l1', sku: 'Cap_01', quantity: 1 }] })],
  ['shipTo.country', (b) => ({ ...b, shipTo: { country: 'usa', postalCode: '10001' } })],
  ['preference', (b) => ({ ...b, preference: 'slowest' })],
  ['customer.email', (b) => ({ ...b, customer: { email: 'not-an-email' } })],
];

describe('property: what intake refuses is a 4xx naming the field', () => {
  it('answers 4xx problem+json naming the broken field for random valid orders with one field broken, and stores nothing', async () => {
    const before = (await api.ok<{ items: unknown[] }>('GET', '/orders?limit=100')).items.length;
    await fc.assert(
      fc.asyncProperty(validOrder, fc.integer({ min: 0, max: breakages.length - 1 }), async (body, which) => {
        const [field, breakIt] = breakages[which]!;
        const answer = await api.request<{ status: number; errors?: Array<{ field: string }> }>('POST', '/orders', breakIt(body as Record<string, unknown>));
        expect(answer.status).toBe(422);
        expect(answer.headers.get('content-type')).toMatch(/problem\+json/);
        expect(answer.body.errors?.map((e) => e.field)).toContain(field);
      }),
      { numRuns: 60, seed: 31 },
    );
    expect((await api.ok<{ items: unknown[] }>('GET', '/orders?limit=100')).items.length).toBe(before);
  });
});
