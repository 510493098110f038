import { getSku } from '#application/inventory/catalog';
import { dynamoSkuStore } from '#adapters/dynamodb/catalog-store';
import { httpHandler } from '#http/handler';
import { inventoryProblem } from '#http/inventory-problems';
import { skuPathSchema } from '#http/operations';
import { pathParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

const deps = { skus: dynamoSkuStore };

export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const { sku } = pathParameters(event, skuPathSchema);
  const { tenantId: _tenant, ...body } = await getSku(deps, tenantId, sku).catch(inventoryProblem);
  return json(200, body);
});
