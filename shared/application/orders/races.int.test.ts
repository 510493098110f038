import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomApi } from '../../../infra/local/tools/api-client.ts';
import type { LocalCloud } from '../../../infra/local/cloud.ts';
import { createTestTenant, eventually, startTestCloud, type OrderView } from '../../../infra/local/tools/testing.ts';

// Two operations on one order at once: one succeeds, the other is a 409 naming the current state (or a repeat of
// the same outcome), never a 500; and afterwards the stock adds up (reserved = units in open shipments, on-hand down by
// exactly the units shipped).

const PAIRS = 50;
const SKU = 'RACE-TEE';
const STOCK = 10_000;
let cloud: LocalCloud;
let api: DomApi;

beforeAll(async () => {
  cloud = await startTestCloud();
  const tenant = await createTestTenant('Race Shop');
  api = new DomApi(cloud.apiUrl, tenant.apiKey);
  await api.ok('PUT', `/skus/${SKU}`, { weightLb: 0.5 });
  await api.ok('PUT', '/locations/olean-wh', { name: 'Olean', type: 'warehouse', address: { postalCode: '14760', country: 'US' } });
  await api.ok('PUT', '/locations/soho-store', { name: 'SoHo', type: 'store', address: { postalCode: '10012', country: 'US' } });
  await api.ok('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'olean-wh', sku: SKU, set: STOCK }] });
  await eventually(async () => ((await api.ok<{ available: number }>('GET', `/inventory/${SKU}`)).available === STOCK ? true : undefined));
  await cloud.settle();
}, 120_000);

afterAll(async () => {
  await cloud?.close();
});

/** `n` orders of 2 units, each ALLOCATED with one shipment. */
async function allocatedOrders(n: number, tag: string): Promise<OrderView[]> {
  const placed = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      api.ok<{ orderId: string }>('POST', '/orders', { channel: 'web', shipTo: { country: 'US', postalCode: '14760' }, lines: [{ lineId: 'l1', sku: SKU, quantity: 2 }] }, { 'idempotency-key': `${tag}-${i}` }),
    ),
  );
  return eventually(
    async () => {
      const orders = await Promise.all(placed.map((p) => api.ok<OrderView>('GET', `/orders/${p.orderId}`)));
      return orders.every((o) => o.status === 'ALLOCATED') ? orders : undefined;
    },
    120_000,
    250,
  );
}

type Call = () => Promise<{ status: number; body: unknown }>;

/** Runs each pair's two calls at once; every answer must be 2xx or 409. */
async function race(pairs: Array<[Call, Call]>): Promise<Array<[number, number]>> {
  const answers = await Promise.all(pairs.map(([a, b]) => Promise.all([a(), b()])));
  for (const pair of answers) {
    for (const answer of pair) {
      expect([200, 201, 409], JSON.stringify(answer.body)).toContain(answer.status);
      if (answer.status === 409) expect((answer.body as { detail: string }).detail).toMatch(/SHIPPED|CANCELLED|REJECTED|cancelled|shipped|rejected|already|another return/i);
    }
  }
  return answers.map(([a, b]) => [a.status, b.status]);
}

/** Stock adds up: reserved equals the units in open shipments, and on-hand fell by exactly the units shipped. */
async function expectStockAddsUp(): Promise<void> {
  await cloud.settle();
  const all: OrderView[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.ok<{ items: Array<{ orderId: string }>; nextCursor?: string }>('GET', `/orders?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    all.push(...(await Promise.all(page.items.map((o) => api.ok<OrderView>('GET', `/orders/${o.orderId}`)))));
    cursor = page.nextCursor;
  } while (cursor);
  const units = (statuses: string[]) => all.flatMap((o) => o.shipments.filter((s) => statuses.includes(s.status))).reduce((n, s) => n + s.lines.reduce((m, l) => m + l.quantity, 0), 0);
  const returned = all.flatMap((o) => o.returns ?? []).flatMap((r) => r.lines).filter((l) => l.restock).reduce((n, l) => n + l.quantity, 0);
  const stock = await api.ok<{ locations: Array<{ locationId: string; onHand: number; reserved: number }> }>('GET', `/inventory/${SKU}`);
  const olean = stock.locations.find((l) => l.locationId === 'olean-wh')!;
  const soho = stock.locations.find((l) => l.locationId === 'soho-store');
  expect(olean.reserved).toBe(units(['REQUESTED', 'ACCEPTED']));
  expect(olean.onHand + (soho?.onHand ?? 0)).toBe(STOCK - units(['SHIPPED', 'DELIVERED']) + returned);
}

describe(`${PAIRS} racing pairs of operations on one order`, () => {
  it('cancel vs ship: one wins, the other is a 409; a cancelled order shipped nothing, a shipped one is not cancelled', async () => {
    const orders = await allocatedOrders(PAIRS, 'cancel-ship');
    const answers = await race(orders.map((o) => [() => api.request('POST', `/orders/${o.orderId}/cancel`), () => api.request('POST', `/shipments/${o.shipments[0]!.shipmentId}/ship`)]));
    expect(answers.every(([cancel, ship]) => (cancel === 200) !== (ship === 200))).toBe(true);
    await expectStockAddsUp();
  }, 180_000);

  it('reject vs cancel: both may succeed in either order, never a 500, and the units go back once', async () => {
    const orders = await allocatedOrders(PAIRS, 'reject-cancel');
    await race(orders.map((o) => [() => api.request('POST', `/shipments/${o.shipments[0]!.shipmentId}/reject`, { reason: 'damaged' }), () => api.request('POST', `/orders/${o.orderId}/cancel`)]));
    // A rejected order is routed again: cancel what the re-route may still allocate, so the check sees a quiet store.
    await cloud.settle();
    await Promise.all(orders.map((o) => api.request('POST', `/orders/${o.orderId}/cancel`)));
    await expectStockAddsUp();
  }, 180_000);

  it('ship vs ship: the same report twice at once ships once (one commit), both answered', async () => {
    const orders = await allocatedOrders(PAIRS, 'ship-ship');
    const answers = await race(orders.map((o) => [() => api.request('POST', `/shipments/${o.shipments[0]!.shipmentId}/ship`), () => api.request('POST', `/shipments/${o.shipments[0]!.shipmentId}/ship`)]));
    expect(answers.every(([a, b]) => a === 200 && b === 200)).toBe(true);
    await expectStockAddsUp();
  }, 180_000);

  it('return vs return: the same return id with other lines is a 409; the return is recorded and restocked once', async () => {
    const orders = await allocatedOrders(PAIRS, 'return-return');
    await Promise.all(orders.map((o) => api.ok('POST', `/shipments/${o.shipments[0]!.shipmentId}/ship`)));
    const answers = await race(
      orders.map((o) => [
        () => api.request('POST', `/orders/${o.orderId}/returns`, { returnId: `rma-${o.orderId}`, locationId: 'soho-store', lines: [{ lineId: 'l1', quantity: 2 }] }),
        () => api.request('POST', `/orders/${o.orderId}/returns`, { returnId: `rma-${o.orderId}`, locationId: 'soho-store', lines: [{ lineId: 'l1', quantity: 1 }] }),
      ]),
    );
    expect(answers.every(([a, b]) => [a, b].filter((s) => s === 201).length === 1 && [a, b].filter((s) => s === 409).length === 1)).toBe(true);
    await expectStockAddsUp();
  }, 180_000);
});
