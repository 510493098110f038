import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { adjustInventory } from '#application/inventory/adjust-inventory';
import { dynamoLocationStore } from '#adapters/dynamodb/catalog-store';
import { dynamoStockStore } from '#adapters/dynamodb/stock-store';
import { systemClock } from '#adapters/system/system';
import { adjustmentsRequestSchema } from '#domain/inventory/schemas';
import { httpHandler } from '#http/handler';
import { parseBody, principalOf } from '#http/request';
import { json } from '#http/response';
import { metrics } from '#powertools/index';

const deps = { locations: dynamoLocationStore, stock: dynamoStockStore, clock: systemClock };

/**
 * Shape errors refuse the whole request (422); item-level problems are answered per item in a 200; a request none of
 * whose items could be applied for now (throttling, contention) is a 503 with Retry-After. A scoped API key's
 * adjustments of other locations are refused per item as UNKNOWN_LOCATION, as if they did not exist.
 */
export const handler = httpHandler(async (event) => {
  const principal = principalOf(event);
  const { adjustments } = parseBody(event, adjustmentsRequestSchema);
  const report = await adjustInventory(deps, principal.tenantId, adjustments, principal.locationIds ? { locationIds: principal.locationIds } : {});
  metrics.addMetric('AdjustmentsApplied', MetricUnit.Count, report.applied);
  metrics.addMetric('AdjustmentsRefused', MetricUnit.Count, report.errors.length + report.ignored.length);
  return json(200, report);
});
