// Rebalancing over HTTP on the local cloud (issue 18 part 5, "Done when"): sales history imported, the daily forecast
// workflow run, a regional imbalance (a New York store selling what a Los Angeles warehouse holds) becomes a transfer
// suggestion with its saving against the transfer cost; accepting it moves the units through in transit to on hand
// at the store. Accepting twice (also at once) is one transfer; bad input is named; tenants never see each other's.
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomApi } from '../../../infra/local/tools/api-client.ts';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { createTestTenant, eventually } from '../../../infra/local/tools/testing.ts';
import { expectMatchesContract } from '../../http/contract-validator.ts';

interface Suggestion {
  suggestionId: string;
  sku: string;
  fromLocationId: string;
  toLocationId: string;
  quantity: number;
  destination: { demand: number; available: number; inTransit: number; deficit: number };
  origin: { demand: number; available: number; surplus: number };
  expectedSaving: number;
  transferCost: number;
  netSaving: number;
  daysSavedPerOrder: number;
  transitDays: number;
}
interface Rebalancing {
  horizonDays: number;
  suggestions: Suggestion[];
}
interface TransferView {
  transferId: string;
  status: string;
  suggestionId?: string;
  expectedArrivalAt?: string;
  lines: Array<{ sku: string; quantity: number; received: number; inTransit: number }>;
}
type Problem = { errors?: Array<{ field: string }> };

const cloud = useTestCloud();
let api: DomApi;
let other: DomApi;
let sfnClient: SFNClient | undefined;
afterAll(() => {
  sfnClient?.destroy();
  api?.close();
  other?.close();
});

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** 84 days to yesterday: the New York store sells ~6 a day of TEE, Los Angeles ~1; BALANCED sells where it is held. */
function historyCsv(): string {
  const rows = ['date,sku,locationId,units'];
  for (let d = 84; d >= 1; d--) {
    rows.push(`${day(-d)},TEE,store.nyc,${5 + (d % 3)}`);
    rows.push(`${day(-d)},TEE,LA-WH,${d % 2}`);
    rows.push(`${day(-d)},BALANCED,store.nyc,2`);
    rows.push(`${day(-d)},BALANCED,LA-WH,2`);
  }
  return rows.join('\n');
}

async function runForecasts(tenantId: string): Promise<void> {
  const sfn = (sfnClient ??= new SFNClient({ endpoint: cloud().endpoints.sfn, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: cloud().stateMachineArns.demandForecast, name: `rebalancing-${tenantId}`, input: JSON.stringify({ tenantId, origin: day(-1), correlationId: 'test' }) }));
  const status = await eventually(async () => {
    const { status: s, error, cause } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return s === 'RUNNING' ? undefined : `${s} ${error ?? ''} ${cause ?? ''}`.trim();
  }, 90_000, 100);
  expect(status).toBe('SUCCEEDED');
}

const onHand = async (sku: string) => Object.fromEntries((await api.ok<{ locations: Array<{ locationId: string; onHand: number }> }>('GET', `/inventory/${sku}`)).locations.map((l) => [l.locationId, l.onHand]));
const checked = async <T>(client: DomApi, method: string, path: string, body?: unknown) => {
  const response = await client.request<T>(method, path, body);
  expectMatchesContract(method, path, response);
  return response;
};

beforeAll(async () => {
  const [a, b] = await Promise.all([createTestTenant('Rebalancing A'), createTestTenant('Rebalancing B')]);
  api = new DomApi(cloud().apiUrl, a.apiKey);
  other = new DomApi(cloud().apiUrl, b.apiKey);
  await api.ok('PUT', '/locations/LA-WH', { name: 'Los Angeles', type: 'warehouse', geo: { lat: 34.05, lon: -118.24 } });
  await api.ok('PUT', '/locations/store.nyc', { name: 'Chelsea', type: 'store', geo: { lat: 40.75, lon: -73.99 } });
  await api.ok('PUT', '/skus/TEE', { weightLb: 0.5 });
  await api.ok('PUT', '/skus/BALANCED', { weightLb: 0.5 });
  await api.ok('POST', '/demand-history', historyCsv(), { 'content-type': 'text/csv' });
  await api.ok('POST', '/inventory/adjustments', {
    adjustments: [
      { locationId: 'LA-WH', sku: 'TEE', set: 400 },
      { locationId: 'store.nyc', sku: 'TEE', set: 10 },
      { locationId: 'LA-WH', sku: 'BALANCED', set: 80 },
      { locationId: 'store.nyc', sku: 'BALANCED', set: 80 },
    ],
  });
  await runForecasts(a.tenantId);
}, 150_000);

