/**
 * What a scoped API key (a store's, a 3PL's, a drop-shipper's) may call, decided from the route alone, so a route
 * added later is covered without anyone remembering to: every shipment route (`/shipments/{shipmentId}/...`, whatever
 * the action) is a location route whose handler checks the shipment's location; so are a location's pick list, its
 * stock adjustments, and shipping, receiving and listing its transfers (the handler checks the transfer's origin or
 * destination). Orders are hidden (404: a partner cannot even learn that an order id exists); everything else is
 * the admin's (403). The admin key may call every route.
 *
 * The same rules are enforced twice: by the authorizer's policy (API Gateway answers 403 before any handler runs, and
 * caches the policy with the decision) and by every HTTP handler's middleware (so a route wired without the
 * authorizer's policy, or a policy cached from before a change, still cannot leak).
 */
export type RouteAccess = 'location' | 'hidden' | 'admin';

/** `method` as API Gateway gives it (GET, POST...), `resource` the route's path template (`/shipments/{shipmentId}/accept`). */
export function routeAccess(method: string, resource: string): RouteAccess {
  if (resource.startsWith('/shipments/')) return 'location';
  if (method === 'GET' && resource === '/locations/{locationId}/shipments') return 'location';
  if (method === 'POST' && resource === '/inventory/adjustments') return 'location';
  // A store ships the transfers leaving it and receives those coming to it (the handler checks the transfer's end).
  if (method === 'POST' && (resource === '/transfers/{transferId}/ship' || resource === '/transfers/{transferId}/receive')) return 'location';
  if (method === 'GET' && resource === '/transfers') return 'location';
  if (resource === '/orders' || resource.startsWith('/orders/')) return 'hidden';
  return 'admin';
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * The method-ARN patterns (after `<api arn>/<stage>/`) a scoped key's policy allows: the location routes and the
 * hidden ones (whose handlers answer 404). API Gateway matches `*` against any characters, `/` included, so a pattern
 * names its methods rather than starting with `*`, which would also match `GET/webhooks/shipments/deliveries`. A path
 * parameter can still hold a word that a pattern names (`GET/locations/x/shipments` is meant, but a `*` also matches
 * `a/b`); such a request reaches its handler, whose middleware refuses it by the route it was matched to.
 */
export const SCOPED_KEY_RESOURCES: readonly string[] = [
  ...METHODS.flatMap((m) => [`${m}/shipments/*`, `${m}/orders`, `${m}/orders/*`]),
  'GET/locations/*/shipments',
  'POST/inventory/adjustments',
  'POST/transfers/*/ship',
  'POST/transfers/*/receive',
  'GET/transfers',
];

/**
 * The principal as the authorizer hands it to the handlers (API Gateway's context holds only strings, numbers and
 * booleans): a scoped key's locations as a JSON array. `principalOf` (request.ts) reads it back.
 */
export function authorizerContext(principal: { tenantId: string; keyId: string; keyName?: string; locationIds?: readonly string[] }): Record<string, string> {
  return {
    tenantId: principal.tenantId,
    keyId: principal.keyId,
    ...(principal.keyName ? { keyName: principal.keyName } : {}),
    ...(principal.locationIds ? { locationIds: JSON.stringify(principal.locationIds) } : {}),
  };
}
