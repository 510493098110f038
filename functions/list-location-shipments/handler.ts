import { listLocationShipments } from '#application/orders/work-queue';
import { dynamoLocationStore } from '#adapters/dynamodb/catalog-store';
import { dynamoOrderStore } from '#adapters/dynamodb/order-store';
import { httpHandler } from '#http/handler';
import { inventoryProblem } from '#http/inventory-problems';
import { locationPathSchema } from '#http/operations';
import { locationShipmentsQuerySchema } from '#http/order-schemas';
import { shipmentView } from '#http/order-views';
import { pathParameters, principalOf, queryParameters } from '#http/request';
import { json } from '#http/response';

const deps = { orders: dynamoOrderStore, locations: dynamoLocationStore };

/** GET /locations/{locationId}/shipments: the location's work queue; a scoped key sees only its own locations'. */
export const handler = httpHandler(async (event) => {
  const principal = principalOf(event);
  const { locationId } = pathParameters(event, locationPathSchema);
  const query = queryParameters(event, locationShipmentsQuerySchema);
  const page = await listLocationShipments(deps, principal, locationId, query).catch(inventoryProblem);
  return json(200, { items: page.shipments.map(shipmentView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
});
