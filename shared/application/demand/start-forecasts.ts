import { originFor } from '#domain/demand/forecast-run';
import type { Clock } from '../ports.ts';
import type { ForecastWorkflowStarter } from './ports.ts';

export interface StartReport {
  origin: string;
  started: number;
  alreadyStarted: number;
  failed: Array<{ tenantId: string; error: unknown }>;
}

/**
 * The daily schedule's work: one forecast run per tenant, named after the tenant and the origin, so a schedule that
 * fires twice (a retry, a redelivery) starts nothing new. A tenant that cannot be started is reported, not retried:
 * the others go on, and the failure is logged and counted for ops.
 */
export async function startDemandForecasts(
  deps: { tenants: { tenantIds(): Promise<string[]> }; workflows: ForecastWorkflowStarter; clock: Clock },
  correlationId: string,
): Promise<StartReport> {
  const origin = originFor(deps.clock.now());
  const report: StartReport = { origin, started: 0, alreadyStarted: 0, failed: [] };
  for (const tenantId of await deps.tenants.tenantIds()) {
    try {
      const outcome = await deps.workflows.start({ name: `${tenantId}-${origin}`, tenantId, origin, correlationId });
      if (outcome === 'started') report.started++;
      else report.alreadyStarted++;
    } catch (error) {
      report.failed.push({ tenantId, error });
    }
  }
  return report;
}
