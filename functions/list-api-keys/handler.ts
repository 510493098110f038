import { decodeCursor, encodeCursor } from '#application/cursor';
import { listApiKeys } from '#application/tenants/api-keys';
import { dynamoApiKeyStore } from '#adapters/dynamodb/tenant-store';
import { apiKeyView } from '#http/api-key-schemas';
import { httpHandler } from '#http/handler';
import { pageQuerySchema } from '#http/operations';
import { principalOf, queryParameters } from '#http/request';
import { json } from '#http/response';

const deps = { keys: dynamoApiKeyStore };

/** GET /api-keys (admin key only): the tenant's working keys, never their secrets. */
export const handler = httpHandler(async (event) => {
  const { tenantId } = principalOf(event);
  const query = queryParameters(event, pageQuerySchema);
  const after = decodeCursor(query.cursor);
  const page = await listApiKeys(deps, tenantId, { limit: query.limit, ...(after ? { after } : {}) });
  const nextCursor = encodeCursor(page.next);
  return json(200, { items: page.items.map(apiKeyView), ...(nextCursor ? { nextCursor } : {}) });
});
