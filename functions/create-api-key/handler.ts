import { issueApiKey, UnknownScopeLocationsError } from '#application/tenants/api-keys';
import { dynamoLocationStore } from '#adapters/dynamodb/catalog-store';
import { dynamoApiKeyStore } from '#adapters/dynamodb/tenant-store';
import { randomIds, sha256Secrets, systemClock } from '#adapters/system/system';
import { createApiKeySchema } from '#domain/tenants/api-keys';
import { apiKeyView } from '#http/api-key-schemas';
import { httpHandler } from '#http/handler';
import { ValidationError } from '#http/problem';
import { parseBody, principalOf } from '#http/request';
import { json } from '#http/response';

const deps = { keys: dynamoApiKeyStore, locations: dynamoLocationStore, ids: randomIds, secrets: sha256Secrets, clock: systemClock };

/** POST /api-keys (admin key only): a key for some locations; its secret is in this answer and nowhere else. */
export const handler = httpHandler(async (event) => {
  const { tenantId } = principalOf(event);
  const input = parseBody(event, createApiKeySchema);
  const issued = await issueApiKey(deps, tenantId, input).catch((error: unknown) => {
    if (error instanceof UnknownScopeLocationsError) {
      throw new ValidationError(error.unknown.map((u) => ({ field: `scope.locationIds[${u.index}]`, message: `location ${u.locationId} does not exist` })));
    }
    throw error;
  });
  return json(201, apiKeyView(issued));
});
