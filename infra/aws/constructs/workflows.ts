import { readFileSync } from 'node:fs';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Policy } from 'aws-cdk-lib/aws-iam';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { FunctionId, QueueId, StateMachineId, StateMachineSpec, Topology } from '../../topology.ts';
import { acknowledgeNag, nagExecutionsArn, nagArn } from '../nag.ts';
import { fromRepoRoot } from '../paths.ts';
import { pascal } from '../naming.ts';

export interface DomWorkflowsProps {
  readonly topology: Topology;
  readonly functions: Record<FunctionId, IFunction>;
  readonly queues: Record<QueueId, IQueue>;
  readonly table: Table;
  readonly bus: IEventBus;
}

/**
 * The manifest's state machines: the ASL files run unchanged (the local cloud runs the same files), their
 * `${Placeholders}` filled by substitutions, and each allowed exactly the resources its placeholders name.
 */
export class DomWorkflows extends Construct {
  readonly stateMachines: Record<StateMachineId, StateMachine>;
  /** Each machine's execution log group: an Express machine's runs keep their history there only. */
  readonly logGroups: Record<StateMachineId, LogGroup>;

  constructor(scope: Construct, id: string, props: DomWorkflowsProps) {
    super(scope, id);
    const stateMachines: Partial<Record<StateMachineId, StateMachine>> = {};
    const logGroups: Partial<Record<StateMachineId, LogGroup>> = {};
    for (const [stateMachineId, spec] of Object.entries(props.topology.stateMachines) as [StateMachineId, StateMachineSpec][]) {
      const name = pascal(stateMachineId);
      const logGroup = new LogGroup(this, `${name}Logs`, {
        retention: RetentionDays.THREE_MONTHS,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const stateMachine = new StateMachine(this, name, {
        stateMachineType: spec.type === 'EXPRESS' ? StateMachineType.EXPRESS : StateMachineType.STANDARD,
        definitionBody: DefinitionBody.fromFile(fromRepoRoot(spec.definitionFile)),
        definitionSubstitutions: this.substitutions(spec, props),
        tracingEnabled: true,
        // Execution data carries tenant payloads; failures are recorded on the workflowFailures queue instead. The ops
        // console reads an Express run's history from these lines (names, errors, causes): keep the data out of them.
        logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
      });
      this.grant(stateMachine, spec, props);
      if (usesDistributedMap(spec)) this.grantChildExecutions(stateMachine);
      acknowledgeNag(stateMachine, 'IAM5[Resource::*]',
        'X-Ray tracing (xray:PutTraceSegments, GetSamplingRules, ...) and CloudWatch Logs delivery (logs:CreateLogDelivery, ...) accept no resource but *.');
      stateMachines[stateMachineId] = stateMachine;
      logGroups[stateMachineId] = logGroup;
    }
    this.stateMachines = stateMachines as Record<StateMachineId, StateMachine>;
    this.logGroups = logGroups as Record<StateMachineId, LogGroup>;
  }

  private substitutions(spec: StateMachineSpec, props: DomWorkflowsProps): Record<string, string> {
    const values: Record<string, string> = {};
    for (const [placeholder, substitution] of Object.entries(spec.substitutions)) {
      if ('functionArn' in substitution) values[placeholder] = props.functions[substitution.functionArn].functionArn;
      else if ('queueUrl' in substitution) values[placeholder] = props.queues[substitution.queueUrl].queueUrl;
      else if ('busName' in substitution) values[placeholder] = props.bus.eventBusName;
      else values[placeholder] = props.table.tableName;
    }
    return values;
  }

  /**
   * A distributed Map runs its items as child executions of its own state machine, so the machine may start, describe
   * and stop executions of itself (what CDK's DistributedMap construct grants; a definition from a file gets it here).
   * In a Policy of its own, attached to the role: a statement naming the machine in the role's default policy would
   * make the machine depend on itself.
   */
  private grantChildExecutions(stateMachine: StateMachine): void {
    const policy = new Policy(stateMachine, 'DistributedMapPolicy');
    stateMachine.role.attachInlinePolicy(policy);
    stateMachine.grantStartExecution(policy);
    stateMachine.grantExecution(policy, 'states:DescribeExecution', 'states:StopExecution');
    const ref = Stack.of(stateMachine).resolve(stateMachine.stateMachineArn) as { Ref: string };
    const name = JSON.stringify({ 'Fn::Select': [6, { 'Fn::Split': [':', ref] }] });
    acknowledgeNag(policy, `IAM5[Resource::${nagExecutionsArn(policy, name)}]`,
      'Child executions of its own distributed Map: their names are made by Step Functions, so only a wildcard on this machine\'s executions names them.');
  }

  private grant(stateMachine: StateMachine, spec: StateMachineSpec, props: DomWorkflowsProps): void {
    for (const substitution of Object.values(spec.substitutions)) {
      if ('functionArn' in substitution) {
        const fn = props.functions[substitution.functionArn];
        fn.grantInvoke(stateMachine);
        acknowledgeNag(stateMachine, `IAM5[Resource::${nagArn(stateMachine, fn, fn.functionArn)}:*]`,
          `Invoking ${substitution.functionArn} by any of its versions and aliases; no other function.`);
      }
      else if ('queueUrl' in substitution) props.queues[substitution.queueUrl].grantSendMessages(stateMachine);
      else if ('busName' in substitution) props.bus.grantPutEventsTo(stateMachine);
      else {
        props.table.grantReadWriteData(stateMachine);
        acknowledgeNag(stateMachine, `IAM5[Resource::${nagArn(stateMachine, props.table, props.table.tableArn)}/index/*]`,
          'The table grant covers its indexes, not other tables.');
      }
    }
  }
}

/** Whether the definition has a Map whose processor runs in DISTRIBUTED mode (child executions). */
function usesDistributedMap(spec: StateMachineSpec): boolean {
  return /"Mode"\s*:\s*"DISTRIBUTED"/.test(readFileSync(fromRepoRoot(spec.definitionFile), 'utf8'));
}
