import { dynamoOrderStore } from '#adapters/dynamodb/order-store';
import { httpHandler } from '#http/handler';
import { orderPathSchema } from '#http/order-schemas';
import { orderView } from '#http/order-views';
import { NotFoundError } from '#http/problem';
import { pathParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const { orderId } = pathParameters(event, orderPathSchema);
  const found = await dynamoOrderStore.get(tenantId, orderId);
  if (!found) throw new NotFoundError(`Order ${orderId} does not exist`);
  return json(200, orderView(found.order, found.shipments));
});
