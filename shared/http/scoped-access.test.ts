import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { httpHandler } from './handler.ts';
import { HttpProblemError } from './problem.ts';
import { principalOf } from './request.ts';
import { json } from './response.ts';

// The scoped-key guard every HTTP handler runs, and the principal it reads, without the authorizer or the network.

const context = { functionName: 'test', awsRequestId: 'r-1', getRemainingTimeInMillis: () => 1000 } as unknown as Context;
const event = (method: string, resource: string, authorizer: Record<string, unknown>) =>
  ({ httpMethod: method, resource, path: resource.replace(/\{[^}]+\}/g, 'x'), headers: {}, body: null, isBase64Encoded: false, requestContext: { requestId: 'req-1', authorizer } }) as unknown as APIGatewayProxyEvent;

const store = { tenantId: 't_0123456789ab', keyId: 'k_1', keyName: 'NYC tablet', locationIds: JSON.stringify(['Store.NYC-01']) };
const admin = { tenantId: 't_0123456789ab', keyId: 'admin' };

describe('the scoped-key guard of every HTTP handler', () => {
  const handler = httpHandler(async (e) => json(200, principalOf(e)));

  it('lets a scoped key through to a location route, with its locations', async () => {
    const response = await handler(event('POST', '/shipments/{shipmentId}/picked-up', store), context);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ tenantId: store.tenantId, keyId: 'k_1', keyName: 'NYC tablet', locationIds: ['Store.NYC-01'] });
  });

  it('answers a scoped key 403 on an admin route and 404 on an order route, before the handler runs', async () => {
    expect((await handler(event('GET', '/tenant', store), context)).statusCode).toBe(403);
    expect((await handler(event('PUT', '/locations/{locationId}', store), context)).statusCode).toBe(403);
    expect((await handler(event('GET', '/orders/{orderId}', store), context)).statusCode).toBe(404);
    expect((await handler(event('GET', '/orders/{orderId}/executions', store), context)).statusCode).toBe(404);
  });

  it('lets the admin key call every route', async () => {
    for (const [method, resource] of [['GET', '/tenant'], ['GET', '/orders/{orderId}'], ['POST', '/api-keys']] as const) {
      expect((await handler(event(method, resource, admin), context)).statusCode).toBe(200);
    }
  });
});

describe('the principal a handler reads', () => {
  it('fails closed when a scope does not read back as a list of location ids', () => {
    for (const locationIds of ['not json', '[]', '{"a":1}', '[1]']) {
      expect(() => principalOf(event('GET', '/locations/{locationId}/shipments', { ...store, locationIds })), locationIds).toThrow(HttpProblemError);
    }
    expect(() => principalOf(event('GET', '/locations/{locationId}/shipments', { tenantId: store.tenantId, locationIds: store.locationIds }))).toThrow(HttpProblemError);
  });

  it('reads a decision cached before keys had ids as the admin key', () => {
    expect(principalOf(event('GET', '/tenant', { tenantId: admin.tenantId }))).toEqual({ tenantId: admin.tenantId, keyId: 'admin' });
  });
});
