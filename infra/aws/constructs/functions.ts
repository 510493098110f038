import { Fn, Stack } from 'aws-cdk-lib';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { deadLetterQueueUrlEnv, ENV, queueUrlEnv, stateMachineArnEnv, stateMachineLogGroupEnv } from '../../topology.ts';
import type { FunctionId, FunctionSpec, StateMachineId, Topology } from '../../topology.ts';
import type { DomStatefulResources } from '../stacks/stateful-stack.ts';
import { acknowledgeNag, nagExecutionsArn, nagArn } from '../nag.ts';
import { DomFunction } from './dom-function.ts';
import { pascal } from '../naming.ts';

export interface DomFunctionsProps {
  readonly topology: Topology;
  readonly stateful: DomStatefulResources;
}

/**
 * One DomFunction per manifest entry. Each is told (environment) and allowed (IAM) exactly what its `grants` name:
 * nothing more, so a function that does not touch the table has neither its name nor a DynamoDB permission.
 */
export class DomFunctions extends Construct {
  readonly functions: Record<FunctionId, DomFunction>;
  private readonly topology: Topology;

  constructor(scope: Construct, id: string, props: DomFunctionsProps) {
    super(scope, id);
    this.topology = props.topology;
    const { table, bus, queues, deadLetterQueues } = props.stateful;
    const functions: Partial<Record<FunctionId, DomFunction>> = {};
    for (const [functionId, spec] of entries(props.topology.functions)) {
      const { grants } = spec;
      const environment: Record<string, string> = {};
      if (grants.table) environment[ENV.tableName] = table.tableName;
      if (grants.bus) environment[ENV.busName] = bus.eventBusName;
      for (const queueId of grants.queues ?? []) environment[queueUrlEnv(queueId)] = queues[queueId].queueUrl;
      for (const queueId of grants.deadLetters ?? []) {
        environment[queueUrlEnv(queueId)] = queues[queueId].queueUrl;
        environment[deadLetterQueueUrlEnv(queueId)] = deadLetterQueues[queueId].queueUrl;
      }

      const fn = new DomFunction(this, pascal(functionId), { functionId, spec, environment });
      if (grants.table === 'read') table.grantReadData(fn);
      if (grants.table === 'readWrite') table.grantReadWriteData(fn);
      if (grants.tableStatements === 'write') table.grant(fn, 'dynamodb:PartiQLInsert', 'dynamodb:PartiQLUpdate');
      if (grants.table) {
        acknowledgeNag(fn, `IAM5[Resource::${nagArn(fn, table, table.tableArn)}/index/*]`,
          'The table grant covers its indexes (the overloaded gsi1 and any added later), not other tables.');
      }
      if (grants.bus === 'put') bus.grantPutEventsTo(fn);
      for (const queueId of grants.queues ?? []) queues[queueId].grantSendMessages(fn);
      // A redrive receives from the DLQ (and hides or deletes what it read) and sends back to the queue: nothing more.
      for (const queueId of grants.deadLetters ?? []) {
        deadLetterQueues[queueId].grantConsumeMessages(fn);
        queues[queueId].grantSendMessages(fn);
      }
      functions[functionId] = fn;
    }
    this.functions = functions as Record<FunctionId, DomFunction>;

    // Rule and schedule targets run asynchronously: after Lambda's own retries a failed event would be dropped. It goes
    // to the rule targets' dead-letter queue instead (EventBridge's DLQ only catches events it could not hand over).
    const onFailure = new SqsDestination(queues[props.topology.ruleTargetDeadLetterQueue]);
    for (const functionId of asyncInvoked(props.topology)) {
      this.functions[functionId].configureAsyncInvoke({ onFailure, retryAttempts: 2 });
    }
  }

  /**
   * State machines are built after the functions they invoke; functions that start them, or read their executions, are
   * wired afterwards (`logGroups`: each machine's execution log group).
   */
  connectStateMachines(stateMachines: Record<StateMachineId, StateMachine>, logGroups: Record<StateMachineId, ILogGroup>): void {
    for (const [functionId, spec] of entries(this.topology.functions)) {
      for (const stateMachineId of spec.grants.stateMachines ?? []) {
        const fn = this.functions[functionId];
        fn.addEnvironment(stateMachineArnEnv(stateMachineId), stateMachines[stateMachineId].stateMachineArn);
        stateMachines[stateMachineId].grantStartExecution(fn);
      }
      for (const stateMachineId of spec.grants.executionHistory ?? []) {
        const fn = this.functions[functionId];
        const stateMachine = stateMachines[stateMachineId];
        // Executions have ARNs of their own (execution:/express: in place of stateMachine:): the grant names them.
        stateMachine.grantExecution(fn, 'states:DescribeExecution', 'states:GetExecutionHistory');
        // cdk-nag names the resource with the machine's name as the template spells it (a token of its ARN).
        const machineName = JSON.stringify(Stack.of(fn).resolve(Fn.select(6, Fn.split(':', stateMachine.stateMachineArn))));
        acknowledgeNag(fn, `IAM5[Resource::${nagExecutionsArn(fn, machineName)}]`,
          `Reads the history of ${stateMachineId}'s executions, any of them (their names are per order); it cannot start or stop one.`);
        if (this.topology.stateMachines[stateMachineId].type === 'EXPRESS') {
          // On AWS an Express run's history is in the machine's log group only: the function searches that group (its
          // ARN, logGroupArn, ends in :*, which FilterLogEvents needs) and is told which machine's runs it holds.
          fn.addEnvironment(stateMachineArnEnv(stateMachineId), stateMachine.stateMachineArn);
          fn.addEnvironment(stateMachineLogGroupEnv(stateMachineId), logGroups[stateMachineId].logGroupName);
          logGroups[stateMachineId].grant(fn, 'logs:FilterLogEvents');
        }
      }
    }
  }
}

/** Functions EventBridge invokes asynchronously: rule targets and scheduled functions. */
export function asyncInvoked(topology: Topology): Set<FunctionId> {
  const ids = new Set<FunctionId>();
  for (const rule of Object.values(topology.rules)) {
    for (const target of rule.targets) if (target.kind === 'function') ids.add(target.function);
  }
  for (const schedule of Object.values(topology.schedules)) ids.add(schedule.function);
  return ids;
}

function entries(functions: Record<FunctionId, FunctionSpec>): [FunctionId, FunctionSpec][] {
  return Object.entries(functions) as [FunctionId, FunctionSpec][];
}
