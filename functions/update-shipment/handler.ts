import { z } from 'zod';
import { ShipmentNotFoundError, updateShipment } from '#application/orders/lifecycle';
import { InvalidShipmentActionError } from '#domain/orders/shipment';
import { lifecycleDeps } from '#adapters/orders';
import { httpHandler } from '#http/handler';
import { shipmentPathSchema, shipmentReportSchema } from '#http/order-schemas';
import { shipmentView } from '#http/order-views';
import { ConflictError, NotFoundError } from '#http/problem';
import { parseOptionalBody, pathParameters, tenantIdOf, validate } from '#http/request';
import { json } from '#http/response';

const actionSchema = z.enum(['accept', 'reject', 'ship', 'deliver']);

/** POST /shipments/{shipmentId}/{accept|reject|ship|deliver}: the action is the route's last segment. */
export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const { shipmentId } = pathParameters(event, shipmentPathSchema);
  const action = validate(event.resource.split('/').pop(), actionSchema, 'path.action');
  const report = parseOptionalBody(event, shipmentReportSchema);
  try {
    const { shipment } = await updateShipment(lifecycleDeps, { tenantId, shipmentId, action, ...report });
    return json(200, shipmentView(shipment));
  } catch (error) {
    if (error instanceof ShipmentNotFoundError) throw new NotFoundError(error.message);
    if (error instanceof InvalidShipmentActionError) throw new ConflictError(error.message);
    if ((error as Error).name === 'ReservationNotPendingError') throw new ConflictError((error as Error).message);
    throw error;
  }
});
