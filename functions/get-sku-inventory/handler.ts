import { getSkuInventory } from '#application/inventory/stock-queries';
import { dynamoChannelStore } from '#adapters/dynamodb/catalog-store';
import { dynamoStockStore } from '#adapters/dynamodb/stock-store';
import { httpHandler } from '#http/handler';
import { skuInventoryQuerySchema, skuPathSchema } from '#http/operations';
import { pathParameters, queryParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

const deps = { stock: dynamoStockStore, channels: dynamoChannelStore };

export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const { sku } = pathParameters(event, skuPathSchema);
  const { channel, shards } = queryParameters(event, skuInventoryQuerySchema);
  return json(200, await getSkuInventory(deps, tenantId, sku, channel, { shards: shards === 'true' }));
});
