// The local gateway's request limit per API key, the emulation of the deployed WAF rule: a tenant over its limit is
// answered 429 (the THROTTLED problem, as API Gateway answers a WAF block) while other tenants are served as usual.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayResponseBody } from '../../../shared/http/gateway-responses.ts';
import { PROBLEM_CONTENT_TYPE } from '../../../shared/http/problem.ts';
import { topology } from '../../topology.ts';
import { DomApi } from '../tools/api-client.ts';
import { startLocalApiGateway, type ApiKeyRateLimit, type LocalApiGateway } from './index.ts';
import type { LocalCloud } from '../cloud.ts';
import { LocalLambdaRuntime } from '../lambda/lambda-runtime.ts';
import { createTestTenant, startTestCloud } from '../tools/testing.ts';

const LIMIT = 10;
let cloud: LocalCloud;
const runtime = new LocalLambdaRuntime();
const gateways: LocalApiGateway[] = [];
const clients: DomApi[] = [];
let noisyKey: string;
let quietKey: string;

/** A second gateway over the test cloud's tables, with the real handlers and authorizer and a small limit. */
async function gatewayWith(apiKeyRateLimit: ApiKeyRateLimit): Promise<string> {
  const gateway = await startLocalApiGateway({
    routes: topology.routes,
    authorizer: 'authorizeRequest',
    authorizerCacheSeconds: 60,
    invoke: (id, event) => runtime.invoke(id, event),
    apiKeyRateLimit,
  });
  gateways.push(gateway);
  return gateway.url;
}

function client(url: string, apiKey: string): DomApi {
  const api = new DomApi(url, apiKey);
  clients.push(api);
  return api;
}

/** Statuses of `count` requests sent one after the other (in order, so the count is exact). */
async function statuses(api: DomApi, count: number, path = '/tenant'): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) seen.push((await api.request('GET', path)).status);
  return seen;
}

beforeAll(async () => {
  // The cloud sets the environment the handlers find their table in.
  cloud = await startTestCloud();
  const [noisy, quiet] = await Promise.all([createTestTenant('Noisy Shop'), createTestTenant('Quiet Shop')]);
  noisyKey = noisy.apiKey;
  quietKey = quiet.apiKey;
});

afterAll(async () => {
  for (const api of clients) api.close();
  await Promise.all(gateways.map((gateway) => gateway.close()));
  await cloud?.close();
});

describe('the local gateway\'s request limit per API key', () => {
  it('answers a tenant over its limit 429 with the THROTTLED problem, while another tenant is still served', async () => {
    const url = await gatewayWith({ limit: LIMIT, windowSeconds: 600 });
    const noisy = client(url, noisyKey);
    const quiet = client(url, quietKey);

    const noisyStatuses = await statuses(noisy, LIMIT + 5);
    const throttled = await noisy.request<Record<string, unknown>>('GET', '/tenant');
    const quietStatuses = await statuses(quiet, LIMIT);

    expect(noisyStatuses).toEqual([...Array(LIMIT).fill(200), ...Array(5).fill(429)]);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
    const requestId = throttled.headers.get('x-amzn-requestid');
    expect(throttled.body).toEqual(JSON.parse(gatewayResponseBody('THROTTLED', requestId!)));
    expect(quietStatuses).toEqual(Array(LIMIT).fill(200));
  });

  it('counts requests per API key before routing and authorizing them, as WAF does: a bad key is throttled too', async () => {
    const url = await gatewayWith({ limit: LIMIT, windowSeconds: 600 });
    const unknownKey = client(url, 'dom_t_not-a-key');

    const seen = await statuses(unknownKey, LIMIT + 1);

    expect(seen).toEqual([...Array(LIMIT).fill(401), 429]);
  });

  it('does not count requests without an Authorization header (WAF skips requests lacking its key)', async () => {
    const url = await gatewayWith({ limit: LIMIT, windowSeconds: 600 });

    const seen: number[] = [];
    for (let i = 0; i < LIMIT + 5; i++) seen.push((await fetch(`${url}/health`)).status);

    expect(seen).toEqual(Array(LIMIT + 5).fill(200));
  });

  it('serves a throttled tenant again once it has kept under its limit for a window', async () => {
    const url = await gatewayWith({ limit: 3, windowSeconds: 3 });
    const noisy = client(url, noisyKey);
    expect(await statuses(noisy, 4)).toEqual([200, 200, 200, 429]);

    // Two windows later neither the current nor the previous window holds a request.
    await new Promise((resolve) => setTimeout(resolve, 6_100));

    expect((await noisy.request('GET', '/tenant')).status).toBe(200);
  });
});
