import { z } from 'zod';
import { updateShipment } from '#application/orders/lifecycle';
import { lifecycleDeps } from '#adapters/orders';
import { actorOf } from '#domain/tenants/api-keys';
import { httpHandler } from '#http/handler';
import { shipmentPathSchema, shipmentReportSchema } from '#http/order-schemas';
import { shipmentView } from '#http/order-views';
import { parseOptionalBody, pathParameters, principalOf, validate } from '#http/request';
import { json } from '#http/response';

const actionSchema = z.enum(['accept', 'reject', 'ship', 'deliver']);

/**
 * POST /shipments/{shipmentId}/{accept|reject|ship|deliver}: the action is the route's last segment. The report is
 * recorded with the API key that made it; a scoped key finds only its own locations' shipments (404 otherwise).
 */
export const handler = httpHandler(async (event) => {
  const principal = principalOf(event);
  const { shipmentId } = pathParameters(event, shipmentPathSchema);
  const action = validate(event.resource.split('/').pop(), actionSchema, 'path.action');
  const report = parseOptionalBody(event, shipmentReportSchema);
  const { shipment } = await updateShipment(lifecycleDeps, {
    tenantId: principal.tenantId,
    shipmentId,
    action,
    ...report,
    by: actorOf(principal),
    ...(principal.locationIds ? { locationIds: principal.locationIds } : {}),
  });
  return json(200, shipmentView(shipment));
});
