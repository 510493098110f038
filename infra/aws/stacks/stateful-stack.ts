import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { EventBus } from 'aws-cdk-lib/aws-events';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { QueueId, Topology } from '../../topology.ts';
import { DomEventBus } from '../constructs/event-bus.ts';
import { OpsTopic } from '../constructs/ops-topic.ts';
import { DomQueues } from '../constructs/queues.ts';
import { DomTable } from '../constructs/table.ts';
import { pascal } from '../naming.ts';

export interface DomStatefulStackProps extends StackProps {
  readonly topology: Topology;
}

/** What holds data and outlives deployments: the table, the bus (and its archive), the queues and the alarm topic. */
export class DomStatefulStack extends Stack {
  readonly table: Table;
  readonly bus: EventBus;
  readonly queues: Record<QueueId, Queue>;
  readonly deadLetterQueues: Record<QueueId, Queue>;
  readonly alarmTopic: Topic;

  constructor(scope: Construct, id: string, props: DomStatefulStackProps) {
    super(scope, id, props);
    this.table = new DomTable(this, 'Data', { spec: props.topology.table }).table;
    this.bus = new DomEventBus(this, 'Events').bus;
    const queues = new DomQueues(this, 'Queues', { topology: props.topology, bus: this.bus });
    this.queues = queues.queues;
    this.deadLetterQueues = queues.deadLetterQueues;
    this.alarmTopic = new OpsTopic(this, 'Alarms').topic;

    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'The DOM table (ENV.tableName)' });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName, description: 'The DOM event bus (ENV.busName)' });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn, description: 'Subscribe on-call here' });
    // For `dom dlq list|redrive --aws --outputs <cdk outputs file>`: where each queue and its dead-letter queue live.
    for (const [queueId, queue] of Object.entries(this.queues)) {
      new CfnOutput(this, `${pascal(queueId)}QueueUrl`, { value: queue.queueUrl, description: `The ${queueId} queue` });
      new CfnOutput(this, `${pascal(queueId)}DlqUrl`, { value: this.deadLetterQueues[queueId as QueueId].queueUrl, description: `The ${queueId} dead-letter queue` });
    }
  }
}

/** The stateful resources the stateless stack builds on, handed over as typed construct references. */
export type DomStatefulResources = Pick<DomStatefulStack, 'table' | 'bus' | 'queues' | 'deadLetterQueues' | 'alarmTopic'>;
