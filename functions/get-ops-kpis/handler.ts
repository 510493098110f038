import { tenantKpis } from '#application/ops/kpis';
import { dynamoKpiSource } from '#adapters/dynamodb/kpi-source';
import { systemClock } from '#adapters/system/system';
import { httpHandler } from '#http/handler';
import { kpisQuerySchema, kpiWindow } from '#http/ops-schemas';
import { queryParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

const deps = { source: dynamoKpiSource, clock: systemClock };

/** GET /ops/kpis?from=&to=: the tenant's business KPIs over the orders created in the window. */
export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const window = kpiWindow(queryParameters(event, kpisQuerySchema), systemClock.now());
  return json(200, await tenantKpis(deps, tenantId, window));
});
