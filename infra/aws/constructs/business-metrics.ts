import { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { DECIDED_STATUSES, KPI, type CountedStatus, type RerouteReason } from '../../../shared/domain/table-events/kpis.ts';

/**
 * The business KPIs as CloudWatch metrics, for the business dashboard and alarms. The functions publish them through
 * Powertools Metrics (shared/powertools/kpis.ts) in the namespace the DomFunction sets, with `service` = `business`
 * whichever function records them; the stock reconciler's StockDrift keeps its function's own service.
 */
export const METRICS_NAMESPACE = 'DOM';
export const KPI_SERVICE = 'business';

type Stat = 'Sum' | 'Average' | 'Maximum' | 'SampleCount' | `p${number}`;

export function kpi(name: (typeof KPI)[keyof typeof KPI], period: Duration, statistic: Stat, dimensions: Record<string, string> = {}, label?: string): Metric {
  return new Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: { service: KPI_SERVICE, ...dimensions }, period, statistic, ...(label ? { label } : {}) });
}

export const ordersWith = (status: CountedStatus, period: Duration, label: string = status): Metric => kpi(KPI.orders, period, 'Sum', { status }, label);
export const reroutes = (reason: RerouteReason, period: Duration): Metric => kpi(KPI.reroutes, period, 'Sum', { reason }, reason);

/** Share of the orders decided in the period (allocated, partially allocated, backordered or failed) that FAILED. */
export function failedRate(period: Duration, minimum: number): MathExpression {
  const decided = Object.fromEntries(DECIDED_STATUSES.map((status) => [`d_${status.toLowerCase()}`, ordersWith(status, period)]));
  return new MathExpression({
    label: 'FAILED % of decided orders',
    expression: `IF(decided >= ${minimum}, 100 * FILL(d_failed, 0) / decided, 0)`,
    usingMetrics: {
      ...decided,
      decided: new MathExpression({ expression: Object.keys(decided).map((id) => `FILL(${id}, 0)`).join(' + '), usingMetrics: decided, period }),
    },
    period,
  });
}

/** Shipments marked late as a share of the carrier parcels requested in the same period. */
export function lateShipmentRate(period: Duration, minimum: number): MathExpression {
  return new MathExpression({
    label: 'late shipments % of parcels',
    expression: `IF(FILL(parcels, 0) >= ${minimum}, 100 * FILL(late, 0) / parcels, 0)`,
    usingMetrics: { late: kpi(KPI.lateShipments, period, 'Sum'), parcels: kpi(KPI.parcels, period, 'Sum') },
    period,
  });
}
