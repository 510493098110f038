import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import { logger, metrics, tracer } from './index.ts';

/**
 * The middy chain of every non-HTTP handler (workflow tasks, event and schedule consumers): Lambda context and
 * correlation id in the logs, tracing, metrics. Errors propagate: Step Functions' Retry/Catch and the event source's
 * retries decide what happens next, never a swallowed catch.
 */
export function taskHandler<E, R>(fn: (event: E, context: Context) => Promise<R>, options: { correlationIdPath?: string } = {}) {
  return middy(fn)
    .use(injectLambdaContext(logger, { resetKeys: true, ...(options.correlationIdPath ? { correlationIdPath: options.correlationIdPath } : {}) }))
    .use(captureLambdaHandler(tracer))
    .use(logMetrics(metrics));
}
