import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * One logger, one metrics and one tracer per process, created at module scope as Powertools recommends. Service name,
 * namespace, log level and sampling come from the POWERTOOLS_* environment variables set by the deployment (CDK on
 * AWS, the start script locally), so handlers never know where they run.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'dom',
  correlationIdSearchFn: dottedPath,
});
export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'DOM', logger: metricsNotices(logger) });
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'dom' });
/**
 * Business KPIs (kpis.ts): a second Metrics whose `service` dimension is always `business`, whichever function records
 * them, so a dashboard or an alarm reads one series per KPI instead of one per emitting function. Published as recorded.
 */
export const businessMetrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'DOM', serviceName: 'business', logger: metricsNotices(logger) });

/** Resolves the plain dotted paths our handlers use as correlation id paths (`requestContext.requestId`). */
function dottedPath(expression: string, data: unknown): unknown {
  return expression.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), data);
}

/**
 * Metrics' own notices go to the structured logger, except the one every invocation that counted nothing would print
 * ("No application metrics to publish"): stream and queue consumers often have nothing to count, and that line would
 * be most of their log.
 */
function metricsNotices(target: Logger) {
  return {
    debug: (...content: unknown[]) => target.debug(String(content[0])),
    info: (...content: unknown[]) => target.info(String(content[0])),
    warn: (...content: unknown[]) => {
      if (String(content[0]).startsWith('No application metrics')) return;
      target.warn(String(content[0]));
    },
    error: (...content: unknown[]) => target.error(String(content[0])),
  };
}
