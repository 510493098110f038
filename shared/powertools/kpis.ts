import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { KpiObservation, KpiUnit } from '#domain/table-events/kpis';
import { businessMetrics } from './index.ts';

/** The `service` dimension of every business KPI (the Metrics instance `businessMetrics`). */
export const KPI_SERVICE = 'business';

const UNITS: Record<KpiUnit, (typeof MetricUnit)[keyof typeof MetricUnit]> = { Count: MetricUnit.Count, Milliseconds: MetricUnit.Milliseconds, None: MetricUnit.NoUnit };
/** EMF takes at most 100 values of a metric in one document; Powertools flushes (and drops the dimensions) at 100. */
const VALUES_PER_DOCUMENT = 100;

/**
 * Publishes business KPI observations as EMF documents, one per set of dimensions (and per tenant for the KPIs
 * counted by tenant), each value of a batch in one document: a stream batch of 100 orders is a handful of log lines.
 * A per-tenant observation lands in two dimension sets of the same document: [service, status] for the dashboards
 * and alarms, [service, status, tenant] for the tenant's own series.
 */
export function publishKpis(observations: readonly KpiObservation[], target: Pick<Metrics, 'addDimensions' | 'addMetric' | 'publishStoredMetrics'> = businessMetrics): void {
  const groups = new Map<string, KpiObservation[]>();
  for (const observation of observations) {
    const key = JSON.stringify([observation.dimensions, observation.perTenant ?? null]);
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(observation);
  }
  for (const group of groups.values()) {
    const { dimensions, perTenant } = group[0]!;
    for (let from = 0; from < group.length; from += VALUES_PER_DOCUMENT) {
      if (Object.keys(dimensions).length || perTenant) target.addDimensions({ ...dimensions });
      if (perTenant) target.addDimensions({ ...dimensions, tenant: perTenant });
      for (const { name, unit, value } of group.slice(from, from + VALUES_PER_DOCUMENT)) target.addMetric(name, UNITS[unit], value);
      target.publishStoredMetrics();
    }
  }
}
