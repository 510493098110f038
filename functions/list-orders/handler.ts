import { dynamoOrderStore } from '#adapters/dynamodb/order-store';
import { httpHandler } from '#http/handler';
import { listOrdersQuerySchema } from '#http/order-schemas';
import { orderView } from '#http/order-views';
import { queryParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const query = queryParameters(event, listOrdersQuerySchema);
  const page = await dynamoOrderStore.list(tenantId, query);
  return json(200, { items: page.orders.map((order) => orderView(order)), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
});
