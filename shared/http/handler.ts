import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics, tracer } from '#powertools/index';
import { routeAccess } from './access.ts';
import { problemForError } from './application-problems.ts';
import { ForbiddenError, internalProblem, NotFoundError, problemOf, ServiceUnavailableError } from './problem.ts';
import { REQUEST_ID_HEADER, problem } from './response.ts';

type HttpFunction = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** Maps thrown problems to problem+json responses, anything else to a logged 500, and echoes the request id. */
function problemResponses(): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    after: (request) => {
      if (request.response) {
        request.response.headers = { ...request.response.headers, [REQUEST_ID_HEADER]: requestIdOf(request.event) };
        countResponse(request.response.statusCode);
      }
    },
    onError: (request) => {
      const requestId = requestIdOf(request.event);
      const error = problemForError(request.error);
      if (error) {
        logger.info('Request refused', { status: error.status, detail: error.message });
        const retryAfter: Record<string, string> = error instanceof ServiceUnavailableError ? { 'retry-after': String(error.retryAfterSeconds) } : {};
        request.response = problem(problemOf(error, requestId), { [REQUEST_ID_HEADER]: requestId, ...retryAfter });
      } else {
        const { error } = request;
        logger.error('Request failed', error as Error);
        request.response = problem(internalProblem(requestId), { [REQUEST_ID_HEADER]: requestId });
      }
      countResponse(request.response.statusCode);
    },
  };
}

/** Http2xx / Http4xx / Http5xx per function: the error-rate alarms and dashboards read these. */
function countResponse(statusCode: number): void {
  metrics.addMetric(`Http${Math.floor(statusCode / 100)}xx`, MetricUnit.Count, 1);
}

function requestIdOf(event: APIGatewayProxyEvent): string {
  return event.requestContext?.requestId ?? 'unknown';
}

/**
 * A scoped API key (one with locations) reaches only the routes `routeAccess` gives it: admin routes are a 403, order
 * routes a 404 whether or not the order exists. The authorizer's policy refuses the same on AWS before the handler
 * runs; this keeps every handler safe on its own. Location routes go on to the handler, which checks the location.
 */
function scopedKeyGuard(): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    before: (request) => {
      const { event } = request;
      if (event.requestContext?.authorizer?.locationIds === undefined) return;
      const access = routeAccess(event.httpMethod, event.resource);
      if (access === 'admin') throw new ForbiddenError();
      if (access === 'hidden') throw new NotFoundError(`${event.path} does not exist`);
    },
  };
}

/** The middy chain every HTTP handler uses: context, tracing, metrics, problem+json errors, then the scoped-key guard. */
export function httpHandler(fn: HttpFunction) {
  return middy(fn)
    .use(injectLambdaContext(logger, { resetKeys: true, correlationIdPath: 'requestContext.requestId' }))
    .use(captureLambdaHandler(tracer))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(problemResponses())
    .use(scopedKeyGuard());
}
