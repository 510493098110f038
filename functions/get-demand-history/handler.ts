import { getDemandHistory } from '#application/demand/get-demand-history';
import { dynamoDemandStore } from '#adapters/dynamodb/demand-store';
import { demandHistoryPathSchema, demandHistoryQuerySchema } from '#http/demand-schemas';
import { httpHandler } from '#http/handler';
import { pathParameters, queryParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

const deps = { demand: dynamoDemandStore };
const DAY_MS = 86_400_000;

/** GET /demand-history/{sku}?from=&to=: a SKU's daily demand per location and per region (28 days to today by default). */
export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const { sku } = pathParameters(event, demandHistoryPathSchema);
  const query = queryParameters(event, demandHistoryQuerySchema);
  const to = query.to ?? new Date().toISOString().slice(0, 10);
  const from = query.from ?? new Date(Date.parse(to) - 27 * DAY_MS).toISOString().slice(0, 10);
  return json(200, await getDemandHistory(deps, tenantId, sku, from, to));
});
