import { z } from 'zod';
import { updateShipment } from '#application/orders/lifecycle';
import { lifecycleDeps } from '#adapters/orders';
import { httpHandler } from '#http/handler';
import { shipmentPathSchema, shipmentReportSchema } from '#http/order-schemas';
import { shipmentView } from '#http/order-views';
import { parseOptionalBody, pathParameters, tenantIdOf, validate } from '#http/request';
import { json } from '#http/response';

const actionSchema = z.enum(['accept', 'reject', 'ship', 'deliver']);

/** POST /shipments/{shipmentId}/{accept|reject|ship|deliver}: the action is the route's last segment. */
export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const { shipmentId } = pathParameters(event, shipmentPathSchema);
  const action = validate(event.resource.split('/').pop(), actionSchema, 'path.action');
  const report = parseOptionalBody(event, shipmentReportSchema);
  const { shipment } = await updateShipment(lifecycleDeps, { tenantId, shipmentId, action, ...report });
  return json(200, shipmentView(shipment));
});
