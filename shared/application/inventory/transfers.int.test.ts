// Transfers between locations over HTTP on the local cloud (issue 18 part 5): the units leave the origin with the
// request and go on hand at the destination with each receipt, exactly; two transfers racing for the last units (one
// refused, 409); retries of the request and of a receipt; bad input named by field; tenants never see each other's
// transfers; the events reach a webhook once each.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomApi } from '../../../infra/local/tools/api-client.ts';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { createTestTenant, eventually } from '../../../infra/local/tools/testing.ts';
import { expectMatchesContract } from '../../http/contract-validator.ts';
import { reserveStock } from './reservations.ts';
import { inventoryDeps } from './test-support.ts';

interface TransferView {
  transferId: string;
  status: string;
  fromLocationId: string;
  toLocationId: string;
  lines: Array<{ sku: string; quantity: number; received: number; inTransit: number }>;
  receipts: Array<{ receiptId: string; lines: Array<{ sku: string; quantity: number }> }>;
}
type Problem = { errors?: Array<{ field: string; message: string }> };
type Inventory = { available: number; locations: Array<{ locationId: string; onHand: number; reserved: number; available: number }> };

const cloud = useTestCloud();
let api: DomApi;
let other: DomApi;
let tenantId: string;
let receiver: Server;
const delivered: Array<{ type: string; data: Record<string, unknown> }> = [];

