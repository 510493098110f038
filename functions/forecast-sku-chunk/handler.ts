import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { forecastSkuChunk } from '#application/demand/forecast-run';
import { dynamoDemandStore, dynamoForecastStore } from '#adapters/dynamodb/demand-store';
import { systemClock } from '#adapters/system/system';
import { logger, metrics } from '#powertools/index';
import { taskHandler } from '#powertools/task-handler';

const inputSchema = z.object({
  tenantId: z.string().min(1),
  origin: z.iso.date(),
  runId: z.string().min(1),
  correlationId: z.string().min(1),
  settings: z.object({
    horizonDays: z.number().int().min(1).max(366),
    leadTimeDays: z.number().int().min(1).max(365),
    serviceLevel: z.number().gt(0).lt(1),
    locationLeadTimeDays: z.record(z.string(), z.number().int().min(1).max(365)).optional(),
  }),
  chunk: z.object({ first: z.string().min(1), last: z.string().min(1) }),
});
const deps = { demand: dynamoDemandStore, forecasts: dynamoForecastStore, clock: systemClock };

/** Demand forecast workflow task (one Map item): forecasts a chunk of SKUs and stores forecasts and reorder points. */
export const handler = taskHandler(async (event: unknown) => {
  const input = inputSchema.parse(event);
  logger.appendKeys({ tenantId: input.tenantId, runId: input.runId });
  const started = Date.now();
  const done = await forecastSkuChunk(deps, input);
  metrics.addMetric('SeriesForecast', MetricUnit.Count, done.series);
  metrics.addMetric('ForecastChunkMs', MetricUnit.Milliseconds, Date.now() - started);
  return done;
}, { correlationIdPath: 'correlationId' });
