import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { AlarmProps, IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { pascal } from '../naming.ts';

export interface DomAlarmsProps {
  readonly topic: ITopic;
  readonly functions: Record<string, IFunction>;
  readonly stateMachines: Record<string, IStateMachine>;
  /** Queues where a message means something went wrong: dead-letter queues and failure queues nobody consumes. */
  readonly parkingQueues: Record<string, IQueue>;
  /** The consumer of each DynamoDB stream mapping, by mapping name. */
  readonly streamConsumers: Record<string, IFunction>;
  readonly api: RestApi;
  /** The function that publishes the StockDrift metric (Powertools: namespace DOM, dimension service = its id), if any. */
  readonly stockDriftReporter?: string;
}

const PERIOD = Duration.minutes(1);
/**
 * A stream consumer falling behind: its oldest record older than this for ITERATOR_AGE_MINUTES minutes in a row. The
 * stream keeps records 24 h; a consumer that stays behind loses them, and projections and events lag meanwhile.
 */
const ITERATOR_AGE_THRESHOLD = Duration.seconds(60);
const ITERATOR_AGE_MINUTES = 5;

/** An alarm for every place a failure can surface, each notifying the ops topic (and again when it clears). */
export class DomAlarms extends Construct {
  readonly alarms: Alarm[] = [];
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: DomAlarmsProps) {
    super(scope, id);
    this.action = new SnsAction(props.topic);
    for (const [name, queue] of Object.entries(props.parkingQueues)) {
      this.add(`${pascal(name)}HasMessages`, `${name} holds messages that need an operator`,
        queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }));
    }
    for (const [name, fn] of Object.entries(props.functions)) {
      this.add(`${pascal(name)}Errors`, `${name} invocations failed`, fn.metricErrors({ period: PERIOD, statistic: 'Sum' }));
    }
    for (const [name, stateMachine] of Object.entries(props.stateMachines)) {
      this.add(`${pascal(name)}ExecutionsFailed`, `${name} executions failed`,
        stateMachine.metricFailed({ period: PERIOD, statistic: 'Sum' }));
    }
    for (const [name, fn] of Object.entries(props.streamConsumers)) {
      // Lambda publishes IteratorAge per function (not per mapping); each stream mapping has a consumer of its own.
      this.add(`${pascal(name)}IteratorAge`,
        `${name}: the stream consumer is more than ${ITERATOR_AGE_THRESHOLD.toSeconds()} s behind for ${ITERATOR_AGE_MINUTES} minutes`,
        fn.metric('IteratorAge', { period: PERIOD, statistic: 'Maximum' }),
        { threshold: ITERATOR_AGE_THRESHOLD.toMilliseconds(), evaluationPeriods: ITERATOR_AGE_MINUTES, comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD });
    }
    if (props.stockDriftReporter) {
      // The reconciler runs hourly: any drift found in a run is worth a look (a bug, a hand edit or a lost write).
      this.add('StockDriftFound', 'The stock reconciler found stock items whose reserved units did not match their open reservations',
        new Metric({ namespace: 'DOM', metricName: 'StockDrift', dimensionsMap: { service: props.stockDriftReporter }, period: Duration.hours(1), statistic: 'Sum' }));
    }
    this.add('Api5xx', 'The REST API answered with server errors (5XXError)', props.api.metricServerError({ period: PERIOD, statistic: 'Sum' }));
  }

  private add(id: string, description: string, metric: IMetric, condition?: Pick<AlarmProps, 'threshold' | 'evaluationPeriods' | 'comparisonOperator'>): void {
    const alarm = new Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      ...condition,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
  }
}
