import middy from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { returnExpiredReservation } from '#application/inventory/reservations';
import { expiredReservationOf } from '#adapters/dynamodb/inventory-records';
import { dynamoReservationStore } from '#adapters/dynamodb/stock-store';
import { systemClock } from '#adapters/system/system';
import { logger, metrics, tracer } from '#powertools/index';

const processor = new BatchProcessor(EventType.DynamoDBStreams);
const deps = { reservations: dynamoReservationStore, clock: systemClock };

/** A PENDING reservation deleted by TTL gives its units back, once (a replay finds the tombstone and does nothing). */
async function recordHandler(record: DynamoDBRecord): Promise<void> {
  const expired = expiredReservationOf(record);
  if (!expired) return;
  if (await returnExpiredReservation(deps, expired)) {
    metrics.addMetric('ReservationsExpired', MetricUnit.Count, 1);
    logger.info('Expired reservation returned its units', { tenantId: expired.tenantId, reservationId: expired.reservationId, orderId: expired.orderId });
  }
}

export const handler = middy((event: DynamoDBStreamEvent, context: Context) => processPartialResponse(event, recordHandler, processor, { context }))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics));
