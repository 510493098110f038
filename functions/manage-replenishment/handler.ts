import { getReplenishmentSettings, putReplenishmentSettings } from '#application/replenishment/settings';
import { listSuggestions } from '#application/replenishment/suggestions';
import { settingsDeps, suggestionDeps } from '#adapters/replenishment';
import { httpHandler } from '#http/handler';
import { replenishmentQuerySchema, replenishmentSettingsSchema } from '#http/replenishment-schemas';
import { parseBody, queryParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

/**
 * Replenishment (one function for its three routes: the stateless stack is near CloudFormation's 500 resources):
 * - GET /replenishment?status=below-reorder|all: reorder suggestions with an order-up-to quantity, paged;
 * - GET / PUT /replenishment/settings: service level, lead time (default and per location), review period.
 */
export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  if (event.resource === '/replenishment') return json(200, await listSuggestions(suggestionDeps, tenantId, queryParameters(event, replenishmentQuerySchema)));
  if (event.httpMethod === 'PUT') return json(200, await putReplenishmentSettings(settingsDeps, tenantId, parseBody(event, replenishmentSettingsSchema)));
  return json(200, await getReplenishmentSettings(settingsDeps, tenantId));
});
