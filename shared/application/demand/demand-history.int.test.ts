import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { DomApi } from '../../../infra/local/tools/api-client.ts';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { createTestTenant, eventually, type OrderView } from '../../../infra/local/tools/testing.ts';
import { dynamoDemandStore } from '#adapters/dynamodb/demand-store';
import { documentClient, GetCommand, tableName } from '#adapters/dynamodb/client';
import { tenantKey } from '#adapters/dynamodb/keys';

/**
 * Demand history over HTTP on the local cloud (issue 18 part 1): orders placed through the API flow into the daily
 * roll-ups by the stream; a redelivered stream record adds nothing; merchants import past sales as CSV or JSON.
 */
const cloud = useTestCloud();

const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

async function shop(name: string) {
  const tenant = await createTestTenant(name);
  const api = new DomApi(cloud().apiUrl, tenant.apiKey);
  await api.ok('PUT', '/skus/TEE-BLK-M', { weightLb: 0.4 });
  await api.ok('PUT', '/locations/olean-wh', { name: 'Olean', type: 'warehouse', address: { postalCode: '14760', country: 'US' } });
  await api.ok('PUT', '/locations/dallas-wh', { name: 'Dallas', type: 'warehouse', address: { postalCode: '75201', country: 'US' } });
  await api.ok('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'olean-wh', sku: 'TEE-BLK-M', set: 20 }, { locationId: 'dallas-wh', sku: 'TEE-BLK-M', set: 20 }] });
  await eventually(async () => ((await api.ok<{ available: number }>('GET', '/inventory/TEE-BLK-M')).available === 40 ? true : undefined));
  await cloud().settle();
  return { tenantId: tenant.tenantId, api };
}

async function place(api: DomApi, shipTo: Record<string, unknown>, quantity: number, extra: Record<string, unknown> = {}): Promise<OrderView> {
  const placed = await api.request<{ orderId: string }>('POST', '/orders', { channel: 'web', shipTo, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity }], splitPolicy: 'single', ...extra });
  expect(placed.status, JSON.stringify(placed.body)).toBe(202);
  return eventually(async () => {
    const order = await api.ok<OrderView>('GET', `/orders/${placed.body.orderId}`);
    return order.status === 'ALLOCATED' ? order : undefined;
  }, 30_000);
}

/** Units per location (or region) on one day, as the forecast run reads them. */
async function byLocation(tenantId: string, sku = 'TEE-BLK-M', day = today()) {
  return Object.fromEntries((await dynamoDemandStore.locationHistory(tenantId, sku)).map((s) => [s.locationId, s.days.get(day) ?? 0]));
}
async function byRegion(tenantId: string, sku = 'TEE-BLK-M', day = today()) {
  return Object.fromEntries((await dynamoDemandStore.regionHistory(tenantId, sku)).map((s) => [s.region, s.days.get(day) ?? 0]));
}

/** The stream record Lambda would get for a shipment item's change, built from the stored item. */
async function shipmentRecord(tenantId: string, orderId: string, shipmentId: string, eventName: 'INSERT' | 'MODIFY', sequence: string) {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: { pk: tenantKey(tenantId, 'ORDER', orderId), sk: `SHIPMENT#${shipmentId}` } }));
  expect(Item).toBeDefined();
  const image = marshall(Item!, { removeUndefinedValues: true, convertClassInstanceToMap: true });
  const oldImage = eventName === 'MODIFY' ? marshall({ ...Item!, status: 'REQUESTED' }, { removeUndefinedValues: true }) : undefined;
  return {
    eventID: `e-${sequence}`, eventName, eventSource: 'aws:dynamodb', awsRegion: 'us-east-1', eventVersion: '1.1',
    dynamodb: { Keys: { pk: image.pk!, sk: image.sk! }, NewImage: image, ...(oldImage ? { OldImage: oldImage } : {}), SequenceNumber: sequence, ApproximateCreationDateTime: Date.now() / 1000, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  } as unknown as DynamoDBStreamEvent['Records'][number];
}