const fields = (body: unknown) => ((body as Problem).errors ?? []).map((e) => e.field);
const onHand = async (sku: string) => {
  const inventory = await api.ok<Inventory>('GET', `/inventory/${sku}`);
  return Object.fromEntries(inventory.locations.map((l) => [l.locationId, l.onHand]));
};
const checked = async <T>(method: string, path: string, body?: unknown) => {
  const response = await api.request<T>(method, path, body);
  expectMatchesContract(method, path, response);
  return response;
};

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
  const [a, b] = await Promise.all([createTestTenant('Transfers A'), createTestTenant('Transfers B')]);
  api = new DomApi(cloud().apiUrl, a.apiKey);
  tenantId = a.tenantId;
  other = new DomApi(cloud().apiUrl, b.apiKey);
  await api.ok('POST', '/webhooks', { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/events`, events: ['TransferRequested', 'TransferShipped', 'TransferReceived', 'TransferCancelled'] });
  for (const [id, lat] of [['DC-East', 40.7], ['store.nyc', 40.75], ['DC-WEST', 34.05]] as const) {
    await api.ok('PUT', `/locations/${id}`, { name: id, type: id.startsWith('store') ? 'store' : 'warehouse', geo: { lat, lon: -74 } });
  }
  await api.ok('PUT', '/locations/DROP-1', { name: 'Drop-shipper', type: 'dropship', geo: { lat: 41, lon: -74 } });
  await api.ok('PUT', '/locations/closed.store', { name: 'Closed', type: 'store', geo: { lat: 41, lon: -73.9 }, active: false });
  await other.ok('PUT', '/locations/DC-East', { name: 'B East', type: 'warehouse', geo: { lat: 40.7, lon: -74 } });
  await other.ok('PUT', '/locations/DC-East2', { name: 'B East 2', type: 'warehouse', geo: { lat: 40.8, lon: -74 } });
  await api.ok('POST', '/inventory/adjustments', {
    adjustments: [
      { locationId: 'DC-East', sku: 'TEE-M', set: 10 },
      { locationId: 'store.nyc', sku: 'TEE-M', set: 2 },
      { locationId: 'DC-East', sku: 'CAP', set: 5 },
      { locationId: 'DC-WEST', sku: 'LAST', set: 5 },
      { locationId: 'DC-East', sku: 'SAFE', set: 10, safetyStock: 3 },
      { locationId: 'DC-East', sku: 'RETRY', set: 20 },
    ],
  });
});

afterAll(async () => {
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  api?.close();
  other?.close();
});

describe('a transfer', () => {
  it('takes the units from the origin when requested and puts them on hand at the destination as they are received', async () => {
    const requested = await checked<TransferView>('POST', '/transfers', { transferId: 'TR-1', fromLocationId: 'DC-East', toLocationId: 'store.nyc', lines: [{ sku: 'TEE-M', quantity: 7 }, { sku: 'CAP', quantity: 5 }], reason: 'Rebalance für den Laden ✓' });
    expect(requested.status).toBe(201);
    expect(requested.body).toMatchObject({ status: 'REQUESTED', lines: [{ sku: 'TEE-M', quantity: 7, received: 0, inTransit: 7 }, { sku: 'CAP', quantity: 5, received: 0, inTransit: 5 }] });
    // In transit: on hand nowhere, so sellable nowhere.
    expect(await onHand('TEE-M')).toEqual({ 'DC-East': 3, 'store.nyc': 2 });
    expect((await api.ok<Inventory>('GET', '/inventory/TEE-M')).available).toBe(5);
    expect(await onHand('CAP')).toEqual({ 'DC-East': 0 });

    expect((await checked<TransferView>('POST', '/transfers/TR-1/ship', { carrier: 'ups', trackingNumber: '1Z999' })).body.status).toBe('SHIPPED');
    const partial = await checked<TransferView>('POST', '/transfers/TR-1/receive', { receiptId: 'dock-1', lines: [{ sku: 'TEE-M', quantity: 4 }] });
    expect(partial.body).toMatchObject({ status: 'PARTIALLY_RECEIVED', lines: [{ sku: 'TEE-M', received: 4, inTransit: 3 }, { sku: 'CAP', received: 0, inTransit: 5 }] });
    expect(await onHand('TEE-M')).toEqual({ 'DC-East': 3, 'store.nyc': 6 });

    // The same receipt again changes nothing.
    const again = await checked<TransferView>('POST', '/transfers/TR-1/receive', { receiptId: 'dock-1', lines: [{ sku: 'TEE-M', quantity: 4 }] });
    expect(again.status).toBe(200);
    expect(again.body.receipts).toHaveLength(1);
    expect(await onHand('TEE-M')).toEqual({ 'DC-East': 3, 'store.nyc': 6 });

    // Without lines: the rest; then nothing is left, and receiving again is a repeat.
    const rest = await checked<TransferView>('POST', '/transfers/TR-1/receive');
    expect(rest.body).toMatchObject({ status: 'RECEIVED', lines: [{ received: 7, inTransit: 0 }, { received: 5, inTransit: 0 }] });
    expect((await checked<TransferView>('POST', '/transfers/TR-1/receive')).body.receipts).toHaveLength(2);
    expect(await onHand('TEE-M')).toEqual({ 'DC-East': 3, 'store.nyc': 9 });
    expect(await onHand('CAP')).toEqual({ 'DC-East': 0, 'store.nyc': 5 });

    const incoming = await checked<{ items: TransferView[] }>('GET', '/transfers?toLocationId=store.nyc&status=RECEIVED');
    expect(incoming.body.items.map((t) => t.transferId)).toContain('TR-1');
    expect((await api.ok<{ items: TransferView[] }>('GET', '/transfers?fromLocationId=DC-East&status=REQUESTED')).items.map((t) => t.transferId)).not.toContain('TR-1');

    // One event per step and per receipt, delivered once each.
    const mine = () => delivered.filter((e) => e.data.transferId === 'TR-1');
    await eventually(async () => (mine().length >= 4 ? true : undefined), 30_000);
    await cloud().settle();
    expect(mine().map((e) => e.type).sort()).toEqual(['TransferReceived', 'TransferReceived', 'TransferRequested', 'TransferShipped']);
    expect(mine().find((e) => e.type === 'TransferReceived' && e.data.receiptId === 'dock-1')?.data).toMatchObject({ received: [{ sku: 'TEE-M', quantity: 4 }], inTransit: [{ sku: 'TEE-M', quantity: 3 }, { sku: 'CAP', quantity: 5 }] });
  });

  it('never takes more than the origin has available: two transfers racing for the last units, one is refused with a 409', async () => {
    const race = await Promise.all(
      ['DC-East', 'store.nyc'].map((to) => api.request<Problem>('POST', '/transfers', { fromLocationId: 'DC-WEST', toLocationId: to, lines: [{ sku: 'LAST', quantity: 4 }] })),
    );
    expect(race.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(fields(race.find((r) => r.status === 409)!.body)).toEqual(['lines[0].quantity']);
    expect(await onHand('LAST')).toEqual({ 'DC-WEST': 1 });
  });

  it('is all or nothing: one short line refuses the whole transfer, nothing taken and no transfer stored', async () => {
    const refused = await checked<Problem>('POST', '/transfers', { transferId: 'TR-SHORT', fromLocationId: 'DC-East', toLocationId: 'store.nyc', lines: [{ sku: 'RETRY', quantity: 1 }, { sku: 'TEE-M', quantity: 500 }] });
    expect(refused.status).toBe(409);
    expect(fields(refused.body)).toEqual(['lines[1].quantity']);
    expect((await api.request('GET', '/transfers/TR-SHORT')).status).toBe(404);
    expect(await onHand('RETRY')).toEqual({ 'DC-East': 20 });
  });

  it('takes a line larger than any one shard of a sharded origin from several shards, exactly', async () => {
    await api.ok('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'DC-WEST', sku: 'HOT', set: 40, shards: 4 }] });
    const requested = await api.request<TransferView>('POST', '/transfers', { fromLocationId: 'DC-WEST', toLocationId: 'store.nyc', lines: [{ sku: 'HOT', quantity: 25 }] });
    expect(requested.status).toBe(201);
    const shards = await api.ok<{ locations: Array<{ locationId: string; onHand: number; shards?: Array<{ onHand: number; available: number }> }> }>('GET', '/inventory/HOT?shards=true');
    const west = shards.locations.find((l) => l.locationId === 'DC-WEST')!;
    expect(west.onHand).toBe(15);
    expect(west.shards!.reduce((sum, shard) => sum + shard.onHand, 0)).toBe(15);
    expect(west.shards!.every((shard) => shard.available >= 0)).toBe(true);
    expect((await api.request('POST', '/transfers', { fromLocationId: 'DC-WEST', toLocationId: 'store.nyc', lines: [{ sku: 'HOT', quantity: 16 }] })).status).toBe(409);
    await api.ok('POST', `/transfers/${requested.body.transferId}/receive`);
    expect(await onHand('HOT')).toEqual({ 'DC-WEST': 15, 'store.nyc': 25 });
  });

  it('never takes the safety stock or reserved units', async () => {
    // 10 on hand, 3 safety stock, 2 reserved for an order: 5 can leave.
    const reserved = await reserveStock(inventoryDeps, { reservationId: 'res-safe-1', tenantId, orderId: 'o-safe', items: [{ locationId: 'DC-East', sku: 'SAFE', quantity: 2 }] });
    expect(reserved.status).toBe('RESERVED');
    const refused = await checked<Problem>('POST', '/transfers', { fromLocationId: 'DC-East', toLocationId: 'store.nyc', lines: [{ sku: 'SAFE', quantity: 6 }] });
    expect(refused.status).toBe(409);
    expect(refused.body.errors).toEqual([{ field: 'lines[0].quantity', message: '6 requested, 5 available at DC-East' }]);
    expect((await api.request('POST', '/transfers', { fromLocationId: 'DC-East', toLocationId: 'store.nyc', lines: [{ sku: 'SAFE', quantity: 5 }] })).status).toBe(201);
    const safe = await api.ok<Inventory>('GET', '/inventory/SAFE');
    expect(safe.locations).toEqual([expect.objectContaining({ locationId: 'DC-East', onHand: 5, reserved: 2, available: 0 })]);
  });

  it('is requested once for one transferId, however often it is sent, also at the same time', async () => {
    const body = { transferId: 'TR-RETRY', fromLocationId: 'DC-East', toLocationId: 'DC-WEST', lines: [{ sku: 'RETRY', quantity: 3 }] };
    const first = await Promise.all([1, 2, 3].map(() => api.request<TransferView>('POST', '/transfers', body)));
    expect(first.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    expect((await api.request('POST', '/transfers', body)).status).toBe(200);
    expect(await onHand('RETRY')).toEqual({ 'DC-East': 17 });
    const changed = await checked<Problem>('POST', '/transfers', { ...body, lines: [{ sku: 'RETRY', quantity: 4 }] });
    expect(changed.status).toBe(409);
    expect(fields(changed.body)).toEqual(['transferId']);
    // Two receipts of the same units at once: one puts them on hand, the other finds nothing left to receive.
    const receipts = await Promise.all([1, 2].map(() => api.request<Problem>('POST', '/transfers/TR-RETRY/receive', { lines: [{ sku: 'RETRY', quantity: 3 }] })));
    expect(receipts.map((r) => r.status).sort()).toEqual([200, 422]);
    expect(await onHand('RETRY')).toEqual({ 'DC-East': 17, 'DC-WEST': 3 });
  });

  it('that has not shipped can be cancelled, its units back at the origin; a shipped one cannot', async () => {
    const { transferId } = await api.ok<TransferView>('POST', '/transfers', { fromLocationId: 'DC-East', toLocationId: 'store.nyc', lines: [{ sku: 'RETRY', quantity: 5 }] });
    expect(transferId).toMatch(/^tr_/);
    expect(await onHand('RETRY')).toMatchObject({ 'DC-East': 12 });
    expect((await checked<TransferView>('POST', `/transfers/${transferId}/cancel`)).body.status).toBe('CANCELLED');
    expect((await api.request('POST', `/transfers/${transferId}/cancel`)).status).toBe(200);
    expect(await onHand('RETRY')).toMatchObject({ 'DC-East': 17 });
    expect((await checked<Problem>('POST', `/transfers/${transferId}/receive`)).status).toBe(409);

    const shipped = await api.ok<TransferView>('POST', '/transfers', { fromLocationId: 'DC-East', toLocationId: 'store.nyc', lines: [{ sku: 'RETRY', quantity: 1 }] });
    await api.ok('POST', `/transfers/${shipped.transferId}/ship`);
    const refused = await checked<Problem>('POST', `/transfers/${shipped.transferId}/cancel`);
    expect(refused.status).toBe(409);
    expect(fields(refused.body)).toEqual(['status']);
  });
});

describe('a store\'s scoped key', () => {
  it('receives and lists the transfers coming to its store, ships those leaving it, and nothing else', async () => {
    const issued = await api.ok<{ apiKey: string }>('POST', '/api-keys', { name: 'Chelsea tablet', scope: { locationIds: ['store.nyc'] } });
    const store = new DomApi(cloud().apiUrl, issued.apiKey);
    try {
      const incoming = await api.ok<TransferView>('POST', '/transfers', { fromLocationId: 'DC-East', toLocationId: 'store.nyc', lines: [{ sku: 'RETRY', quantity: 1 }] });
      const outgoing = await api.ok<TransferView>('POST', '/transfers', { fromLocationId: 'DC-East', toLocationId: 'DC-WEST', lines: [{ sku: 'RETRY', quantity: 1 }] });
      expect((await store.request('POST', `/transfers/${incoming.transferId}/ship`)).status).toBe(404);
      expect((await store.request('POST', `/transfers/${outgoing.transferId}/receive`)).status).toBe(404);
      expect((await store.request<TransferView>('POST', `/transfers/${incoming.transferId}/receive`)).body.status).toBe('RECEIVED');
      expect((await store.ok<{ items: TransferView[] }>('GET', '/transfers?toLocationId=store.nyc')).items.map((t) => t.transferId)).toContain(incoming.transferId);
      expect((await store.request('GET', '/transfers?fromLocationId=DC-East')).status).toBe(404);
      for (const [method, path] of [['POST', '/transfers'], ['GET', `/transfers/${incoming.transferId}`], ['POST', `/transfers/${outgoing.transferId}/cancel`], ['GET', '/rebalancing']] as const) {
        expect((await store.request(method, path, method === 'POST' && path === '/transfers' ? { fromLocationId: 'DC-East', toLocationId: 'store.nyc', lines: [{ sku: 'RETRY', quantity: 1 }] } : undefined)).status, `${method} ${path}`).toBe(403);
      }
      expect((await api.ok<TransferView>('GET', `/transfers/${outgoing.transferId}`)).status).toBe('REQUESTED');
    } finally {
      store.close();
    }
  });
});

describe('bad input', () => {
  it('is refused naming each field, and nothing is taken', async () => {
    const before = await onHand('TEE-M');
    const cases: Array<[unknown, string[]]> = [
      [{ fromLocationId: 'DC-East', toLocationId: 'DC-East', lines: [{ sku: 'TEE-M', quantity: 1 }] }, ['toLocationId']],
      [{ fromLocationId: 'DC-East', toLocationId: 'store.nyc', lines: [{ sku: 'TEE-M', quantity: 0 }, { sku: 'TEE-M', quantity: 1.5 }] }, ['lines[0].quantity', 'lines[1].quantity']],
      [{ fromLocationId: 'DC-East', toLocationId: 'store.nyc', lines: [{ sku: 'TEE-M', quantity: 1 }, { sku: 'TEE-M', quantity: 1 }] }, ['lines[1].sku']],
      [{ fromLocationId: 'DC-East', toLocationId: 'store.nyc', lines: [] }, ['lines']],
      [{ fromLocationId: 'DC#East', toLocationId: 'store.nyc', lines: [{ sku: 'TEE-M', quantity: 1 }], extra: 1 }, ['fromLocationId', '']],
      [{ fromLocationId: 'NOWHERE', toLocationId: 'ALSO-NOWHERE', lines: [{ sku: 'TEE-M', quantity: 1 }] }, ['fromLocationId', 'toLocationId']],
      [{ fromLocationId: 'DROP-1', toLocationId: 'DROP-1x', lines: [{ sku: 'TEE-M', quantity: 1 }] }, ['fromLocationId', 'toLocationId']],
      [{ fromLocationId: 'DC-East', toLocationId: 'DROP-1', lines: [{ sku: 'TEE-M', quantity: 1 }] }, ['toLocationId']],
      [{ fromLocationId: 'DC-East', toLocationId: 'closed.store', lines: [{ sku: 'TEE-M', quantity: 1 }] }, ['toLocationId']],
    ];
    for (const [body, expected] of cases) {
      const response = await checked<Problem>('POST', '/transfers', body);
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect(fields(response.body).sort()).toEqual(expected.sort());
    }
    expect((await api.request('POST', '/transfers', '{"fromLocationId":')).status).toBe(400);
    expect(await onHand('TEE-M')).toEqual(before);
  });

  it('of a receipt names the line: an SKU the transfer does not carry, more units than in transit', async () => {
    const { transferId } = await api.ok<TransferView>('POST', '/transfers', { fromLocationId: 'DC-East', toLocationId: 'store.nyc', lines: [{ sku: 'RETRY', quantity: 2 }] });
    const response = await checked<Problem>('POST', `/transfers/${transferId}/receive`, { lines: [{ sku: 'RETRY', quantity: 3 }, { sku: 'OTHER', quantity: 1 }] });
    expect(response.status).toBe(422);
    expect(fields(response.body)).toEqual(['lines[0].quantity', 'lines[1].sku']);
    expect((await checked('POST', `/transfers/${transferId}/receive`, { lines: [{ sku: 'RETRY', quantity: 2 }] })).status).toBe(200);
    expect((await checked('GET', '/transfers/NO-SUCH')).status).toBe(404);
    expect(fields((await checked('GET', '/transfers')).body)).toEqual(['query.fromLocationId']);
    expect((await api.request('GET', '/transfers?toLocationId=store.nyc&cursor=bm90LWEta2V5')).status).toBe(400);
  });
});

describe('tenants', () => {
  it('never see, receive or list each other\'s transfers', async () => {
    expect((await other.request('GET', '/transfers/TR-1')).status).toBe(404);
    expect((await other.request('POST', '/transfers/TR-1/receive')).status).toBe(404);
    expect((await other.request('POST', '/transfers/TR-1/cancel')).status).toBe(404);
    expect((await other.ok<{ items: unknown[] }>('GET', '/transfers?fromLocationId=DC-East')).items).toEqual([]);
    // B's own DC-East holds nothing: A's stock is not B's.
    expect((await other.request('POST', '/transfers', { fromLocationId: 'DC-East', toLocationId: 'DC-East2', lines: [{ sku: 'TEE-M', quantity: 1 }] })).status).toBe(409);
    expect((await other.request('POST', '/transfers', { fromLocationId: 'DC-East', toLocationId: 'store.nyc', lines: [{ sku: 'TEE-M', quantity: 1 }] })).status).toBe(422);
    const page = await api.ok<{ items: TransferView[]; nextCursor?: string }>('GET', '/transfers?fromLocationId=DC-East&limit=1');
    expect(page.nextCursor).toBeDefined();
    expect((await other.request('GET', `/transfers?fromLocationId=DC-East&cursor=${page.nextCursor}`)).status).toBe(400);
  });
});
