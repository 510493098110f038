import { OrderNotFoundError } from '#application/orders/fulfillment';
import { cancelOrder, OrderNotCancellableError } from '#application/orders/lifecycle';
import { lifecycleDeps } from '#adapters/orders';
import { httpHandler } from '#http/handler';
import { cancelOrderSchema, orderPathSchema } from '#http/order-schemas';
import { orderView } from '#http/order-views';
import { ConflictError, NotFoundError } from '#http/problem';
import { parseOptionalBody, pathParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const { orderId } = pathParameters(event, orderPathSchema);
  const { reason } = parseOptionalBody(event, cancelOrderSchema);
  try {
    return json(200, orderView(await cancelOrder(lifecycleDeps, { tenantId, orderId, ...(reason ? { reason } : {}) })));
  } catch (error) {
    if (error instanceof OrderNotFoundError) throw new NotFoundError(error.message);
    if (error instanceof OrderNotCancellableError) throw new ConflictError(error.message, error.lines.map((l) => ({ field: `lines.${l.lineId}`, message: `shipped in ${l.shipmentId}` })));
    throw error;
  }
});
