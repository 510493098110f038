import { listChannels } from '#application/inventory/catalog';
import { dynamoChannelStore } from '#adapters/dynamodb/catalog-store';
import { httpHandler } from '#http/handler';
import { tenantIdOf } from '#http/request';
import { json } from '#http/response';

const deps = { channels: dynamoChannelStore };

export const handler = httpHandler(async (event) => {
  const rules = await listChannels(deps, tenantIdOf(event));
  return json(200, { items: rules.map(({ tenantId: _tenant, ...rule }) => rule) });
});
