import { searchOrders } from '#adapters/dynamodb/order-search';
import { dynamoOrderStore } from '#adapters/dynamodb/order-store';
import { httpHandler } from '#http/handler';
import { listOrdersQuerySchema } from '#http/order-schemas';
import { orderView } from '#http/order-views';
import { queryParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const query = queryParameters(event, listOrdersQuerySchema);
  const { q, ...listing } = query;
  const page = q === undefined ? await dynamoOrderStore.list(tenantId, listing) : await searchOrders(tenantId, { ...listing, q });
  return json(200, { items: page.orders.map((order) => orderView(order)), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
});
