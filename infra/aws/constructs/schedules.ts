import { Duration, Stack } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionId, ScheduleSpec, Topology } from '../../topology.ts';
import { acknowledgeNag, nagArn } from '../nag.ts';
import { pascal } from '../naming.ts';

export interface DomSchedulesProps {
  readonly topology: Topology;
  readonly functions: Record<FunctionId, IFunction>;
  /** Where an invocation the scheduler could not make after its retries goes (the manifest's rule-target DLQ). */
  readonly deadLetterQueue: IQueue;
}

/** Delivery retries of one scheduled invocation; a run that is still undeliverable is superseded by the next one. */
const RETRY_ATTEMPTS = 3;

/**
 * The manifest's schedules, on EventBridge Scheduler: each invokes its function at its rate (asynchronously) with its
 * own execution role, retries, and the dead-letter queue. Scheduler writes to the queue with that role, so the
 * stateful queue's policy need not know the schedule (no reference back from stateful to stateless).
 */
export class DomSchedules extends Construct {
  readonly schedules: Record<string, Schedule> = {};

  constructor(scope: Construct, id: string, props: DomSchedulesProps) {
    super(scope, id);
    const account = Stack.of(this).account;
    for (const [name, spec] of Object.entries(props.topology.schedules) as [string, ScheduleSpec][]) {
      const fn = props.functions[spec.function];
      const role = new Role(this, `${pascal(name)}Role`, {
        description: `EventBridge Scheduler: invokes ${spec.function} for the schedule ${name}`,
        // Confused-deputy guard: only schedules of this account may assume the role.
        assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': account } } }),
      });
      const schedule = new Schedule(this, pascal(name), {
        description: spec.description,
        schedule: ScheduleExpression.rate(Duration.minutes(spec.rateMinutes)),
        target: new LambdaInvoke(fn, {
          role,
          deadLetterQueue: props.deadLetterQueue,
          retryAttempts: RETRY_ATTEMPTS,
          // An invocation older than one period is stale: the next run does the same work.
          maxEventAge: Duration.minutes(Math.min(Math.max(spec.rateMinutes, 1), 24 * 60)),
        }),
      });
      acknowledgeNag(role, `IAM5[Resource::${nagArn(role, fn, fn.functionArn)}:*]`,
        `The scheduler may invoke ${spec.function} by any of its versions and aliases; no other function.`);
      this.schedules[name] = schedule;
    }
  }
}
