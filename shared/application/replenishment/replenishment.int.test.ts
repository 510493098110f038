import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomApi } from '../../../infra/local/tools/api-client.ts';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { createTestTenant, eventually } from '../../../infra/local/tools/testing.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../../infra/local/tools/webhook-receiver.ts';
import { dynamoForecastStore } from '#adapters/dynamodb/demand-store';
import { dynamoReorderStateStore } from '#adapters/dynamodb/replenishment-store';
import type { StoredForecast } from '#domain/demand/forecast-run';

/**
 * Replenishment over HTTP on the local cloud (issue 18 part 4): reorder suggestions from stored forecasts and live
 * stock, ReorderSuggested once per crossing (to a webhook), inbound stock on order and received on hand.
 */
// Webhooks registered by a test are read fresh by the fan-out, not from its 5 s cache.
process.env.WEBHOOK_SUBSCRIPTION_CACHE_MS = '0';
const cloud = useTestCloud();
let receiver: WebhookReceiver;
let sfnClient: SFNClient | undefined;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver?.close();
  sfnClient?.destroy();
});

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const warehouse = { name: 'Brooklyn DC', type: 'warehouse', geo: { lat: 40.68, lon: -73.94 } };
const fields = (body: unknown) => ((body as { errors?: Array<{ field: string }> }).errors ?? []).map((e) => e.field);

interface Suggestion {
  sku: string;
  locationId: string;
  status: string;
  available: number;
  onOrder: number;
  position: number;
  reorderPoint: number;
  orderUpTo: number;
  suggestedQuantity: number;
}
interface Page {
  items: Suggestion[];
  next?: string;
}
interface Delivered {
  type: string;
  data: Record<string, unknown>;
}

/** A tenant with a location, a webhook for replenishment's events at its own path, and its API. */
async function shop(name: string) {
  const tenant = await createTestTenant(name);
  const api = new DomApi(cloud().apiUrl, tenant.apiKey);
  await api.ok('PUT', '/locations/brooklyn-wh', warehouse);
  await api.ok('POST', '/webhooks', { url: `${receiver.url}/${tenant.tenantId}`, events: ['ReorderSuggested', 'InboundCreated', 'InboundReceived'] });
  const events = (type: string) =>
    receiver.received
      .filter((r) => r.path === `/${tenant.tenantId}`)
      .map((r) => JSON.parse(r.body) as Delivered)
      .filter((e) => e.type === type);
  return { tenant, api, events };
}

/** A stored forecast as the daily run writes it: `perDay` units a day for 28 days, lead time 7. */
async function forecast(tenantId: string, sku: string, reorderPoint: number, perDay: number, locationId = 'brooklyn-wh') {
  const f: StoredForecast = {
    tenantId, sku, locationId, origin: day(-1), daily: Array(28).fill(perDay), leadTimeDays: 7, serviceLevel: 0.95, leadTimeDemand: 7 * perDay,
    reorderPoint, safetyStock: reorderPoint - 7 * perDay, historyDays: 120, runId: 'test', generatedAt: new Date().toISOString(),
  };
  await dynamoForecastStore.put({ locations: [f], skus: [] });
}

