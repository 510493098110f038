import { getLocation } from '#application/inventory/catalog';
import { dynamoLocationStore } from '#adapters/dynamodb/catalog-store';
import { httpHandler } from '#http/handler';
import { inventoryProblem } from '#http/inventory-problems';
import { locationPathSchema } from '#http/operations';
import { pathParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

const deps = { locations: dynamoLocationStore };

export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const { locationId } = pathParameters(event, locationPathSchema);
  const { tenantId: _tenant, ...location } = await getLocation(deps, tenantId, locationId).catch(inventoryProblem);
  return json(200, location);
});
