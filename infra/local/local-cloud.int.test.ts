import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LocalCloud } from './cloud.ts';
import { createTestTenant, eventually, startTestCloud } from './tools/testing.ts';

let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startTestCloud();
});

afterAll(async () => {
  await cloud?.close();
});

const get = (path: string, apiKey?: string) =>
  fetch(`${cloud.apiUrl}${path}`, { headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {} });

describe('the local cloud', () => {
  it('answers GET /health through the local API gateway with a request id', async () => {
    const response = await get('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
    expect(response.headers.get('x-request-id')).toMatch(/[0-9a-f-]{36}/);
  });

  it('runs a new tenant through stream, bus, rule and workflow until its defaults are seeded', async () => {
    const tenant = await createTestTenant('Smoke Test Shop');

    // Tenant item -> table stream -> publishTableEvents -> TenantCreated on the bus -> rule -> tenantOnboarding
    // state machine -> SeedDefaults Task -> seedTenantDefaults handler -> settings item.
    const body = await eventually(async () => {
      const response = await get('/tenant', tenant.apiKey);
      const json = (await response.json()) as { settings: unknown };
      return json.settings ? json : undefined;
    });
    expect(body).toMatchObject({ tenantId: tenant.tenantId, name: 'Smoke Test Shop', status: 'ACTIVE', settings: { defaultPreference: 'balanced' } });

    const sfn = new SFNClient({});
    const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: cloud.stateMachineArns.tenantOnboarding }));
    const described = await Promise.all((executions ?? []).map((e) => sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn! }))));
    const mine = described.find((e) => JSON.parse(e.input ?? '{}').detail?.data?.tenantId === tenant.tenantId);
    expect(mine?.status).toBe('SUCCEEDED');
  });

  it('starts the workflow from an event put on the bus, and a failing task ends in the failure queue', async () => {
    const events = new EventBridgeClient({});
    const unknownTenant = 't_0000000000nosuchtenant';
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: cloud.busName,
            Source: 'dom',
            DetailType: 'TenantCreated',
            Detail: JSON.stringify({
              metadata: { eventId: 'smoke-1', version: '1.0', occurredAt: new Date().toISOString(), tenantId: unknownTenant, correlationId: 'smoke-1' },
              data: { tenantId: unknownTenant, name: 'Ghost' },
            }),
          },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);

    // The task throws TenantNotFoundError (no such tenant): Retry, then Catch -> failure queue -> Fail.
    const sqs = new SQSClient({});
    const message = await eventually(async () => {
      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: cloud.queueUrls.workflowFailures.url, WaitTimeSeconds: 1 }));
      return received.Messages?.[0];
    });
    const failure = JSON.parse(message.Body!) as { tenantId: string; error: { Error: string } };
    expect(failure.tenantId).toBe(unknownTenant);
    expect(failure.error.Error).toBe('TenantNotFoundError');
  });

  it('refuses a missing, malformed or foreign API key with a 401 problem', async () => {
    const a = await createTestTenant('Tenant A');
    const b = await createTestTenant('Tenant B');
    const secretOfB = b.apiKey.split('.')[1];
    const forged = `dom_${a.tenantId}.${secretOfB}`;
    for (const key of [undefined, 'not-a-key', forged]) {
      const response = await get('/tenant', key);
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
    }
  });

  it('serves every method of a key from one cached authorizer decision', async () => {
    const tenant = await createTestTenant('Cache Shop');
    const headers = { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' };
    expect((await fetch(`${cloud.apiUrl}/tenant`, { headers })).status).toBe(200);
    expect((await fetch(`${cloud.apiUrl}/skus/CACHED-1`, { method: 'PUT', headers, body: JSON.stringify({ weightLb: 1 }) })).status).toBe(201);
    expect((await fetch(`${cloud.apiUrl}/orders`, { headers })).status).toBe(200);
  });

  it('shows each tenant only itself', async () => {
    const a = await createTestTenant('Tenant A');
    const b = await createTestTenant('Tenant B');
    const seenByA = (await (await get('/tenant', a.apiKey)).json()) as { tenantId: string };
    const seenByB = (await (await get('/tenant', b.apiKey)).json()) as { tenantId: string };
    expect(seenByA.tenantId).toBe(a.tenantId);
    expect(seenByB.tenantId).toBe(b.tenantId);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const response = await get('/no-such-route');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ status: 404, title: 'Not Found' });
  });

  it('serves the OpenAPI document with every route', async () => {
    const response = await get('/openapi.json');
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/health', '/tenant', '/openapi.json']));
  });
});