describe('demand history from the DOM\'s own orders', () => {
  it('adds every allocated order to the day\'s units at the location that ships it and in the state it ships to', async () => {
    const { tenantId, api } = await shop('Demand Shop');
    const orders = [
      await place(api, { country: 'US', postalCode: '10001' }, 2),
      await place(api, { country: 'US', postalCode: '10013-1234' }, 1),
      await place(api, { country: 'US', postalCode: '94105' }, 3),
      await place(api, { country: 'US', geo: { lat: 32.78, lon: -96.8 } }, 4),
    ];
    await cloud().settle();

    const expected: Record<string, number> = {};
    for (const order of orders) for (const s of order.shipments) expected[s.locationId] = (expected[s.locationId] ?? 0) + s.lines[0]!.quantity;
    expect(await byLocation(tenantId)).toEqual(expected);
    expect(await byRegion(tenantId)).toEqual({ 'US-NY': 3, 'US-CA': 3, 'US-TX': 4 });

    // The same roll-ups over HTTP.
    const history = await api.ok<{ from: string; to: string; locations: Array<{ locationId: string; total: number; days: Array<{ date: string; units: number }> }>; regions: Array<{ region: string; total: number }> }>('GET', '/demand-history/TEE-BLK-M');
    expect([history.from, history.to]).toEqual([daysAgo(27), today()]);
    expect(Object.fromEntries(history.locations.map((l) => [l.locationId, l.total]))).toEqual(expected);
    expect(history.locations.every((l) => l.days.length === 1 && l.days[0]!.date === today())).toBe(true);
    expect(history.regions).toEqual([{ region: 'US-CA', total: 3, days: [{ date: today(), units: 3 }] }, { region: 'US-NY', total: 3, days: [{ date: today(), units: 3 }] }, { region: 'US-TX', total: 4, days: [{ date: today(), units: 4 }] }]);
    const yesterdayOnly = await api.ok<{ locations: unknown[]; regions: unknown[] }>('GET', `/demand-history/TEE-BLK-M?from=${daysAgo(1)}&to=${daysAgo(1)}`);
    expect(yesterdayOnly).toMatchObject({ locations: [], regions: [] });
    const backwards = await api.request<{ errors: Array<{ field: string }> }>('GET', `/demand-history/TEE-BLK-M?from=${today()}&to=${daysAgo(1)}`);
    expect(backwards.status).toBe(422);
    expect(backwards.body.errors[0]!.field).toBe('query.from');
    expect((await api.request('GET', '/demand-history/TEE-BLK-M?from=2026-02-30')).status).toBe(422);
  });

  it('takes a rejected shipment\'s units back where it was rejected and counts them where they are allocated next', async () => {
    const { tenantId, api } = await shop('Reject Shop');
    const first = await place(api, { country: 'US', postalCode: '10001' }, 2);
    const rejected = first.shipments[0]!;
    expect((await api.request('POST', `/shipments/${rejected.shipmentId}/reject`, { reason: 'damaged' })).status).toBe(200);
    const rerouted = await eventually(async () => {
      const o = await api.ok<OrderView>('GET', `/orders/${first.orderId}`);
      return o.status === 'ALLOCATED' && o.shipments.some((s) => s.status === 'REQUESTED') ? o : undefined;
    }, 30_000);
    const next = rerouted.shipments.find((s) => s.status === 'REQUESTED')!;
    await cloud().settle();

    expect(await byLocation(tenantId)).toEqual({ [rejected.locationId]: 0, [next.locationId]: 2 });
    expect(await byRegion(tenantId)).toEqual({ 'US-NY': 2 });
  });

  it('counts a shipment once however often, and however concurrently, its records are delivered', async () => {
    const { tenantId, api } = await shop('Replay Shop');
    const order = await place(api, { country: 'US', postalCode: '60601' }, 3);
    const shipment = order.shipments[0]!;
    await cloud().settle();
    expect(await byLocation(tenantId)).toEqual({ [shipment.locationId]: 3 });

    const created = await shipmentRecord(tenantId, order.orderId, shipment.shipmentId, 'INSERT', '900000001');
    const batch = { Records: [created] };
    const answers = await Promise.all([cloud().runtime.invoke('handleInventoryChanges', batch), cloud().runtime.invoke('handleInventoryChanges', batch)]);
    await cloud().runtime.invoke('handleInventoryChanges', batch);
    expect(answers).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(await byLocation(tenantId)).toEqual({ [shipment.locationId]: 3 });
    expect(await byRegion(tenantId)).toEqual({ 'US-IL': 3 });

    // Cancelled: taken back once, however often the cancellation is delivered.
    expect((await api.request('POST', `/orders/${order.orderId}/cancel`, {})).status).toBe(200);
    await eventually(async () => ((await byLocation(tenantId))[shipment.locationId] === 0 ? true : undefined));
    const cancelled = await shipmentRecord(tenantId, order.orderId, shipment.shipmentId, 'MODIFY', '900000002');
    expect(cancelled.dynamodb!.NewImage!.status).toEqual({ S: 'CANCELLED' });
    await cloud().runtime.invoke('handleInventoryChanges', { Records: [created, cancelled, cancelled] });
    expect(await byLocation(tenantId)).toEqual({ [shipment.locationId]: 0 });
  });

  it('writes a batch of shipments in shared transactions: same-day units merged, counted ones skipped, more than one transaction holds split', async () => {
    const tenant = await createTestTenant('Batch Roll-up Shop');
    const day = today();
    const entry = (shipmentId: string, sku: string, units: number, locationId = 'olean-wh') => ({ tenantId: tenant.tenantId, shipmentId, chunk: 0, locationId, region: 'US-NY', day, lines: [{ sku, units }] });
    // Three shipments of one SKU at one location and day: one item each for the location and the region, units summed.
    expect(await dynamoDemandStore.count([entry('s1', 'Tee.Blk', 1), entry('s2', 'Tee.Blk', 2), entry('s3', 'Tee.Blk', 4, 'dallas-wh')])).toEqual(['counted', 'counted', 'counted']);
    expect(await byLocation(tenant.tenantId, 'Tee.Blk', day)).toEqual({ 'olean-wh': 3, 'dallas-wh': 4 });
    expect(await byRegion(tenant.tenantId, 'Tee.Blk', day)).toEqual({ 'US-NY': 7 });
    // A redelivered shipment among new ones: it is skipped, the others counted in the same call.
    expect(await dynamoDemandStore.count([entry('s4', 'Tee.Blk', 8), entry('s2', 'Tee.Blk', 2)])).toEqual(['counted', 'already']);
    expect(await byLocation(tenant.tenantId, 'Tee.Blk', day)).toEqual({ 'olean-wh': 11, 'dallas-wh': 4 });
    // 40 shipments of distinct SKUs: 40 markers and 120 writes, more than one transaction holds; each counted once.
    const many = Array.from({ length: 40 }, (_, i) => entry(`m${i}`, `SKU-ü${i}`, i + 1));
    expect(new Set(await dynamoDemandStore.count(many))).toEqual(new Set(['counted']));
    expect(new Set(await dynamoDemandStore.count(many))).toEqual(new Set(['already']));
    for (const i of [0, 17, 39]) expect(await byLocation(tenant.tenantId, `SKU-ü${i}`, day)).toEqual({ 'olean-wh': i + 1 });
    expect((await dynamoDemandStore.skuChunks(tenant.tenantId, 100)).length).toBe(1);
    expect(await dynamoDemandStore.skusIn(tenant.tenantId, (await dynamoDemandStore.skuChunks(tenant.tenantId, 100))[0]!)).toHaveLength(41);
  });
});

