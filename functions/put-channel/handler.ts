import { putChannel } from '#application/inventory/catalog';
import { dynamoChannelStore } from '#adapters/dynamodb/catalog-store';
import { systemClock } from '#adapters/system/system';
import { putChannelSchema } from '#domain/inventory/schemas';
import { httpHandler } from '#http/handler';
import { channelPathSchema } from '#http/operations';
import { parseBody, pathParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

const deps = { channels: dynamoChannelStore, clock: systemClock };

export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const { channel } = pathParameters(event, channelPathSchema);
  const { tenantId: _tenant, ...rule } = await putChannel(deps, tenantId, channel, parseBody(event, putChannelSchema));
  return json(200, rule);
});
