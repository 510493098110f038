import { DescribeExecutionCommand, ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import { DomApi } from '../../../infra/local/tools/api-client.ts';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { createTestTenant, eventually } from '../../../infra/local/tools/testing.ts';
import { dynamoForecastStore } from '#adapters/dynamodb/demand-store';

/**
 * The daily forecast run on the local cloud (issue 18 part 6): the demand-forecast state machine, its distributed Map
 * run inline, forecasts stored and served by GET /forecasts/{sku}; and the schedule that starts it for every tenant.
 */
const cloud = useTestCloud();
let sfnClient: SFNClient | undefined;
const sfn = () => (sfnClient ??= new SFNClient({ endpoint: cloud().endpoints.sfn, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
afterAll(() => sfnClient?.destroy());

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const origin = day(-1);

/** 84 days to yesterday: a weekly rhythm at two locations for a few SKUs (odd-but-valid ids included). */
function historyCsv(skus: string[]): string {
  const rows = ['date,sku,locationId,units'];
  skus.forEach((sku, k) => {
    for (let d = 84; d >= 1; d--) {
      const weekday = new Date(Date.now() - d * 86_400_000).getUTCDay();
      rows.push(`${day(-d)},${sku},brooklyn-wh,${(weekday === 6 ? 9 : 4) + k}`);
      if (d % 3 === 0) rows.push(`${day(-d)},${sku},Olean.WH,${1 + (d % 2)}`);
    }
  });
  return rows.join('\n');
}

async function runToEnd(name: string, input: Record<string, unknown>): Promise<string> {
  const { executionArn } = await sfn().send(new StartExecutionCommand({ stateMachineArn: cloud().stateMachineArns.demandForecast, name, input: JSON.stringify(input) }));
  return eventually(async () => {
    const { status, error, cause } = await sfn().send(new DescribeExecutionCommand({ executionArn }));
    if (status === 'RUNNING') return undefined;
    return status === 'SUCCEEDED' ? status : `${status}: ${error} ${cause}`;
  }, 60_000, 100);
}

interface ForecastView {
  sku: string;
  origin: string;
  total: number[];
  locations: Array<{ locationId: string; origin: string; daily: number[]; leadTimeDays: number; serviceLevel: number; leadTimeDemand: number; reorderPoint: number; safetyStock: number }>;
}

describe('the daily demand forecast', () => {
  it('forecasts every SKU with history in a workflow run and serves forecasts and reorder points per location', async () => {
    const tenant = await createTestTenant('Forecast Shop');
    const api = new DomApi(cloud().apiUrl, tenant.apiKey);
    const skus = ['TEE-BLK-M', 'Mug.Blue', 'cap:red'];
    await api.ok('POST', '/demand-history', historyCsv(skus), { 'content-type': 'text/csv' });

    expect(await runToEnd(`manual-${tenant.tenantId}`, { tenantId: tenant.tenantId, origin, correlationId: 'test' })).toBe('SUCCEEDED');

    for (const sku of skus) {
      const forecast = await api.request<ForecastView>('GET', `/forecasts/${encodeURIComponent(sku)}`);
      expect(forecast.status, JSON.stringify(forecast.body)).toBe(200);
      expect(forecast.body.origin).toBe(origin);
      expect(forecast.body.total).toHaveLength(28);
      expect(forecast.body.locations.map((l) => l.locationId).sort()).toEqual(['Olean.WH', 'brooklyn-wh']);
      for (const location of forecast.body.locations) {
        expect(location.daily).toHaveLength(28);
        expect(location.daily.every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
        expect([location.leadTimeDays, location.serviceLevel]).toEqual([7, 0.95]);
        expect(location.reorderPoint).toBeGreaterThanOrEqual(location.leadTimeDemand * 0.8);
        expect(location.safetyStock).toBeCloseTo(location.reorderPoint - location.leadTimeDemand, 3);
      }
      forecast.body.total.forEach((x, j) => expect(forecast.body.locations.reduce((s, l) => s + l.daily[j]!, 0)).toBeCloseTo(x, 2));
    }
    // Brooklyn sells ~5 a day: a week's demand and a reorder point in that range.
    const brooklyn = (await api.ok<ForecastView>('GET', '/forecasts/TEE-BLK-M?locationId=brooklyn-wh')).locations;
    expect(brooklyn).toHaveLength(1);
    expect(brooklyn[0]!.leadTimeDemand).toBeGreaterThan(25);
    expect(brooklyn[0]!.leadTimeDemand).toBeLessThan(45);

    // What replenishment and rebalancing read: every forecast of the tenant, paged, or one location's.
    const first = await dynamoForecastStore.list(tenant.tenantId, { limit: 4 });
    const rest = await dynamoForecastStore.list(tenant.tenantId, { limit: 4, after: first.next });
    expect(rest.next).toBeUndefined();
    expect([...first.items, ...rest.items].map((f) => `${f.sku}@${f.locationId}`)).toEqual([
      'Mug.Blue@Olean.WH', 'Mug.Blue@brooklyn-wh', 'TEE-BLK-M@Olean.WH', 'TEE-BLK-M@brooklyn-wh', 'cap:red@Olean.WH', 'cap:red@brooklyn-wh',
    ]);
    const olean = await dynamoForecastStore.list(tenant.tenantId, { locationId: 'Olean.WH' });
    expect(olean.items.map((f) => [f.sku, f.origin, f.daily.length])).toEqual([['Mug.Blue', origin, 28], ['TEE-BLK-M', origin, 28], ['cap:red', origin, 28]]);
    expect(Object.keys(olean.items[0]!).sort()).toEqual(['daily', 'generatedAt', 'historyDays', 'leadTimeDays', 'leadTimeDemand', 'locationId', 'origin', 'reorderPoint', 'runId', 'safetyStock', 'serviceLevel', 'sku', 'tenantId']);
    expect((await dynamoForecastStore.list('t_0000000000', {})).items).toEqual([]);
    api.close();
  }, 90_000);

  it('answers 404 for a SKU or location without a forecast, and another tenant\'s SKU is unknown', async () => {
    const a = await createTestTenant('Forecast A');
    const b = await createTestTenant('Forecast B');
    const apiA = new DomApi(cloud().apiUrl, a.apiKey);
    const apiB = new DomApi(cloud().apiUrl, b.apiKey);
    await apiA.ok('POST', '/demand-history', historyCsv(['ONLY-A']), { 'content-type': 'text/csv' });
    expect(await runToEnd(`manual-${a.tenantId}`, { tenantId: a.tenantId, origin, correlationId: 'test' })).toBe('SUCCEEDED');

    expect((await apiA.request('GET', '/forecasts/ONLY-A')).status).toBe(200);
    expect((await apiA.request('GET', '/forecasts/NO-SUCH-SKU')).status).toBe(404);
    expect((await apiA.request('GET', '/forecasts/ONLY-A?locationId=nowhere')).status).toBe(404);
    expect((await apiA.request('GET', '/forecasts/ONLY-A?locationId=bad%23id')).status).toBe(422);
    expect((await apiB.request('GET', '/forecasts/ONLY-A')).status).toBe(404);
    apiA.close();
    apiB.close();
  }, 90_000);

  it('keeps the settings a tenant stored: a lead time per location and a service level', async () => {
    const tenant = await createTestTenant('Lead Time Shop');
    const api = new DomApi(cloud().apiUrl, tenant.apiKey);
    await api.ok('POST', '/demand-history', historyCsv(['TEE-BLK-M']), { 'content-type': 'text/csv' });
    await dynamoForecastStore.putSettings(tenant.tenantId, { horizonDays: 14, leadTimeDays: 7, serviceLevel: 0.9, locationLeadTimeDays: { 'Olean.WH': 21 } });
    expect(await runToEnd(`manual-${tenant.tenantId}`, { tenantId: tenant.tenantId, origin, correlationId: 'test' })).toBe('SUCCEEDED');
    const forecast = await api.ok<ForecastView>('GET', '/forecasts/TEE-BLK-M');
    expect(forecast.total).toHaveLength(14);
    expect(Object.fromEntries(forecast.locations.map((l) => [l.locationId, [l.leadTimeDays, l.serviceLevel]]))).toEqual({ 'brooklyn-wh': [7, 0.9], 'Olean.WH': [21, 0.9] });
    api.close();
  }, 90_000);

  it('is started once a day per tenant by the schedule: a second run of the schedule starts nothing new', async () => {
    const tenant = await createTestTenant('Scheduled Shop');
    const api = new DomApi(cloud().apiUrl, tenant.apiKey);
    await api.ok('POST', '/demand-history', historyCsv(['SCHEDULED-SKU']), { 'content-type': 'text/csv' });

    const first = (await cloud().runSchedule('demandForecasts')) as { origin: string; started: number; alreadyStarted: number; failed: number };
    expect(first.origin).toBe(origin);
    expect(first.failed).toBe(0);
    expect(first.started).toBeGreaterThanOrEqual(1);
    const forecast = await eventually(async () => {
      const answer = await api.request<ForecastView>('GET', '/forecasts/SCHEDULED-SKU');
      return answer.status === 200 ? answer.body : undefined;
    }, 60_000, 100);
    expect(forecast.origin).toBe(origin);

    const second = (await cloud().runSchedule('demandForecasts')) as { started: number; alreadyStarted: number };
    expect(second.started).toBe(0);
    expect(second.alreadyStarted).toBe(first.started + first.alreadyStarted);
    await expect(sfn().send(new StartExecutionCommand({ stateMachineArn: cloud().stateMachineArns.demandForecast, name: `${tenant.tenantId}-${origin}`, input: '{}' }))).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    api.close();
  }, 120_000);
});
