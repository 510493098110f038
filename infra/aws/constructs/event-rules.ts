import { Annotations, Duration } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import type { CfnRule, EventPattern as CdkEventPattern, IEventBus, IRuleTarget } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SfnStateMachine, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { EventPattern, FunctionId, QueueId, RuleSpec, RuleTarget, StateMachineId, Topology } from '../../topology.ts';
import { pascal } from '../naming.ts';

export interface DomEventRulesProps {
  readonly topology: Topology;
  readonly bus: IEventBus;
  readonly functions: Record<FunctionId, IFunction>;
  readonly stateMachines: Record<StateMachineId, IStateMachine>;
  readonly queues: Record<QueueId, IQueue>;
}

/** Delivery retries before an event goes to the targets' dead-letter queue. */
const TARGET_RETRY_ATTEMPTS = 8;
const TARGET_MAX_EVENT_AGE = Duration.hours(24);

/**
 * The manifest's subscriptions on the DOM bus. An event a target cannot take after the retries lands in the manifest's
 * `ruleTargetDeadLetterQueue`, never lost.
 */
export class DomEventRules extends Construct {
  readonly rules: Record<string, Rule> = {};
  private readonly deadLetterQueue: IQueue;

  constructor(scope: Construct, id: string, props: DomEventRulesProps) {
    super(scope, id);
    this.deadLetterQueue = this.reference('DeadLetterQueue', props.queues[props.topology.ruleTargetDeadLetterQueue]);
    for (const [ruleName, spec] of Object.entries(props.topology.rules) as [string, RuleSpec][]) {
      const rule = new Rule(this, pascal(ruleName), {
        eventBus: props.bus,
        description: spec.description,
        eventPattern: toCdkPattern(spec.pattern),
      });
      // The manifest pattern is the documented AWS JSON; set it verbatim so every operator survives as written.
      (rule.node.defaultChild as CfnRule).addPropertyOverride('EventPattern', spec.pattern);
      spec.targets.forEach((target, index) => rule.addTarget(this.target(`${pascal(ruleName)}Target${index}`, target, props)));
      // A queue target is a reference to the stateful stack's queue (see `reference`), whose environment CDK cannot
      // resolve from its ARN token: both stacks deploy to one account and region, so rule and queue share it.
      if (spec.targets.some((t) => t.kind === 'queue')) {
        Annotations.of(rule).acknowledgeWarning('@aws-cdk/aws-events:ruleUnresolvedEnvironment', 'The queue is in the stateful stack of the same account and region');
      }
      this.rules[ruleName] = rule;
    }
  }

  private target(id: string, target: RuleTarget, props: DomEventRulesProps): IRuleTarget {
    const delivery = {
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: TARGET_RETRY_ATTEMPTS,
      maxEventAge: TARGET_MAX_EVENT_AGE,
    };
    switch (target.kind) {
      case 'stateMachine':
        return new SfnStateMachine(props.stateMachines[target.stateMachine], delivery);
      case 'function':
        return new LambdaFunction(props.functions[target.function], delivery);
      case 'queue':
        return new SqsQueue(this.reference(`${id}Queue`, props.queues[target.queue]), delivery);
    }
  }

  /**
   * A stateful queue seen through a reference: a target (or DLQ) would otherwise write this rule's ARN into the queue's
   * policy in the stateful stack, a reference back from stateful to stateless that makes the stacks circular. DomQueues
   * grants the DOM bus's rules instead.
   */
  private reference(id: string, queue: IQueue): IQueue {
    return Queue.fromQueueAttributes(this, id, {
      queueArn: queue.queueArn,
      queueUrl: queue.queueUrl,
      queueName: queue.queueName,
    });
  }
}

/** The manifest uses AWS's raw keys (`detail-type`); CDK's typed pattern spells them in camelCase. */
export function toCdkPattern(pattern: EventPattern): CdkEventPattern {
  const mapped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pattern)) {
    mapped[key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = value;
  }
  return mapped as CdkEventPattern;
}
