import { getForecasts } from '#application/demand/forecast-run';
import { dynamoForecastStore } from '#adapters/dynamodb/demand-store';
import { forecastPathSchema, forecastQuerySchema } from '#http/demand-schemas';
import { httpHandler } from '#http/handler';
import { pathParameters, queryParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

const deps = { forecasts: dynamoForecastStore };

/** GET /forecasts/{sku}?locationId=: the latest stored forecast of a SKU (at one location); 404 when there is none. */
export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const { sku } = pathParameters(event, forecastPathSchema);
  const { locationId } = queryParameters(event, forecastQuerySchema);
  const { total, locations } = await getForecasts(deps, tenantId, sku, locationId);
  return json(200, {
    sku,
    origin: total.origin,
    generatedAt: total.generatedAt,
    runId: total.runId,
    total: total.daily,
    locations: locations.map(({ tenantId: _t, sku: _s, ...forecast }) => forecast),
  });
});
