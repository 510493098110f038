import { dynamoForecastStore } from './dynamodb/demand-store.ts';
import { cachedReviewDays, dynamoInboundStore, dynamoReorderStateStore, dynamoReplenishmentReads } from './dynamodb/replenishment-store.ts';
import { randomIds, systemClock } from './system/system.ts';

/** The real ports of replenishment's use cases, built once per process. */
export const inboundDeps = { inbound: dynamoInboundStore, reads: dynamoReplenishmentReads, clock: systemClock, ids: randomIds };
export const suggestionDeps = { states: dynamoReorderStateStore, reads: dynamoReplenishmentReads, reviewDaysOf: cachedReviewDays };
export const settingsDeps = { forecasts: dynamoForecastStore };
