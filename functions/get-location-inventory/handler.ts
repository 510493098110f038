import { getLocationInventory } from '#application/inventory/stock-queries';
import { dynamoChannelStore, dynamoLocationStore } from '#adapters/dynamodb/catalog-store';
import { dynamoStockStore } from '#adapters/dynamodb/stock-store';
import { httpHandler } from '#http/handler';
import { inventoryProblem } from '#http/inventory-problems';
import { locationInventoryQuerySchema } from '#http/operations';
import { queryParameters, tenantIdOf } from '#http/request';
import { decodeCursor, encodeCursor } from '#application/cursor';
import { json } from '#http/response';

const deps = { stock: dynamoStockStore, locations: dynamoLocationStore, channels: dynamoChannelStore };

export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const query = queryParameters(event, locationInventoryQuerySchema);
  const after = decodeCursor(query.cursor);
  const page = await getLocationInventory(deps, tenantId, query.locationId, {
    limit: query.limit,
    ...(after ? { after } : {}),
    ...(query.channel ? { channel: query.channel } : {}),
  }).catch(inventoryProblem);
  return json(200, { items: page.items, nextCursor: encodeCursor(page.next) });
});
