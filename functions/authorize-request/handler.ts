import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { authenticate } from '#application/tenants/authenticate';
import { dynamoTenantStore } from '#adapters/dynamodb/tenant-store';
import { sha256Secrets } from '#adapters/system/system';
import { authorizerContext, SCOPED_KEY_RESOURCES } from '#http/access';
import { logger, metrics, tracer } from '#powertools/index';

const deps = { tenants: dynamoTenantStore, secrets: sha256Secrets };

/**
 * REST API REQUEST authorizer. Throwing `Unauthorized` is how API Gateway is told to answer 401. The policy covers
 * every route the key may call, so one cached decision serves the key's next calls: the whole stage for the admin key,
 * the location and order routes for a scoped key (any other route: 403 from API Gateway). The key itself is never
 * logged; its id is.
 */
async function authorize(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const header = event.headers?.Authorization ?? event.headers?.authorization;
  const principal = await authenticate(deps, header);
  if (!principal) {
    metrics.addMetric('AuthorizationDenied', MetricUnit.Count, 1);
    throw new Error('Unauthorized');
  }
  metrics.addMetric('AuthorizationGranted', MetricUnit.Count, 1);
  logger.appendKeys({ tenantId: principal.tenantId, keyId: principal.keyId });
  return {
    principalId: principal.tenantId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: principal.locationIds ? scopedResources(event.methodArn) : stageWildcard(event.methodArn) }],
    },
    context: authorizerContext(principal),
  };
}

/** The method ARNs a scoped key may invoke: `SCOPED_KEY_RESOURCES` under this API's stage. */
export function scopedResources(methodArn: string): string[] {
  const stage = stageWildcard(methodArn).slice(0, -1);
  return SCOPED_KEY_RESOURCES.map((pattern) => `${stage}${pattern}`);
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
