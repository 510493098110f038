import { listSuggestions } from '#application/replenishment/suggestions';
import { suggestionDeps } from '#adapters/replenishment';
import { httpHandler } from '#http/handler';
import { replenishmentQuerySchema } from '#http/replenishment-schemas';
import { queryParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

/** GET /replenishment?status=below-reorder|all: reorder suggestions with an order-up-to quantity, paged. */
export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const query = queryParameters(event, replenishmentQuerySchema);
  return json(200, await listSuggestions(suggestionDeps, tenantId, query));
});
