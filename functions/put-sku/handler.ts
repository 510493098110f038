import { putSku } from '#application/inventory/catalog';
import { dynamoSkuStore } from '#adapters/dynamodb/catalog-store';
import { systemClock } from '#adapters/system/system';
import { putSkuSchema } from '#domain/inventory/schemas';
import { httpHandler } from '#http/handler';
import { skuPathSchema } from '#http/operations';
import { parseBody, pathParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

const deps = { skus: dynamoSkuStore, clock: systemClock };

export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const { sku } = pathParameters(event, skuPathSchema);
  const input = parseBody(event, putSkuSchema);
  const { sku: stored, created } = await putSku(deps, tenantId, sku, input);
  const { tenantId: _tenant, ...body } = stored;
  return json(created ? 201 : 200, body);
});
