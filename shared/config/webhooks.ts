import { envGetter, MissingConfigurationError } from './env.ts';
import { ENV, queueUrlEnv } from './names.ts';

/** The queue webhook deliveries travel on (set for the functions whose grants name it). */
export const webhookDeliveriesQueueUrl = envGetter(queueUrlEnv('webhookDeliveries'));

/**
 * `WEBHOOK_ALLOW_INSECURE_LOOPBACK=true` lets webhooks use `http://127.0.0.1...` / `http://localhost...`: the local
 * cloud sets it so tests and demos can receive on loopback. Unset (as on AWS) it is false; any other value than
 * `true` or `false` fails at start-up.
 */
export const allowInsecureLoopback = flagGetter(ENV.webhookAllowInsecureLoopback);

function flagGetter(variable: string): () => boolean {
  let value: boolean | undefined;
  return () => {
    if (value === undefined) {
      const raw = process.env[variable];
      if (raw === undefined || raw === '' || raw === 'false') value = false;
      else if (raw === 'true') value = true;
      else throw new InvalidFlagError(variable, raw);
    }
    return value;
  };
}

export class InvalidFlagError extends MissingConfigurationError {
  constructor(variable: string, raw: string) {
    super(variable);
    this.message = `Environment variable ${variable} must be true or false, not ${JSON.stringify(raw)}`;
  }
}

/**
 * `WEBHOOK_SUBSCRIPTION_CACHE_MS` (default 5000): how long the fan-out keeps a tenant's subscriptions in memory.
 * Every bus event passes the fan-out, so this saves a Query per event; a new webhook starts receiving within it.
 */
export function subscriptionCacheMs(): number {
  const raw = process.env.WEBHOOK_SUBSCRIPTION_CACHE_MS;
  if (raw === undefined || raw === '') return 5_000;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`WEBHOOK_SUBSCRIPTION_CACHE_MS must be a whole number of milliseconds, not ${JSON.stringify(raw)}`);
  return value;
}