describe('GET /rebalancing', () => {
  it('suggests moving the warehouse\'s surplus to the store that will run short, with the saving against the transfer cost', async () => {
    const response = await checked<Rebalancing>(api, 'GET', '/rebalancing');
    expect(response.status).toBe(200);
    expect(response.body.horizonDays).toBe(28);
    expect(response.body.suggestions).toHaveLength(1);
    const [suggestion] = response.body.suggestions;
    expect(suggestion).toMatchObject({ sku: 'TEE', fromLocationId: 'LA-WH', toLocationId: 'store.nyc' });
    // The store expects ~168 over 28 days and holds 10; Los Angeles ~14 and holds 400.
    expect(suggestion!.destination.demand).toBeGreaterThan(120);
    expect(suggestion!.destination.demand).toBeLessThan(220);
    expect(suggestion!.quantity).toBe(suggestion!.destination.deficit);
    expect(suggestion!.quantity).toBeLessThanOrEqual(suggestion!.origin.surplus);
    expect(suggestion!.netSaving).toBeCloseTo(suggestion!.expectedSaving - suggestion!.transferCost, 1);
    expect(suggestion!.netSaving).toBeGreaterThan(0);
    expect(suggestion!.daysSavedPerOrder).toBeGreaterThan(0);
    // A shorter horizon needs fewer units.
    const week = await api.ok<Rebalancing>('GET', '/rebalancing?horizonDays=7&sku=TEE');
    expect(week.suggestions[0]!.quantity).toBeLessThan(suggestion!.quantity);
  });

  it('refuses bad input naming the field, and shows a tenant nothing of another\'s', async () => {
    expect(((await checked<Problem>(api, 'GET', '/rebalancing?horizonDays=0')).body.errors ?? []).map((e) => e.field)).toEqual(['query.horizonDays']);
    expect(((await checked<Problem>(api, 'GET', '/rebalancing?horizonDays=91&sku=a%23b')).body.errors ?? []).map((e) => e.field).sort()).toEqual(['query.horizonDays', 'query.sku']);
    expect((await api.ok<Rebalancing>('GET', '/rebalancing?horizonDays=90')).suggestions.length).toBe(1);
    expect((await other.ok<Rebalancing>('GET', '/rebalancing')).suggestions).toEqual([]);
  });
});

describe('accepting a suggestion', () => {
  it('creates its transfer once, however often it is accepted, and the units go from in transit to on hand at the store', async () => {
    const [suggestion] = (await api.ok<Rebalancing>('GET', '/rebalancing')).suggestions;
    const { suggestionId, quantity } = suggestion!;
    expect((await other.request('POST', `/rebalancing/${suggestionId}/accept`)).status).toBe(404);

    const accepts = await Promise.all([1, 2].map(() => api.request<{ transfer: TransferView }>('POST', `/rebalancing/${suggestionId}/accept`)));
    expect(accepts.map((r) => r.status).sort()).toEqual([200, 201]);
    for (const accepted of accepts) expectMatchesContract('POST', `/rebalancing/${suggestionId}/accept`, accepted);
    const { transfer } = accepts.find((r) => r.status === 201)!.body;
    expect(transfer).toMatchObject({ transferId: suggestionId, suggestionId, status: 'REQUESTED', lines: [{ sku: 'TEE', quantity, inTransit: quantity }] });
    expect(transfer.expectedArrivalAt).toBeDefined();
    expect(await onHand('TEE')).toEqual({ 'LA-WH': 400 - quantity, 'store.nyc': 10 });

    // In transit counts: the store's deficit is covered, so nothing is suggested any more; accepting again is the same transfer.
    expect((await api.ok<Rebalancing>('GET', '/rebalancing')).suggestions).toEqual([]);
    const again = await checked<{ transfer: TransferView }>(api, 'POST', `/rebalancing/${suggestionId}/accept`);
    expect(again.status).toBe(200);
    expect(again.body.transfer.transferId).toBe(suggestionId);

    await api.ok('POST', `/transfers/${suggestionId}/ship`, { carrier: 'ups' });
    const received = await api.ok<TransferView>('POST', `/transfers/${suggestionId}/receive`);
    expect(received.status).toBe('RECEIVED');
    expect(await onHand('TEE')).toEqual({ 'LA-WH': 400 - quantity, 'store.nyc': 10 + quantity });
    // Suggestions read the SKU network projection (the router's view), which follows the stock within moments.
    await eventually(async () => ((await api.ok<Rebalancing>('GET', '/rebalancing')).suggestions.length === 0 ? true : undefined), 10_000);
  });

  it('of a suggestion that does not hold (any more) is a 404', async () => {
    expect((await checked(api, 'POST', '/rebalancing/rb-20260101-nosuch/accept')).status).toBe(404);
    expect((await checked<Problem>(api, 'POST', '/rebalancing/bad%23id/accept')).status).toBe(422);
  });
});
