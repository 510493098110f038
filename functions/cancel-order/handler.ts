import { cancelOrder } from '#application/orders/lifecycle';
import { lifecycleDeps } from '#adapters/orders';
import { httpHandler } from '#http/handler';
import { cancelOrderSchema, orderPathSchema } from '#http/order-schemas';
import { orderView } from '#http/order-views';
import { parseOptionalBody, pathParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const { orderId } = pathParameters(event, orderPathSchema);
  const { reason } = parseOptionalBody(event, cancelOrderSchema);
  return json(200, orderView(await cancelOrder(lifecycleDeps, { tenantId, orderId, ...(reason ? { reason } : {}) })));
});