describe('importing past sales', () => {
  const csvOf = (rows: string[]) => ['date,sku,locationId,units', ...rows].join('\n');

  it('sets each day from a CSV, and importing the same file again, or twice at once, leaves the same history', async () => {
    const tenant = await createTestTenant('Import Shop');
    const api = new DomApi(cloud().apiUrl, tenant.apiKey);
    const csv = csvOf([`${daysAgo(3)},Mug.Blue,Store_1,4`, `${daysAgo(2)},Mug.Blue,Store_1,0`, `${daysAgo(1)},Mug.Blue,Store_1,6`, `${daysAgo(1)},Mug.Blue,WH-2,1`]);
    const first = await api.request<Record<string, unknown>>('POST', '/demand-history', csv, { 'content-type': 'text/csv' });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toEqual({ rows: 4, skus: 1, locations: 2, firstDate: daysAgo(3), lastDate: daysAgo(1) });

    const again = await Promise.all([1, 2].map(() => api.request('POST', '/demand-history', csv, { 'content-type': 'text/csv; charset=utf-8' })));
    expect(again.map((a) => a.status)).toEqual([200, 200]);
    const history = await dynamoDemandStore.locationHistory(tenant.tenantId, 'Mug.Blue');
    expect(history.map((s) => [s.locationId, Object.fromEntries(s.days)])).toEqual([
      ['Store_1', { [daysAgo(3)]: 4, [daysAgo(2)]: 0, [daysAgo(1)]: 6 }],
      ['WH-2', { [daysAgo(1)]: 1 }],
    ]);

    // A corrected day replaces what was imported for it.
    expect((await api.request('POST', '/demand-history', { rows: [{ date: daysAgo(1), sku: 'Mug.Blue', locationId: 'Store_1', units: 5 }] })).status).toBe(200);
    expect((await dynamoDemandStore.locationHistory(tenant.tenantId, 'Mug.Blue'))[0]!.days.get(daysAgo(1))).toBe(5);
    api.close();
  });

  it('refuses bad rows with a 422 naming each line and field, and writes none of the file', async () => {
    const tenant = await createTestTenant('Bad Import Shop');
    const api = new DomApi(cloud().apiUrl, tenant.apiKey);
    const bad = await api.request<{ status: number; errors: Array<{ field: string; message: string }> }>('POST', '/demand-history', csvOf([
      `${daysAgo(2)},Good-SKU,L1,3`, `${daysAgo(1)},Good-SKU,L1,-1`, `2024-02-30,Good-SKU,L1,1`, `${daysAgo(1)},Bad#SKU,L1,1`, `${daysAgo(1)},Good-SKU,L1,two`,
    ]), { 'content-type': 'text/csv' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e) => e.field)).toEqual(['line 3.units', 'line 4.date', 'line 5.sku', 'line 6.units']);
    expect(await dynamoDemandStore.locationHistory(tenant.tenantId, 'Good-SKU')).toEqual([]);

    const json = await api.request<{ errors: Array<{ field: string }> }>('POST', '/demand-history', { rows: [{ date: daysAgo(1), sku: 'A', locationId: 'L', units: 1.5 }, { date: today(), sku: 'A', locationId: 'L', units: 1, extra: true }] });
    expect(json.status).toBe(422);
    expect(json.body.errors.map((e) => e.field)).toEqual(['rows[0].units', 'rows[1]']);
    const future = await api.request<{ errors: Array<{ field: string; message: string }> }>('POST', '/demand-history', { rows: [{ date: daysAgo(-2), sku: 'A', locationId: 'L', units: 1 }] });
    expect(future.status).toBe(422);
    expect(future.body.errors[0]!.field).toBe('rows[0].date');
    expect((await api.request('POST', '/demand-history', '{"rows": [', {})).status).toBe(400);
    expect((await api.request('POST', '/demand-history', 'date,sku,locationId,units\n', { 'content-type': 'text/csv' })).status).toBe(422);
    api.close();
  });

  it('takes 5,000 rows in one request and refuses 5,001', async () => {
    const tenant = await createTestTenant('Big Import Shop');
    const api = new DomApi(cloud().apiUrl, tenant.apiKey);
    const rows = (n: number) => Array.from({ length: n }, (_, i) => `${daysAgo(1 + (i % 500))},SKU-${Math.floor(i / 500)},L1,${i % 7}`);
    const started = Date.now();
    const ok = await api.request('POST', '/demand-history', csvOf(rows(5000)), { 'content-type': 'text/csv' });
    const ms = Date.now() - started;
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    console.info(`5,000-row import: ${ms} ms`);
    const tooMany = await api.request<{ errors: Array<{ field: string }> }>('POST', '/demand-history', csvOf(rows(5001).map((r) => r.replace(',L1,', ',L2,'))), { 'content-type': 'text/csv' });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.errors[0]!.field).toBe('rows');
    expect(await dynamoDemandStore.locationHistory(tenant.tenantId, 'SKU-0')).toHaveLength(1);
    api.close();
  }, 60_000);

  it('keeps each tenant\'s history to itself, and refuses a request without a key', async () => {
    const a = await createTestTenant('Tenant A');
    const b = await createTestTenant('Tenant B');
    await new DomApi(cloud().apiUrl, a.apiKey).ok('POST', '/demand-history', { rows: [{ date: daysAgo(1), sku: 'Shared-SKU', locationId: 'L', units: 9 }] });
    expect(await dynamoDemandStore.locationHistory(b.tenantId, 'Shared-SKU')).toEqual([]);
    expect((await new DomApi(cloud().apiUrl, a.apiKey).ok<{ locations: Array<{ total: number }> }>('GET', '/demand-history/Shared-SKU')).locations[0]!.total).toBe(9);
    expect((await new DomApi(cloud().apiUrl, b.apiKey).ok<{ locations: unknown[] }>('GET', '/demand-history/Shared-SKU')).locations).toEqual([]);
    expect((await new DomApi(cloud().apiUrl, 'dom_t_0000000000.nope').request('POST', '/demand-history', { rows: [] })).status).toBe(401);
  });
});
