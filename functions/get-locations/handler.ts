import { listLocations } from '#application/inventory/catalog';
import { dynamoLocationStore } from '#adapters/dynamodb/catalog-store';
import { httpHandler } from '#http/handler';
import { inventoryProblem } from '#http/inventory-problems';
import { pageQuerySchema } from '#http/operations';
import { queryParameters, tenantIdOf } from '#http/request';
import { decodeCursor, encodeCursor } from '#application/cursor';
import { json } from '#http/response';

const deps = { locations: dynamoLocationStore };

export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const query = queryParameters(event, pageQuerySchema);
  const after = decodeCursor(query.cursor);
  const page = await listLocations(deps, tenantId, { limit: query.limit, ...(after ? { after } : {}) }).catch(inventoryProblem);
  return json(200, { items: page.items.map(({ tenantId: _t, ...location }) => location), nextCursor: encodeCursor(page.next) });
});
