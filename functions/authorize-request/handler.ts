import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { authenticate } from '#application/tenants/authenticate';
import { dynamoTenantStore } from '#adapters/dynamodb/tenant-store';
import { sha256Secrets } from '#adapters/system/system';
import { logger, metrics, tracer } from '#powertools/index';

const deps = { tenants: dynamoTenantStore, secrets: sha256Secrets };

/**
 * REST API REQUEST authorizer. Throwing `Unauthorized` is how API Gateway is told to answer 401; the policy allows
 * every route of the stage so one cached decision serves the key's next calls. The key itself is never logged.
 */
async function authorize(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const header = event.headers?.Authorization ?? event.headers?.authorization;
  const principal = await authenticate(deps, header);
  if (!principal) {
    metrics.addMetric('AuthorizationDenied', MetricUnit.Count, 1);
    throw new Error('Unauthorized');
  }
  metrics.addMetric('AuthorizationGranted', MetricUnit.Count, 1);
  logger.appendKeys({ tenantId: principal.tenantId });
  return {
    principalId: principal.tenantId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageWildcard(event.methodArn) }],
    },
    context: { tenantId: principal.tenantId },
  };
}

/** `arn:aws:execute-api:region:account:apiId/stage/GET/tenant` -> `arn:aws:execute-api:region:account:apiId/stage/*`. */
export function stageWildcard(methodArn: string): string {
  const [apiArn, stage] = methodArn.split('/');
  return `${apiArn}/${stage}/*`;
}

export const handler = middy(authorize)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics));
