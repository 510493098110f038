import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { QueueId, Topology } from '../../topology.ts';
import type { DomRestApi } from '../constructs/api.ts';
import { DomEventRules } from '../constructs/event-rules.ts';
import { DomEventSources } from '../constructs/event-sources.ts';
import { DomFunctions } from '../constructs/functions.ts';
import { DomSchedules } from '../constructs/schedules.ts';
import { DomWorkflows } from '../constructs/workflows.ts';
import { pascal } from '../naming.ts';
import { DomApiStack } from './api-stack.ts';
import { DomMonitoringStack } from './monitoring-stack.ts';
import type { DomStatefulResources } from './stateful-stack.ts';

export interface DomStatelessStackProps extends StackProps {
  readonly topology: Topology;
  readonly stateful: DomStatefulResources;
}

/** Everything that can be redeployed freely: functions, the REST API, workflows, rules, schedules, mappings, alarms. */
export class DomStatelessStack extends Stack {
  readonly functions: DomFunctions;
  readonly api: DomRestApi;
  /** The REST API's own nested stack (its ~160 resources would take this stack past CloudFormation's 500). */
  readonly apiStack: DomApiStack;
  readonly workflows: DomWorkflows;
  readonly rules: DomEventRules;
  readonly schedules: DomSchedules;
  /** Alarms and the technical and business dashboards, nested (they would take a fifth of this stack's 500 resources). */
  readonly monitoring: DomMonitoringStack;

  constructor(scope: Construct, id: string, props: DomStatelessStackProps) {
    super(scope, id, props);
    const { topology, stateful } = props;

    this.functions = new DomFunctions(this, 'Functions', { topology, stateful });
    const functions = this.functions.functions;
    this.apiStack = new DomApiStack(this, 'Api', { topology, functions, authorizer: functions.authorizeRequest });
    this.api = this.apiStack.rest;
    this.workflows = new DomWorkflows(this, 'Workflows', {
      topology,
      functions,
      queues: stateful.queues,
      table: stateful.table,
      bus: stateful.bus,
    });
    this.functions.connectStateMachines(this.workflows.stateMachines, this.workflows.logGroups);
    this.rules = new DomEventRules(this, 'Rules', {
      topology,
      bus: stateful.bus,
      functions,
      stateMachines: this.workflows.stateMachines,
      queues: stateful.queues,
    });
    this.schedules = new DomSchedules(this, 'Schedules', {
      topology,
      functions,
      deadLetterQueue: stateful.queues[topology.ruleTargetDeadLetterQueue],
    });
    new DomEventSources(this, 'EventSources', { topology, table: stateful.table, functions, queues: stateful.queues });

    this.monitoring = new DomMonitoringStack(this, 'Monitoring', {
      topology,
      alarmTopic: stateful.alarmTopic,
      functions,
      stateMachines: this.workflows.stateMachines,
      parkingQueues: this.parkingQueues(topology, stateful),
      api: this.api.api,
    });

    // For `dom orders retry --aws --outputs <cdk outputs file>`: a retry starts a new fulfilment execution.
    for (const [id, stateMachine] of Object.entries(this.workflows.stateMachines)) {
      new CfnOutput(this, `${pascal(id)}StateMachineArn`, { value: stateMachine.stateMachineArn, description: `The ${id} state machine` });
    }
    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the DOM REST API (its stage included)' });
  }

  /**
   * Queues where a message waits for a human: every dead-letter queue and the manifest queues no function consumes
   * (the stream's and the rule targets' failure queues, failure records such as `workflowFailures`).
   */
  private parkingQueues(topology: Topology, stateful: DomStatefulResources): Record<string, IQueue> {
    const consumed = new Set(Object.values(topology.queueMappings).map((mapping) => mapping.queue));
    const parking: Record<string, IQueue> = {};
    for (const queueId of Object.keys(topology.queues) as QueueId[]) {
      parking[`${queueId}Dlq`] = stateful.deadLetterQueues[queueId];
      if (!consumed.has(queueId)) parking[queueId] = stateful.queues[queueId];
    }
    return parking;
  }
}
