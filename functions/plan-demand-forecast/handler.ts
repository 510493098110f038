import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { planForecastRun } from '#application/demand/forecast-run';
import { dynamoDemandStore, dynamoForecastStore } from '#adapters/dynamodb/demand-store';
import { systemClock } from '#adapters/system/system';
import { logger, metrics } from '#powertools/index';
import { taskHandler } from '#powertools/task-handler';

const inputSchema = z.object({ tenantId: z.string().min(1), runId: z.string().min(1), origin: z.iso.date().optional(), correlationId: z.string().min(1) });
const deps = { demand: dynamoDemandStore, forecasts: dynamoForecastStore, clock: systemClock };

/** Demand forecast workflow task: the run's origin, settings and SKU chunks (the distributed Map's items). */
export const handler = taskHandler(async (event: unknown) => {
  const input = inputSchema.parse(event);
  logger.appendKeys({ tenantId: input.tenantId, runId: input.runId });
  const plan = await planForecastRun(deps, input);
  metrics.addMetric('ForecastChunksPlanned', MetricUnit.Count, plan.chunks.length);
  return plan;
}, { correlationIdPath: 'correlationId' });
