import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { startDemandForecasts } from '#application/demand/start-forecasts';
import { dynamoStuckOrderFinder } from '#adapters/dynamodb/fulfillment-store';
import { sfnForecastStarter } from '#adapters/sfn/forecast-starter';
import { systemClock } from '#adapters/system/system';
import { logger, metrics } from '#powertools/index';
import { taskHandler } from '#powertools/task-handler';

const deps = { tenants: { tenantIds: () => dynamoStuckOrderFinder.tenantIds() }, workflows: sfnForecastStarter, clock: systemClock };

/** Scheduled daily: starts each tenant's demand forecast run (state-machines/demand-forecast.asl.json). */
export const handler = taskHandler(async () => {
  const report = await startDemandForecasts(deps, `schedule-${randomUUID()}`);
  metrics.addMetric('ForecastRunsStarted', MetricUnit.Count, report.started);
  metrics.addMetric('ForecastRunStartFailures', MetricUnit.Count, report.failed.length);
  for (const { tenantId, error } of report.failed) logger.error('Could not start a tenant\'s forecast run', { tenantId, error: error as Error });
  return { origin: report.origin, started: report.started, alreadyStarted: report.alreadyStarted, failed: report.failed.length };
});
