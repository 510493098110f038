import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { AlarmProps, IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { KPI } from '../../../shared/domain/table-events/kpis.ts';
import { failedRate, kpi, lateShipmentRate } from './business-metrics.ts';

export interface DomBusinessAlarmsProps {
  readonly topic: ITopic;
  /** How often the sweeper runs (its schedule), in minutes: one OrdersStuck datapoint per run. */
  readonly sweepEveryMinutes: number;
}

/**
 * The thresholds, in one place: each alarm means a customer-visible problem, not a blip (docs/aws.md explains each).
 * Rates need a minimum number of orders or parcels in the period, below which they read 0 (one failure among three
 * orders is the workflow's ExecutionsFailed alarm's business, not a rate).
 */
export const BUSINESS_ALARMS = {
  /** Any order in flight past the sweeper's deadline (10 minutes after acceptance) in a sweep. */
  ordersStuck: { threshold: 1 },
  /** More than 2 % of the orders decided in 15 minutes FAILED, with at least 20 decided. */
  failedRate: { periodMinutes: 15, thresholdPercent: 2, minimumOrders: 20 },
  /** More than 5 % as many shipments marked late as parcels requested, over 6 hours, with at least 50 parcels. */
  lateShipmentRate: { periodHours: 6, thresholdPercent: 5, minimumParcels: 50 },
  /** p99 of acceptance-to-decision over 60 s in 3 consecutive 5-minute periods. */
  timeToAllocateP99: { periodMinutes: 5, thresholdMs: 60_000, periods: 3 },
} as const;

/** Alarms on the business KPIs, each notifying the ops topic (and again when it clears). */
export class DomBusinessAlarms extends Construct {
  readonly alarms: Alarm[] = [];
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: DomBusinessAlarmsProps) {
    super(scope, id);
    this.action = new SnsAction(props.topic);
    const { ordersStuck, failedRate: failed, lateShipmentRate: late, timeToAllocateP99: p99 } = BUSINESS_ALARMS;

    this.add('OrdersStuckPastDeadline', 'The sweeper found orders still ACCEPTED or ROUTING past its deadline (a lost event or a crashed run): it re-drove them; find out why',
      kpi(KPI.ordersStuck, Duration.minutes(props.sweepEveryMinutes), 'Sum'),
      { threshold: ordersStuck.threshold, comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD });
    this.add('FailedOrderRate', `More than ${failed.thresholdPercent} % of the orders decided in ${failed.periodMinutes} minutes FAILED (at least ${failed.minimumOrders} decided)`,
      failedRate(Duration.minutes(failed.periodMinutes), failed.minimumOrders),
      { threshold: failed.thresholdPercent, comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD });
    this.add('LateShipmentRate', `Shipments marked late exceed ${late.thresholdPercent} % of the parcels requested over ${late.periodHours} hours (at least ${late.minimumParcels} parcels)`,
      lateShipmentRate(Duration.hours(late.periodHours), late.minimumParcels),
      { threshold: late.thresholdPercent, comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD });
    this.add('TimeToAllocateP99', `p99 of the time from acceptance to a first routing decision above ${p99.thresholdMs / 1000} s for ${p99.periods * p99.periodMinutes} minutes`,
      kpi(KPI.timeToAllocate, Duration.minutes(p99.periodMinutes), 'p99', { attempt: 'first' }),
      { threshold: p99.thresholdMs, evaluationPeriods: p99.periods, comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD });
  }

  private add(id: string, description: string, metric: IMetric | Metric, condition: Pick<AlarmProps, 'threshold' | 'comparisonOperator'> & Partial<Pick<AlarmProps, 'evaluationPeriods'>>): void {
    const alarm = new Alarm(this, id, {
      alarmDescription: description,
      metric,
      evaluationPeriods: 1,
      ...condition,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
  }
}
