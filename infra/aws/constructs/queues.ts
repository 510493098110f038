import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueId, Topology } from '../../topology.ts';
import { pascal } from '../naming.ts';

export interface DomQueuesProps {
  readonly topology: Topology;
  /** Rules on this bus may target queues; their permission is granted here so the stateless stack need not edit it. */
  readonly bus: IEventBus;
}

/** The manifest's queues, each with its own dead-letter queue; encrypted, TLS-only and retained. */
export class DomQueues extends Construct {
  readonly queues: Record<QueueId, Queue>;
  readonly deadLetterQueues: Record<QueueId, Queue>;

  constructor(scope: Construct, id: string, props: DomQueuesProps) {
    super(scope, id);
    const queues: Partial<Record<QueueId, Queue>> = {};
    const deadLetterQueues: Partial<Record<QueueId, Queue>> = {};
    for (const [queueId, spec] of Object.entries(props.topology.queues) as [QueueId, Topology['queues'][QueueId]][]) {
      const dlq = new Queue(this, `${pascal(queueId)}Dlq`, {
        retentionPeriod: Duration.days(14),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const queue = new Queue(this, pascal(queueId), {
        visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
        retentionPeriod: Duration.seconds(spec.retentionSeconds),
        deadLetterQueue: { queue: dlq, maxReceiveCount: spec.maxReceiveCount },
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      queues[queueId] = queue;
      deadLetterQueues[queueId] = dlq;
    }
    this.queues = queues as Record<QueueId, Queue>;
    this.deadLetterQueues = deadLetterQueues as Record<QueueId, Queue>;
    this.allowRuleTargets(props);
  }

  /**
   * Queues the bus's rules deliver to (targets and the targets' dead-letter queue). A rule in the stateless stack would
   * otherwise add its own ARN to this queue's policy, a reference back from stateful to stateless (a dependency cycle).
   * The grant is made here instead, to the rules of the DOM's bus only.
   */
  private allowRuleTargets({ topology, bus }: DomQueuesProps): void {
    const targeted = new Set<QueueId>();
    if (Object.keys(topology.rules).length > 0) targeted.add(topology.ruleTargetDeadLetterQueue);
    for (const rule of Object.values(topology.rules)) {
      for (const target of rule.targets) if (target.kind === 'queue') targeted.add(target.queue);
    }
    const stack = Stack.of(this);
    for (const queueId of targeted) {
      this.queues[queueId].addToResourcePolicy(
        new PolicyStatement({
          principals: [new ServicePrincipal('events.amazonaws.com')],
          actions: ['sqs:SendMessage'],
          resources: [this.queues[queueId].queueArn],
          conditions: {
            ArnLike: {
              'aws:SourceArn': stack.formatArn({ service: 'events', resource: 'rule', resourceName: `${bus.eventBusName}/*` }),
            },
          },
        }),
      );
    }
  }
}
