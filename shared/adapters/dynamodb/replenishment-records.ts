import type { DynamoDBRecord } from 'aws-lambda';
import type { SkuAt } from '#application/replenishment/ports';
import { reorderTriggerOf } from '#domain/replenishment/reorder';
import { itemChangeOf } from './stream-records.ts';

/** The SKU x location a stream record asks replenishment to assess again, keyed by its sequence number; else undefined. */
export function reorderTriggerOfRecord(record: DynamoDBRecord): { id: string; pair: SkuAt } | undefined {
  const change = itemChangeOf(record);
  const pair = reorderTriggerOf(change.kind, change.oldItem, change.newItem);
  return pair ? { id: record.dynamodb!.SequenceNumber!, pair } : undefined;
}
