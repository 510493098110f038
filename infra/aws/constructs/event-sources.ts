import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionId, QueueId, QueueMappingSpec, StreamMappingSpec, Topology } from '../../topology.ts';

export interface DomEventSourcesProps {
  readonly topology: Topology;
  readonly table: ITable;
  readonly functions: Record<FunctionId, IFunction>;
  readonly queues: Record<QueueId, IQueue>;
}

/**
 * The manifest's stream and queue mappings. Every consumer reports partial batch failures, so one bad record is
 * retried (or parked) alone instead of its whole batch; stream filters keep records a consumer ignores from invoking it.
 */
export class DomEventSources extends Construct {
  constructor(scope: Construct, id: string, props: DomEventSourcesProps) {
    super(scope, id);
    for (const spec of Object.values(props.topology.streamMappings) as StreamMappingSpec[]) {
      props.functions[spec.function].addEventSource(
        new DynamoEventSource(props.table, {
          startingPosition: StartingPosition[spec.startingPosition],
          batchSize: spec.batchSize,
          maxBatchingWindow: Duration.seconds(spec.maxBatchingWindowSeconds),
          retryAttempts: spec.retryAttempts,
          bisectBatchOnError: spec.bisectBatchOnError,
          reportBatchItemFailures: true,
          onFailure: new SqsDlq(props.queues[spec.onFailure]),
          // The manifest's patterns are raw Lambda filter patterns; FilterCriteria.filter keeps them as written.
          filters: spec.filters?.map((pattern) => FilterCriteria.filter(pattern)),
        }),
      );
    }
    for (const spec of Object.values(props.topology.queueMappings) as QueueMappingSpec[]) {
      props.functions[spec.function].addEventSource(
        new SqsEventSource(props.queues[spec.queue], {
          batchSize: spec.batchSize,
          maxBatchingWindow: Duration.seconds(spec.maxBatchingWindowSeconds),
          reportBatchItemFailures: true,
        }),
      );
    }
  }
}
