import { dynamoRoutingRulesStore } from '#adapters/dynamodb/fulfillment-store';
import { httpHandler } from '#http/handler';
import { tenantIdOf } from '#http/request';
import { json } from '#http/response';

export const handler = httpHandler(async (event) => {
  const stored = await dynamoRoutingRulesStore.get(tenantIdOf(event));
  return json(200, { ...stored.rules, updatedAt: stored.updatedAt, isDefault: stored.isDefault });
});
