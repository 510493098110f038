import middy from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { rollUpDemand } from '#application/demand/roll-up-demand';
import { cachedSkuNetworks } from '#application/inventory/cached-networks';
import { networkKey, projectStockChanges } from '#application/inventory/project-stock';
import { returnExpiredReservation } from '#application/inventory/reservations';
import { trackReorderPoints } from '#application/replenishment/track-reorder-points';
import { shipmentDemandOf } from '#adapters/dynamodb/demand-records';
import { dynamoDemandStore, dynamoOrderRegions } from '#adapters/dynamodb/demand-store';
import { expiredReservationOf, networkChangeOf } from '#adapters/dynamodb/inventory-records';
import { reorderTriggerOfRecord } from '#adapters/dynamodb/replenishment-records';
import { cachedReviewDays, dynamoReorderStateStore, dynamoReplenishmentReads } from '#adapters/dynamodb/replenishment-store';
import { dynamoReservationStore, dynamoSkuNetworkStore } from '#adapters/dynamodb/stock-store';
import { systemClock } from '#adapters/system/system';
import { logger, metrics, tracer } from '#powertools/index';

// The projections this instance wrote, kept across invocations: the shard's next batch needs no read for them.
const deps = { networks: cachedSkuNetworks(dynamoSkuNetworkStore), reservations: dynamoReservationStore, clock: systemClock, demand: dynamoDemandStore, regions: dynamoOrderRegions };
const reorderDeps = { states: dynamoReorderStateStore, reads: dynamoReplenishmentReads, reviewDaysOf: cachedReviewDays, clock: systemClock };

/**
 * The inventory's one reader of the table stream (a shard takes two readers at most; the outbox relay is the other):
 * - Stock and Sku changes are folded into the SKU network projection, per SKU (a hot SKU's many records become one
 *   write), so partial failures are reported here rather than by a per-record BatchProcessor: every record of a SKU
 *   whose write failed. Lambda resumes from the first of them; versions make the replay of later records harmless.
 * - A PENDING reservation deleted by TTL gives its units back, once (a replay finds the tombstone and does nothing).
 * - A Shipment created, rejected or cancelled adds to or takes from the daily demand roll-ups (issue 18), once per
 *   shipment however often the record comes (a marker per shipment, written with the units).
 * - A SKU x location whose availability, units on order or forecast moved is assessed against its reorder point
 *   (issue 18 part 4); a crossing flips its ReorderState once, which the outbox publishes as ReorderSuggested.
 */
export const handler = middy(async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const failed = new Set<string>();
  const keyed = event.Records.map((record) => ({ record, change: networkChangeOf(record), expired: expiredReservationOf(record) }));

  const projection = await projectStockChanges(deps, keyed.flatMap(({ change }) => (change ? [change] : [])));
  for (const lag of projection.lagsMs) metrics.addMetric('ProjectionLagMs', MetricUnit.Milliseconds, lag);
  metrics.addMetric('ProjectionsWritten', MetricUnit.Count, projection.written);
  for (const { record, change } of keyed) if (change && projection.failed.has(networkKey(change.tenantId, change.sku))) failed.add(record.dynamodb!.SequenceNumber!);

  const demand = await rollUpDemand(deps, event.Records.flatMap((record) => shipmentDemandOf(record) ?? []));
  for (const id of demand.failed) failed.add(id);
  if (demand.counted || demand.reversed) metrics.addMetric('DemandShipmentsCounted', MetricUnit.Count, demand.counted + demand.reversed);

  const triggers = event.Records.flatMap((record) => reorderTriggerOfRecord(record) ?? []);
  if (triggers.length) {
    const reorder = await trackReorderPoints(reorderDeps, triggers.map(({ pair }) => pair));
    for (const { id, pair } of triggers) if (reorder.failed.has(`${pair.tenantId} ${pair.sku} ${pair.locationId}`)) failed.add(id);
    if (reorder.flipped) metrics.addMetric('ReorderStatesFlipped', MetricUnit.Count, reorder.flipped);
  }

  for (const { record, expired } of keyed) {
    if (!expired) continue;
    try {
      if (await returnExpiredReservation(deps, expired)) metrics.addMetric('ReservationsExpired', MetricUnit.Count, 1);
    } catch (error) {
      logger.error('Expired reservation could not give its units back; retrying', { reservationId: expired.reservationId, error: String(error) });
      failed.add(record.dynamodb!.SequenceNumber!);
    }
  }
  if (failed.size) logger.warn('Inventory changes failed; their records will be retried', { records: failed.size, skus: [...projection.failed].slice(0, 20) });
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics));
