import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { seedTenantDefaults } from '#application/tenants/seed-tenant-defaults';
import { dynamoTenantStore } from '#adapters/dynamodb/tenant-store';
import { systemClock } from '#adapters/system/system';
import { logger, metrics, tracer } from '#powertools/index';

const inputSchema = z.object({ tenantId: z.string().min(1), correlationId: z.string().min(1) });
const deps = { tenants: dynamoTenantStore, clock: systemClock };

/** Step Functions task of the tenant onboarding workflow. Errors propagate so the state machine's Retry/Catch decide. */
export const handler = middy(async (event: unknown) => {
  const input = inputSchema.parse(event);
  logger.appendKeys({ tenantId: input.tenantId });
  const settings = await seedTenantDefaults(deps, input.tenantId);
  metrics.addMetric('TenantsOnboarded', MetricUnit.Count, 1);
  return settings;
})
  .use(injectLambdaContext(logger, { resetKeys: true, correlationIdPath: 'correlationId' }))
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics));
