import type { DynamoDBRecord } from 'aws-lambda';
import type { KeyedDemandChange } from '#application/demand/roll-up-demand';
import { shipmentDemandChange, type ShipmentImage } from '#domain/demand/shipment-demand';
import { itemChangeOf } from './stream-records.ts';

/** A Shipment stream record as a demand change (count or reversal), keyed by its sequence number; else undefined. */
export function shipmentDemandOf(record: DynamoDBRecord): KeyedDemandChange | undefined {
  const change = itemChangeOf(record);
  const image = (item: Record<string, unknown> | undefined) => (item?.entity === 'Shipment' ? (item as unknown as ShipmentImage) : undefined);
  const oldImage = image(change.oldItem);
  const newImage = image(change.newItem);
  if (!oldImage && !newImage) return undefined;
  const demand = shipmentDemandChange(change.kind, oldImage, newImage);
  return demand ? { id: record.dynamodb!.SequenceNumber!, change: demand } : undefined;
}
