import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { ItemChange } from '#domain/table-events/change-events';

/** A DynamoDB stream record as the domain's ItemChange (plain objects, not attribute values). */
export function itemChangeOf(record: DynamoDBRecord): ItemChange {
  const image = (value: unknown) => (value ? unmarshall(value as Record<string, AttributeValue>) : undefined);
  const seconds = record.dynamodb?.ApproximateCreationDateTime;
  return {
    changeId: record.eventID ?? record.dynamodb?.SequenceNumber ?? 'unknown',
    kind: (record.eventName ?? 'MODIFY') as ItemChange['kind'],
    occurredAt: new Date(seconds ? seconds * 1000 : 0).toISOString(),
    oldItem: image(record.dynamodb?.OldImage),
    newItem: image(record.dynamodb?.NewImage),
  };
}
