import { Duration } from 'aws-cdk-lib';
import { AlarmStatusWidget, Dashboard, GraphWidget, MathExpression, Metric, SingleValueWidget, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { COUNTED_STATUSES, KPI, REROUTE_REASONS } from '../../../shared/domain/table-events/kpis.ts';
import { failedRate, kpi, KPI_SERVICE, lateShipmentRate, METRICS_NAMESPACE, ordersWith, reroutes } from './business-metrics.ts';

export interface DomBusinessDashboardProps {
  /** The function that publishes StockDrift (its own `service` dimension), if any. */
  readonly stockDriftReporter?: string;
  /** Shown at the top: the business alarms' states. */
  readonly alarms: readonly IAlarm[];
}

/**
 * The merchant-facing page beside the technical one (dashboard.ts): orders by status, time to allocate, parcels and
 * split rate, shipping cost and CO2, late shipments, backorders, re-routes, stuck orders and stock drift. Per-order
 * cost and CO2 are the parcels' sums over the orders allocated in the period (metric math), since a parcel is priced
 * when it is requested, not with its order.
 */
export class DomBusinessDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: DomBusinessDashboardProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const hour = Duration.hours(1);
    const routed = { allocated: ordersWith('ALLOCATED', hour), partial: ordersWith('PARTIALLY_ALLOCATED', hour) };
    const perOrder = (label: string, name: typeof KPI.parcelShippingCost | typeof KPI.parcelCo2Grams) =>
      new MathExpression({
        label,
        expression: 'IF(FILL(allocated, 0) + FILL(partial, 0) > 0, FILL(total, 0) / (FILL(allocated, 0) + FILL(partial, 0)), 0)',
        usingMetrics: { ...routed, total: kpi(name, hour, 'Sum') },
        period: hour,
      });

    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(1) });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# Order management: business KPIs\nNamespace \`${METRICS_NAMESPACE}\`, \`service\` = \`${KPI_SERVICE}\` (docs/aws.md, "Business metrics"). Technical metrics: the DomStateless dashboard.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Business alarms', alarms: [...props.alarms], width: 24, height: 3 }));
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Orders per 5 minutes, by status', left: COUNTED_STATUSES.map((status) => ordersWith(status, period)), width: 12 }),
      new GraphWidget({
        title: 'Orders allocated per 5 minutes, by tenant',
        left: [
          new MathExpression({
            label: '',
            expression: `SEARCH('{${METRICS_NAMESPACE},service,status,tenant} MetricName="${KPI.orders}" service="${KPI_SERVICE}" status="ALLOCATED"', 'Sum', 300)`,
            usingMetrics: {},
            period,
          }),
        ],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Time to allocate (acceptance to first decision)',
        left: [kpi(KPI.timeToAllocate, period, 'p50', { attempt: 'first' }, 'p50'), kpi(KPI.timeToAllocate, period, 'p99', { attempt: 'first' }, 'p99')],
        width: 8,
      }),
      new GraphWidget({ title: 'FAILED % of decided orders (15 min)', left: [failedRate(Duration.minutes(15), 1)], width: 8 }),
      new GraphWidget({ title: 'Orders found stuck by the sweeper', left: [kpi(KPI.ordersStuck, period, 'Sum', {}, 'stuck past the deadline')], width: 8 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Parcels per order and split rate',
        left: [kpi(KPI.parcelsPerOrder, hour, 'Average', {}, 'parcels per order')],
        right: [new MathExpression({ label: 'split orders %', expression: '100 * split', usingMetrics: { split: kpi(KPI.splitOrder, hour, 'Average') }, period: hour })],
        width: 8,
      }),
      new GraphWidget({
        title: 'Shipping cost',
        left: [perOrder('per order', KPI.parcelShippingCost), kpi(KPI.parcelShippingCost, hour, 'Average', {}, 'per parcel')],
        width: 8,
      }),
      new GraphWidget({
        title: 'CO2 (grams)',
        left: [perOrder('per order', KPI.parcelCo2Grams), kpi(KPI.parcelCo2Grams, hour, 'Average', {}, 'per parcel')],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Late shipments',
        left: [kpi(KPI.lateShipments, hour, 'Sum', {}, 'marked late')],
        right: [lateShipmentRate(hour, 1)],
        width: 8,
      }),
      new GraphWidget({
        title: 'Backorders',
        left: [ordersWith('BACKORDERED', hour, 'backordered'), ordersWith('PARTIALLY_ALLOCATED', hour, 'partially allocated')],
        right: [kpi(KPI.timeToAllocate, hour, 'p50', { attempt: 'later' }, 'wait filled p50 (ms)'), kpi(KPI.timeToAllocate, hour, 'p90', { attempt: 'later' }, 'wait filled p90 (ms)')],
        width: 8,
      }),
      new GraphWidget({ title: 'Re-routes by reason', left: REROUTE_REASONS.map((reason) => reroutes(reason, hour)), width: 8 }),
    );
    if (props.stockDriftReporter) {
      this.dashboard.addWidgets(
        new SingleValueWidget({
          title: 'Stock drift found by the reconciler (last 24 h)',
          metrics: [
            new Metric({ namespace: METRICS_NAMESPACE, metricName: 'StockDrift', dimensionsMap: { service: props.stockDriftReporter }, period: Duration.days(1), statistic: 'Sum', label: 'items drifted' }),
            new Metric({ namespace: METRICS_NAMESPACE, metricName: 'StockDriftCorrected', dimensionsMap: { service: props.stockDriftReporter }, period: Duration.days(1), statistic: 'Sum', label: 'corrected' }),
          ],
          width: 24,
        }),
      );
    }
  }
}
