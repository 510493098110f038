import { retryOrder } from '#application/orders/lifecycle';
import { lifecycleDeps } from '#adapters/orders';
import { httpHandler } from '#http/handler';
import { orderPathSchema } from '#http/order-schemas';
import { pathParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

/** POST /orders/{orderId}/retry: ops re-drive a FAILED or stuck order as a new attempt; 409 when there is nothing to re-drive. */
export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const { orderId } = pathParameters(event, orderPathSchema);
  return json(202, await retryOrder(lifecycleDeps, { tenantId, orderId, correlationId: event.requestContext.requestId }));
});
