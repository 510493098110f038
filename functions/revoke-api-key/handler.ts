import { revokeApiKey } from '#application/tenants/api-keys';
import { dynamoApiKeyStore } from '#adapters/dynamodb/tenant-store';
import { systemClock } from '#adapters/system/system';
import { apiKeyPathSchema, apiKeyView } from '#http/api-key-schemas';
import { httpHandler } from '#http/handler';
import { pathParameters, principalOf } from '#http/request';
import { json } from '#http/response';

const deps = { keys: dynamoApiKeyStore, clock: systemClock };

/**
 * DELETE /api-keys/{keyId} (admin key only): the key stops working (on AWS once API Gateway's cached decision for it
 * expires, at most the authorizer cache's TTL). Revoking it again answers the same.
 */
export const handler = httpHandler(async (event) => {
  const { tenantId } = principalOf(event);
  const { keyId } = pathParameters(event, apiKeyPathSchema);
  const revoked = await revokeApiKey(deps, tenantId, keyId);
  return json(200, apiKeyView(revoked));
});
