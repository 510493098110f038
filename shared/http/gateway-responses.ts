import { PROBLEM_CONTENT_TYPE } from './problem.ts';

/**
 * What API Gateway itself answers when a request never reaches a handler (no route, no or bad key, too large, a
 * handler crash), as problem+json like every other error of the API. CDK turns these into GatewayResponses (with
 * `$context.requestId` substituted by API Gateway); the local gateway answers the same bodies.
 */
export type GatewayResponseType =
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'UNAUTHORIZED'
  | 'ACCESS_DENIED'
  | 'REQUEST_TOO_LARGE'
  | 'AUTHORIZER_FAILURE'
  | 'INTEGRATION_TIMEOUT'
  | 'THROTTLED'
  | 'DEFAULT_4XX'
  | 'DEFAULT_5XX';

export interface GatewayResponseSpec {
  status: number;
  title: string;
  detail: string;
}

export const gatewayResponses: Record<GatewayResponseType, GatewayResponseSpec> = {
  // REST APIs answer an unknown route with "Missing Authentication Token" (403); we say what it is: no such route.
  MISSING_AUTHENTICATION_TOKEN: { status: 404, title: 'Not Found', detail: 'No route matches this method and path; see GET /openapi.json' },
  UNAUTHORIZED: { status: 401, title: 'Unauthorized', detail: 'A valid API key is required: send `Authorization: Bearer <api key>`' },
  ACCESS_DENIED: { status: 403, title: 'Forbidden', detail: 'This API key may not call this route' },
  REQUEST_TOO_LARGE: { status: 413, title: 'Content Too Large', detail: 'The request is larger than the API accepts (10 MB)' },
  AUTHORIZER_FAILURE: { status: 500, title: 'Internal Server Error', detail: 'The request could not be authorized; retry later' },
  INTEGRATION_TIMEOUT: { status: 504, title: 'Gateway Timeout', detail: 'The request took too long; it is safe to retry with the same Idempotency-Key' },
  THROTTLED: { status: 429, title: 'Too Many Requests', detail: 'Slow down: the rate limit of this API was reached' },
  DEFAULT_4XX: { status: 400, title: 'Bad Request', detail: 'The request could not be processed' },
  DEFAULT_5XX: { status: 502, title: 'Bad Gateway', detail: 'The request failed on our side; it is safe to retry with the same Idempotency-Key' },
};

/** The body of a gateway response; API Gateway fills `requestId` from `$context.requestId`. */
export function gatewayResponseBody(type: GatewayResponseType, requestId: string): string {
  const spec = gatewayResponses[type];
  return JSON.stringify({
    type: `https://open-dom.dev/problems/${spec.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
    title: spec.title,
    status: spec.status,
    detail: spec.detail,
    requestId,
  });
}

export const GATEWAY_RESPONSE_CONTENT_TYPE = PROBLEM_CONTENT_TYPE;
