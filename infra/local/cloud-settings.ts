import { REGION } from './constants.ts';

/** The standard AWS SDK settings of the local cloud, set before any handler module loads. */
export function useLocalAwsSettings(): void {
  process.env.AWS_REGION = REGION;
  process.env.AWS_DEFAULT_REGION = REGION;
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  // The SDK warns that Node 20 support ends in 2027; the deployed functions run Node.js 22.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'DOM';
  process.env.POWERTOOLS_SERVICE_NAME ??= 'dom';
  process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
  // With tracing off there are no segments to carry, but the X-Ray SDK (loaded by the Powertools Tracer) still installs
  // an async hook that runs on every promise (~10 % of the local cloud's CPU). Manual mode skips that hook.
  process.env.AWS_XRAY_MANUAL_MODE ??= 'true';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'INFO';
}
