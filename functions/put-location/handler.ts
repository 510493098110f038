import { putLocation } from '#application/inventory/catalog';
import { dynamoLocationStore } from '#adapters/dynamodb/catalog-store';
import { usZipGeocoder } from '#adapters/geo/us-zip-geocoder';
import { systemClock } from '#adapters/system/system';
import { httpHandler } from '#http/handler';
import { inventoryProblem } from '#http/inventory-problems';
import { locationPathSchema } from '#http/operations';
import { putLocationSchema } from '#domain/inventory/schemas';
import { parseBody, pathParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

const deps = { locations: dynamoLocationStore, geocoder: usZipGeocoder, clock: systemClock };

export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const { locationId } = pathParameters(event, locationPathSchema);
  const input = parseBody(event, putLocationSchema);
  const { location, created } = await putLocation(deps, tenantId, locationId, input).catch(inventoryProblem);
  const { tenantId: _tenant, ...body } = location;
  return json(created ? 201 : 200, body);
});
