import { describe, expect, it } from 'vitest';
import { topology } from '../../infra/topology.ts';
import { scopedResources } from '../../functions/authorize-request/handler.ts';
import { routeAccess } from './access.ts';

const STAGE = 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3/v1';

/** API Gateway's matching of a policy resource against a method ARN: `*` is any run of characters, `/` included. */
const allows = (patterns: string[], arn: string) => patterns.some((p) => new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(arn));

/** A concrete path for a route template, as a caller would send it. */
const concrete = (path: string) => path.replace(/\{[^}]+\}/g, 'Store.NYC-01');

describe('what a scoped API key may call', () => {
  it('gives every shipment route to the location, whatever its action, so routes added later are covered', () => {
    for (const action of ['accept', 'reject', 'ship', 'deliver', 'ready', 'arrived', 'picked-up']) {
      expect(routeAccess('POST', `/shipments/{shipmentId}/${action}`)).toBe('location');
    }
    expect(routeAccess('GET', '/locations/{locationId}/shipments')).toBe('location');
    expect(routeAccess('POST', '/inventory/adjustments')).toBe('location');
    expect(routeAccess('POST', '/transfers/{transferId}/ship')).toBe('location');
    expect(routeAccess('POST', '/transfers/{transferId}/receive')).toBe('location');
    expect(routeAccess('GET', '/transfers')).toBe('location');
  });

  it('keeps requesting, reading one and cancelling a transfer, and rebalancing, for the admin key', () => {
    for (const [method, path] of [['POST', '/transfers'], ['GET', '/transfers/{transferId}'], ['POST', '/transfers/{transferId}/cancel'], ['GET', '/rebalancing'], ['POST', '/rebalancing/{suggestionId}/accept']] as const) {
      expect(routeAccess(method, path)).toBe('admin');
    }
  });

  it('hides every order route (404) and keeps everything else for the admin key (403)', () => {
    for (const [method, path] of [['GET', '/orders'], ['POST', '/orders'], ['GET', '/orders/{orderId}'], ['POST', '/orders/{orderId}/cancel'], ['GET', '/orders/{orderId}/executions']]) {
      expect(routeAccess(method!, path!)).toBe('hidden');
    }
    for (const [method, path] of [['GET', '/tenant'], ['POST', '/api-keys'], ['DELETE', '/api-keys/{keyId}'], ['PUT', '/locations/{locationId}'], ['GET', '/locations'], ['GET', '/inventory/{sku}'], ['GET', '/inventory'], ['PUT', '/routing-rules']]) {
      expect(routeAccess(method!, path!)).toBe('admin');
    }
  });

  it('has the authorizer policy allow exactly the location and hidden routes of the manifest', () => {
    const policy = scopedResources(`${STAGE}/GET/tenant`);
    for (const route of topology.routes.filter((r) => r.auth === 'apiKey')) {
      const arn = `${STAGE}/${route.method}${concrete(route.path)}`;
      expect(allows(policy, arn), `${route.method} ${route.path}`).toBe(routeAccess(route.method, route.path) !== 'admin');
    }
  });

  it('does not let a pattern reach an admin route through a word in its path', () => {
    const policy = scopedResources(`${STAGE}/GET/tenant`);
    expect(allows(policy, `${STAGE}/GET/webhooks/shipments/deliveries`)).toBe(false);
    expect(allows(policy, `${STAGE}/PUT/locations/orders`)).toBe(false);
    expect(allows(policy, `${STAGE}/GET/skus/orders`)).toBe(false);
  });
});
