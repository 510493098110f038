import { suggestTransfers } from '#application/inventory/rebalancing';
import { rebalancingDeps } from '#adapters/rebalancing';
import { httpHandler } from '#http/handler';
import { rebalancingQuerySchema } from '#http/rebalancing-schemas';
import { queryParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

/** GET /rebalancing?sku=&horizonDays=: transfers worth making, from the stored forecasts, stock and the cost model. */
export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const query = queryParameters(event, rebalancingQuerySchema);
  return json(200, await suggestTransfers(rebalancingDeps, tenantId, query));
});