const adjust = (api: DomApi, sku: string, change: { set?: number; delta?: number }) => api.ok('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'brooklyn-wh', sku, ...change }] });
const below = async (api: DomApi) => (await api.ok<Page>('GET', '/replenishment?status=below-reorder')).items;
const suggestionOf = async (api: DomApi, sku: string) => (await api.ok<Page>('GET', '/replenishment?status=all&limit=100')).items.find((s) => s.sku === sku);
const onHand = async (api: DomApi, sku: string) => (await api.ok<{ locations: Array<{ onHand: number }> }>('GET', `/inventory/${sku}`)).locations[0]?.onHand ?? 0;

describe('reorder suggestions', () => {
  it('fire when available stock reaches the reorder point exactly, once per crossing, and rearm above it', async () => {
    const { tenant, api, events } = await shop('Reorder Shop');
    await adjust(api, 'TEE-BLK-M', { set: 11 });
    await forecast(tenant.tenantId, 'TEE-BLK-M', 10, 1); // reorder point 10, order up to 10 + 7
    // One above the reorder point: assessed (from the forecast written) and not below.
    await eventually(async () => ((await suggestionOf(api, 'TEE-BLK-M'))?.position === 11 ? true : undefined));
    expect(await below(api)).toEqual([]);

    await adjust(api, 'TEE-BLK-M', { delta: -1 });
    const [suggestion] = await eventually(async () => ((await below(api)).length ? below(api) : undefined));
    expect(suggestion).toMatchObject({ sku: 'TEE-BLK-M', locationId: 'brooklyn-wh', status: 'below-reorder', available: 10, onOrder: 0, position: 10, reorderPoint: 10, orderUpTo: 17, suggestedQuantity: 7 });
    const [event] = await eventually(async () => (events('ReorderSuggested').length ? events('ReorderSuggested') : undefined), 20_000);
    expect(event!.data).toMatchObject({ sku: 'TEE-BLK-M', locationId: 'brooklyn-wh', available: 10, position: 10, reorderPoint: 10, orderUpTo: 17, suggestedQuantity: 7, crossing: 1 });

    // Further down: still one crossing. Back above and down again: a second one.
    await adjust(api, 'TEE-BLK-M', { delta: -1 });
    await adjust(api, 'TEE-BLK-M', { delta: 5 });
    await eventually(async () => ((await below(api)).length === 0 ? true : undefined));
    // The live view is ahead of the stream: rearming is the stream's state leaving `below` (it assesses what is stored
    // when it reads, so a drop that lands before it has seen the rise is the same crossing, not a second one).
    await eventually(async () => ((await dynamoReorderStateStore.getMany(tenant.tenantId, [{ sku: 'TEE-BLK-M', locationId: 'brooklyn-wh' }])).get('TEE-BLK-M brooklyn-wh')?.below === false ? true : undefined), 20_000);
    expect(events('ReorderSuggested')).toHaveLength(1);
    await adjust(api, 'TEE-BLK-M', { set: 3 });
    const second = await eventually(async () => (events('ReorderSuggested').length === 2 ? events('ReorderSuggested')[1] : undefined), 20_000);
    expect(second!.data).toMatchObject({ available: 3, suggestedQuantity: 14, crossing: 2 });
  });

  it('fire once when stock changes at once cross the reorder point together', async () => {
    const { tenant, api, events } = await shop('Racing Reorder Shop');
    await adjust(api, 'MUG', { set: 13 });
    await forecast(tenant.tenantId, 'MUG', 10, 1);
    await eventually(async () => ((await suggestionOf(api, 'MUG'))?.position === 13 ? true : undefined));
    // Four units sold at once, from 13 to 9: the position passes 10 once.
    await Promise.all([0, 1, 2, 3].map(() => adjust(api, 'MUG', { delta: -1 })));
    await eventually(async () => (events('ReorderSuggested').length ? true : undefined), 20_000);
    // A later movement that stays below is assessed too: still one event.
    await adjust(api, 'MUG', { delta: -1 });
    await eventually(async () => ((await below(api))[0]?.available === 8 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(events('ReorderSuggested').map((e) => e.data.crossing)).toEqual([1]);
  });

  it('come from a daily forecast run: a SKU with demand and no stock is listed with its order-up-to quantity', async () => {
    const { tenant, api } = await shop('Forecast Reorder Shop');
    const rows = ['date,sku,locationId,units'];
    for (let d = 84; d >= 1; d--) rows.push(`${day(-d)},Mug.Blue,brooklyn-wh,${d % 7 === 0 ? 9 : 4}`);
    await api.ok('POST', '/demand-history', rows.join('\n'), { 'content-type': 'text/csv' });
    await adjust(api, 'Mug.Blue', { set: 2 });
    // The lead time set through the API is the one the run computes the reorder point for.
    await api.ok('PUT', '/replenishment/settings', { serviceLevel: 0.9, leadTimeDays: 7, locationLeadTimeDays: { 'brooklyn-wh': 5 } });

    sfnClient ??= new SFNClient({ endpoint: cloud().endpoints.sfn, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const { executionArn } = await sfnClient.send(new StartExecutionCommand({ stateMachineArn: cloud().stateMachineArns.demandForecast, name: `repl-${tenant.tenantId}`, input: JSON.stringify({ tenantId: tenant.tenantId, origin: day(-1), correlationId: 'test' }) }));
    const status = await eventually(async () => {
      const { status } = await sfnClient!.send(new DescribeExecutionCommand({ executionArn }));
      return status === 'RUNNING' ? undefined : status;
    }, 60_000, 200);
    expect(status).toBe('SUCCEEDED');

    const [suggestion] = await eventually(async () => ((await below(api)).length ? below(api) : undefined), 20_000);
    const stored = (await api.ok<{ locations: Array<{ reorderPoint: number; leadTimeDays: number; serviceLevel: number }> }>('GET', '/forecasts/Mug.Blue')).locations[0]!;
    expect([stored.leadTimeDays, stored.serviceLevel]).toEqual([5, 0.9]);
    expect(suggestion).toMatchObject({ sku: 'Mug.Blue', available: 2, reorderPoint: stored.reorderPoint, leadTimeDays: 5, serviceLevel: 0.9 });
    // ~5 a day: a week's demand beyond the lead time on top of the reorder point.
    expect(suggestion!.orderUpTo - suggestion!.reorderPoint).toBeGreaterThan(25);
    expect(suggestion!.orderUpTo - suggestion!.reorderPoint).toBeLessThan(50);
    expect(suggestion!.suggestedQuantity).toBe(suggestion!.orderUpTo - 2);
  });

  it('follow the review period at once and show the settings set through the API', async () => {
    const { tenant, api } = await shop('Settings Shop');
    expect(await api.ok('GET', '/replenishment/settings')).toEqual({ horizonDays: 28, leadTimeDays: 7, serviceLevel: 0.95, reviewDays: 7 });
    await forecast(tenant.tenantId, 'CAP-RED', 10, 1);
    expect(await suggestionOf(api, 'CAP-RED')).toMatchObject({ reorderPoint: 10, orderUpTo: 17 });
    const settings = { serviceLevel: 0.98, leadTimeDays: 5, locationLeadTimeDays: { 'Olean.WH': 12, 'brooklyn-wh': 3 }, reviewDays: 14 };
    expect(await api.ok('PUT', '/replenishment/settings', settings)).toEqual({ ...settings, horizonDays: 28 });
    expect(await api.ok('GET', '/replenishment/settings')).toEqual({ ...settings, horizonDays: 28 });
    expect(await suggestionOf(api, 'CAP-RED')).toMatchObject({ reorderPoint: 10, orderUpTo: 24, status: 'below-reorder', suggestedQuantity: 24 });
  });
});

describe('inbound stock', () => {
  it('counts against the suggestion while on order and becomes on hand on receipt, once per receipt id', async () => {
    const { tenant, api, events } = await shop('Inbound Shop');
    await adjust(api, 'TEE', { set: 4 });
    await forecast(tenant.tenantId, 'TEE', 10, 1); // order up to 17
    await eventually(async () => ((await below(api)).length ? true : undefined));

    const po1 = { inboundId: 'PO-1', locationId: 'brooklyn-wh', expectedAt: day(5), supplierId: 'acme', lines: [{ sku: 'TEE', quantity: 5 }] };
    const created = await api.request<{ status: string; lines: unknown[] }>('POST', '/inbound', po1);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ inboundId: 'PO-1', status: 'OPEN', lines: [{ sku: 'TEE', expected: 5, received: 0, onOrder: 5 }] });
    // The same creation again (a retry): the stored inbound, nothing on order twice.
    const retried = await api.request('POST', '/inbound', po1);
    expect([retried.status, retried.body]).toEqual([200, created.body]);
    expect((await below(api))[0]).toMatchObject({ sku: 'TEE', available: 4, onOrder: 5, position: 9, suggestedQuantity: 8 });

    // Enough on order: no longer below (the stream clears it), nothing ordered twice.
    await api.ok('POST', '/inbound', { inboundId: 'PO-2', locationId: 'brooklyn-wh', expectedAt: `${day(3)}T09:00:00Z`, lines: [{ sku: 'TEE', quantity: 8 }] });
    await eventually(async () => ((await below(api)).length === 0 ? true : undefined));
    expect(await suggestionOf(api, 'TEE')).toMatchObject({ status: 'ok', onOrder: 13, position: 17, suggestedQuantity: 0 });

    // A partial receipt: on hand at once, off order by as much.
    const receipt = { receiptId: 'DN-1', lines: [{ sku: 'TEE', quantity: 6 }] };
    const received = await api.request<{ applied: boolean; inbound: { status: string; lines: unknown[] } }>('POST', '/inbound/PO-2/receive', receipt);
    expect(received.status).toBe(200);
    expect(received.body).toMatchObject({ applied: true, inbound: { status: 'PARTIALLY_RECEIVED', lines: [{ sku: 'TEE', expected: 8, received: 6, onOrder: 2 }] } });
    expect(await onHand(api, 'TEE')).toBe(10);
    expect(await suggestionOf(api, 'TEE')).toMatchObject({ available: 10, onOrder: 7, position: 17 });
    // The same receipt again: answered as recorded, nothing received twice.
    const again = await api.request<{ applied: boolean }>('POST', '/inbound/PO-2/receive', receipt);
    expect([again.status, again.body.applied]).toEqual([200, false]);
    expect(await onHand(api, 'TEE')).toBe(10);
    expect(await api.ok('GET', '/inbound/PO-2')).toMatchObject({ status: 'PARTIALLY_RECEIVED', receipts: [{ receiptId: 'DN-1' }] });

    await eventually(async () => (events('InboundCreated').length === 2 && events('InboundReceived').length === 1 ? true : undefined), 20_000);
    expect(events('InboundReceived')[0]!.data).toMatchObject({ inboundId: 'PO-2', receiptId: 'DN-1', status: 'PARTIALLY_RECEIVED', lines: [{ sku: 'TEE', quantity: 6, received: 6, expected: 8 }] });
  });

  it('never receives beyond expected plus tolerance, even with two receipts at once', async () => {
    const { api } = await shop('Race Shop');
    // 10 expected, 10 %: at most 11 in all.
    await api.ok('POST', '/inbound', { inboundId: 'ASN-7', locationId: 'brooklyn-wh', expectedAt: day(2), tolerancePercent: 10, lines: [{ sku: 'SOCK', quantity: 10 }] });
    const [a, b] = await Promise.all([
      api.request('POST', '/inbound/ASN-7/receive', { receiptId: 'A', lines: [{ sku: 'SOCK', quantity: 6 }] }),
      api.request('POST', '/inbound/ASN-7/receive', { receiptId: 'B', lines: [{ sku: 'SOCK', quantity: 6 }] }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 422]);
    expect(fields([a, b].find((r) => r.status === 422)!.body)).toEqual(['lines[0].quantity']);
    expect(await onHand(api, 'SOCK')).toBe(6);
    // Exactly at the bound: 5 more makes 11.
    expect((await api.request('POST', '/inbound/ASN-7/receive', { receiptId: 'C', lines: [{ sku: 'SOCK', quantity: 5 }] })).status).toBe(200);
    expect(await api.ok('GET', '/inbound/ASN-7')).toMatchObject({ status: 'RECEIVED', lines: [{ expected: 10, received: 11, onOrder: 0 }] });
    expect(await onHand(api, 'SOCK')).toBe(11);

    // The same receipt twice at once: received once.
    await api.ok('POST', '/inbound', { inboundId: 'ASN-8', locationId: 'brooklyn-wh', expectedAt: day(2), lines: [{ sku: 'SOCK', quantity: 4 }] });
    const twice = await Promise.all([0, 1].map(() => api.request<{ applied: boolean }>('POST', '/inbound/ASN-8/receive', { receiptId: 'D', lines: [{ sku: 'SOCK', quantity: 4 }] })));
    expect(twice.map((r) => r.status)).toEqual([200, 200]);
    expect(twice.map((r) => r.body.applied).sort()).toEqual([false, true]);
    expect(await onHand(api, 'SOCK')).toBe(15);
  });

  it('takes and receives an inbound of 49 lines, the most one transaction holds, in one go', async () => {
    const { api } = await shop('Big Inbound Shop');
    const lines = Array.from({ length: 49 }, (_, i) => ({ sku: `SKU.${String(i).padStart(2, '0')}`, quantity: 2 }));
    expect((await api.request('POST', '/inbound', { inboundId: 'PO-BIG', locationId: 'brooklyn-wh', expectedAt: day(1), lines })).status).toBe(201);
    const received = await api.request<{ inbound: { status: string } }>('POST', '/inbound/PO-BIG/receive', { receiptId: 'ALL', lines });
    expect([received.status, received.body.inbound.status]).toEqual([200, 'RECEIVED']);
    expect(await onHand(api, 'SKU.00')).toBe(2);
    expect(await onHand(api, 'SKU.48')).toBe(2);
  });

  it.each([
    ['no location', { expectedAt: '2026-12-10', lines: [{ sku: 'TEE', quantity: 1 }] }, ['locationId']],
    ['a quantity of 0', { locationId: 'brooklyn-wh', expectedAt: '2026-12-10', lines: [{ sku: 'TEE', quantity: 0 }] }, ['lines[0].quantity']],
    ['a fractional quantity', { locationId: 'brooklyn-wh', expectedAt: '2026-12-10', lines: [{ sku: 'TEE', quantity: 1.5 }] }, ['lines[0].quantity']],
    ['no lines', { locationId: 'brooklyn-wh', expectedAt: '2026-12-10', lines: [] }, ['lines']],
    ['50 lines', { locationId: 'brooklyn-wh', expectedAt: '2026-12-10', lines: Array.from({ length: 50 }, (_, i) => ({ sku: `S${i}`, quantity: 1 })) }, ['lines']],
    ['a date that is not one', { locationId: 'brooklyn-wh', expectedAt: 'next tuesday', lines: [{ sku: 'TEE', quantity: 1 }] }, ['expectedAt']],
    ['a tolerance above 100 %', { locationId: 'brooklyn-wh', expectedAt: '2026-12-10', tolerancePercent: 101, lines: [{ sku: 'TEE', quantity: 1 }] }, ['tolerancePercent']],
    ['an id with a #', { inboundId: 'PO#1', locationId: 'brooklyn-wh', expectedAt: '2026-12-10', lines: [{ sku: 'TEE', quantity: 1 }] }, ['inboundId']],
    ['a SKU twice', { locationId: 'brooklyn-wh', expectedAt: '2026-12-10', lines: [{ sku: 'TEE', quantity: 1 }, { sku: 'TEE', quantity: 2 }] }, ['lines[1].sku']],
    ['an unknown location', { locationId: 'nowhere', expectedAt: '2026-12-10', lines: [{ sku: 'TEE', quantity: 1 }] }, ['locationId']],
  ])('refuses an inbound with %s: a 422 naming the field, nothing written', async (_, body, expected) => {
    const { tenant, api } = await shop('Bad Inbound Shop');
    await forecast(tenant.tenantId, 'TEE', 10, 1);
    const response = await api.request('POST', '/inbound', body);
    expect(response.status).toBe(422);
    expect(fields(response.body)).toEqual(expected);
    expect(await suggestionOf(api, 'TEE')).toMatchObject({ onOrder: 0 });
  });

  it('answers bad receipts, settings and queries with 4xx naming the field', async () => {
    const { api } = await shop('Bad Receipt Shop');
    await api.ok('POST', '/inbound', { inboundId: 'PO-9', locationId: 'brooklyn-wh', expectedAt: '2026-12-10', lines: [{ sku: 'TEE', quantity: 3 }] });
    const cases: Array<[string, string, unknown, number, string[]]> = [
      ['POST', '/inbound', { inboundId: 'PO-9', locationId: 'brooklyn-wh', expectedAt: '2026-12-10', lines: [{ sku: 'TEE', quantity: 4 }] }, 409, ['inboundId']],
      ['POST', '/inbound/PO-9/receive', { lines: [{ sku: 'TEE', quantity: 1 }] }, 422, ['receiptId']],
      ['POST', '/inbound/PO-9/receive', { receiptId: 'R', lines: [{ sku: 'MUG', quantity: 1 }] }, 422, ['lines[0].sku']],
      ['POST', '/inbound/PO-9/receive', { receiptId: 'R', lines: [{ sku: 'TEE', quantity: 4 }] }, 422, ['lines[0].quantity']],
      ['POST', '/inbound/PO-404/receive', { receiptId: 'R', lines: [{ sku: 'TEE', quantity: 1 }] }, 404, []],
      ['GET', '/inbound/PO-404', undefined, 404, []],
      ['GET', '/replenishment?status=low', undefined, 422, ['query.status']],
      ['GET', '/replenishment?limit=101', undefined, 422, ['query.limit']],
      ['GET', '/replenishment?cursor=bm90LWEtY3Vyc29y', undefined, 400, ['query.cursor']],
      ['GET', '/replenishment?status=all&cursor=bm90LWEtY3Vyc29y', undefined, 400, ['query.cursor']],
      ['PUT', '/replenishment/settings', { serviceLevel: 1, leadTimeDays: 7 }, 422, ['serviceLevel']],
      ['PUT', '/replenishment/settings', { serviceLevel: 0.95, leadTimeDays: 0, reviewDays: 366 }, 422, ['leadTimeDays', 'reviewDays']],
      ['PUT', '/replenishment/settings', { serviceLevel: 0.95, leadTimeDays: 7, locationLeadTimeDays: { 'brooklyn-wh': 2.5 } }, 422, ['locationLeadTimeDays.brooklyn-wh']],
    ];
    for (const [method, path, body, status, expected] of cases) {
      const response = await api.request(method, path, body);
      expect([method, path, response.status], JSON.stringify(response.body)).toEqual([method, path, status]);
      if (expected.length) expect(fields(response.body)).toEqual(expected);
    }
    expect(await api.ok('GET', '/inbound/PO-9')).toMatchObject({ receipts: [], lines: [{ received: 0 }] });
    expect((await new DomApi(cloud().apiUrl, 'not-a-key').request('GET', '/replenishment')).status).toBe(401);
  });

  it('is the admin key\'s: a key scoped to the location gets 403', async () => {
    const { api } = await shop('Scoped Inbound Shop');
    const { apiKey } = await api.ok<{ apiKey: string }>('POST', '/api-keys', { name: 'Brooklyn dock', scope: { locationIds: ['brooklyn-wh'] } });
    const dock = new DomApi(cloud().apiUrl, apiKey);
    expect((await dock.request('POST', '/inbound', { locationId: 'brooklyn-wh', expectedAt: '2026-12-10', lines: [{ sku: 'TEE', quantity: 1 }] })).status).toBe(403);
    expect((await dock.request('GET', '/replenishment')).status).toBe(403);
    dock.close();
  });

  it('keeps tenants apart: another tenant can neither see nor receive an inbound, nor see suggestions', async () => {
    const a = await shop('Tenant A');
    const b = await shop('Tenant B');
    await a.api.ok('POST', '/inbound', { inboundId: 'PO-1', locationId: 'brooklyn-wh', expectedAt: '2026-12-10', lines: [{ sku: 'TEE', quantity: 3 }] });
    await forecast(a.tenant.tenantId, 'TEE', 10, 1);
    expect((await b.api.request('GET', '/inbound/PO-1')).status).toBe(404);
    expect((await b.api.request('POST', '/inbound/PO-1/receive', { receiptId: 'X', lines: [{ sku: 'TEE', quantity: 1 }] })).status).toBe(404);
    expect((await b.api.ok<Page>('GET', '/replenishment?status=all')).items).toEqual([]);
    expect((await a.api.ok<Page>('GET', '/replenishment?status=all')).items.map((s) => s.sku)).toEqual(['TEE']);
  });
});
