import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Dashboard, GraphWidget, SingleValueWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface DomDashboardProps {
  readonly functions: Record<string, IFunction>;
  readonly stateMachines: Record<string, IStateMachine>;
  readonly parkingQueues: Record<string, IQueue>;
  readonly api: RestApi;
}

/** One page for the on-call: API traffic and errors, function errors and latency, workflows and parked messages. */
export class DomDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: DomDashboardProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const functions = Object.entries(props.functions);
    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'API requests and errors',
        left: [props.api.metricCount({ period })],
        right: [props.api.metricClientError({ period }), props.api.metricServerError({ period })],
      }),
      new GraphWidget({
        title: 'API latency p99',
        left: [props.api.metricLatency({ period, statistic: 'p99' })],
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Function errors',
        left: functions.map(([name, fn]) => fn.metricErrors({ period, label: name })),
      }),
      new GraphWidget({
        title: 'Function duration p99',
        left: functions.map(([name, fn]) => fn.metricDuration({ period, statistic: 'p99', label: name })),
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Workflows',
        left: Object.entries(props.stateMachines).flatMap(([name, sm]) => [
          sm.metricSucceeded({ period, label: `${name} succeeded` }),
          sm.metricFailed({ period, label: `${name} failed` }),
        ]),
      }),
      new SingleValueWidget({
        title: 'Messages waiting for an operator',
        metrics: Object.entries(props.parkingQueues).map(([name, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum', label: name }),
        ),
      }),
    );
  }
}
