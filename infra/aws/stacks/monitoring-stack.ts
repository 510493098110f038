import { NestedStack } from 'aws-cdk-lib';
import type { NestedStackProps } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { Topology } from '../../topology.ts';
import { DomAlarms } from '../constructs/alarms.ts';
import { DomBusinessAlarms } from '../constructs/alarms-business.ts';
import { DomDashboard } from '../constructs/dashboard.ts';
import { DomBusinessDashboard } from '../constructs/dashboard-business.ts';

export interface DomMonitoringProps extends NestedStackProps {
  readonly topology: Topology;
  readonly alarmTopic: ITopic;
  readonly functions: Record<string, IFunction>;
  readonly stateMachines: Record<string, IStateMachine>;
  readonly parkingQueues: Record<string, IQueue>;
  readonly api: RestApi;
}

/**
 * The alarms and both dashboards (technical and business), as a nested stack of the stateless one: they are about a
 * hundred resources (an alarm per function and per parking queue), and CloudFormation allows 500 per stack; nested,
 * they count as one there. What they watch is handed in as parameters, deployed with the parent (no exports).
 */
export class DomMonitoringStack extends NestedStack {
  readonly alarms: DomAlarms;
  readonly businessAlarms: DomBusinessAlarms;

  constructor(scope: Construct, id: string, props: DomMonitoringProps) {
    super(scope, id, props);
    const { topology, functions } = props;
    this.alarms = new DomAlarms(this, 'Alarms', {
      topic: props.alarmTopic,
      functions,
      stateMachines: props.stateMachines,
      parkingQueues: props.parkingQueues,
      // From the manifest: every stream mapping, whatever it is called, gets its IteratorAge alarm.
      streamConsumers: Object.fromEntries(Object.entries(topology.streamMappings).map(([name, mapping]) => [name, functions[mapping.function]!])),
      api: props.api,
      stockDriftReporter: 'reconcileStock' satisfies keyof typeof topology.functions,
    });
    new DomDashboard(this, 'Dashboard', { functions, stateMachines: props.stateMachines, parkingQueues: props.parkingQueues, api: props.api });
    // Business KPIs (shared/powertools/kpis.ts): their alarms and their own dashboard beside the technical one.
    this.businessAlarms = new DomBusinessAlarms(this, 'BusinessAlarms', {
      topic: props.alarmTopic,
      sweepEveryMinutes: topology.schedules.sweepStuckOrders?.rateMinutes ?? 5,
    });
    new DomBusinessDashboard(this, 'BusinessDashboard', {
      stockDriftReporter: 'reconcileStock' satisfies keyof typeof topology.functions,
      alarms: [...this.businessAlarms.alarms, ...this.alarms.alarms.filter((alarm) => alarm.node.id === 'StockDriftFound')],
    });
  }
}
