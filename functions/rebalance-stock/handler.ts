import { acceptSuggestion, suggestTransfers } from '#application/inventory/rebalancing';
import { rebalancingDeps } from '#adapters/rebalancing';
import { httpHandler } from '#http/handler';
import { rebalancingQuerySchema, suggestionPathSchema } from '#http/rebalancing-schemas';
import { parseOptionalBody, pathParameters, queryParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';
import { transferProblem } from '#http/transfer-problems';
import { transferView } from '#http/transfer-views';

/**
 * GET /rebalancing?sku=&horizonDays=: transfers worth making, from the stored forecasts, stock and the cost model.
 * POST /rebalancing/{suggestionId}/accept: creates the suggestion's transfer (201); accepted before: that transfer (200).
 */
export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  if (event.httpMethod === 'GET') return json(200, await suggestTransfers(rebalancingDeps, tenantId, queryParameters(event, rebalancingQuerySchema)));
  const { suggestionId } = pathParameters(event, suggestionPathSchema);
  const query = parseOptionalBody(event, rebalancingQuerySchema);
  try {
    const { transfer, created, suggestion } = await acceptSuggestion(rebalancingDeps, tenantId, suggestionId, query);
    return json(created ? 201 : 200, { transfer: transferView(transfer), ...(suggestion ? { suggestion } : {}) });
  } catch (error) {
    return transferProblem(error);
  }
});
