import { dynamoForecastStore } from './dynamodb/demand-store.ts';
import { dynamoInboundStore, dynamoReorderStateStore, dynamoReplenishmentReads } from './dynamodb/replenishment-store.ts';
import { randomIds, systemClock } from './system/system.ts';
import { DEFAULT_REVIEW_DAYS } from '#domain/replenishment/reorder';

/** The real ports of replenishment's use cases, built once per process. */
export const inboundDeps = { inbound: dynamoInboundStore, reads: dynamoReplenishmentReads, clock: systemClock, ids: randomIds };
// Suggestions read the review period fresh (one GetItem a request), so a PUT of the settings shows at once; the stream
// keeps it a minute (cachedReviewDays).
const freshReviewDays = async (tenantId: string) => (await dynamoForecastStore.settings(tenantId))?.reviewDays ?? DEFAULT_REVIEW_DAYS;
export const suggestionDeps = { states: dynamoReorderStateStore, reads: dynamoReplenishmentReads, reviewDaysOf: freshReviewDays };
export const settingsDeps = { forecasts: dynamoForecastStore };
