import { z } from 'zod';
import { updatePickup } from '#application/orders/pickups';
import { pickupDeps } from '#adapters/orders';
import { actorOf } from '#domain/tenants/api-keys';
import { httpHandler } from '#http/handler';
import { pickedUpSchema, pickupArrivedSchema, pickupReadySchema, shipmentPathSchema } from '#http/order-schemas';
import { shipmentView } from '#http/order-views';
import { parseBody, parseOptionalBody, pathParameters, principalOf, validate } from '#http/request';
import { json } from '#http/response';

const routeSchema = z.enum(['ready', 'arrived', 'picked-up']);
const ACTION = { ready: 'ready', arrived: 'arrive', 'picked-up': 'pick-up' } as const;

/**
 * POST /shipments/{shipmentId}/{ready|arrived|picked-up}: a pickup's hand-over at the store, the action being the
 * route's last segment. A scoped key finds only its own locations' shipments (404 otherwise); each step records the key.
 */
export const handler = httpHandler(async (event) => {
  const principal = principalOf(event);
  const { shipmentId } = pathParameters(event, shipmentPathSchema);
  const route = validate(event.resource.split('/').pop(), routeSchema, 'path.action');
  const request =
    route === 'picked-up' ? parseBody(event, pickedUpSchema) : route === 'arrived' ? parseOptionalBody(event, pickupArrivedSchema) : parseOptionalBody(event, pickupReadySchema);
  const { shipment } = await updatePickup(pickupDeps, {
    tenantId: principal.tenantId,
    shipmentId,
    action: ACTION[route],
    request,
    by: actorOf(principal),
    ...(principal.locationIds ? { locationIds: principal.locationIds } : {}),
  });
  return json(200, shipmentView(shipment));
});
