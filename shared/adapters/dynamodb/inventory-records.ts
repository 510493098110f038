import type { DynamoDBRecord } from 'aws-lambda';
import type { KeyedChange } from '#application/inventory/project-stock';
import type { Reservation } from '#domain/inventory/reservation';
import { ENTITY, reservationOfItem, stockOfItem } from './inventory-items.ts';
import { itemChangeOf } from './stream-records.ts';

/** A Stock or Sku stream record as a change of its SKU's network projection; undefined for anything else. */
export function networkChangeOf(record: DynamoDBRecord): KeyedChange | undefined {
  const change = itemChangeOf(record);
  const item = change.newItem;
  if (!item || change.kind === 'REMOVE') return undefined;
  if (item.entity === ENTITY.stock) {
    const level = stockOfItem(item);
    return { tenantId: level.tenantId, sku: level.sku, change: { kind: 'stock', level } };
  }
  if (item.entity === ENTITY.sku) {
    const threshold = item.lowStockThreshold;
    return {
      tenantId: String(item.tenantId),
      sku: String(item.sku),
      change: { kind: 'sku', lowStockThreshold: threshold === undefined ? undefined : Number(threshold), version: Number(item.version) },
    };
  }
  return undefined;
}

/**
 * The PENDING reservation a TTL deletion removed, or undefined. Only the DynamoDB service's own deletions count
 * (userIdentity type Service, principal dynamodb.amazonaws.com): a delete by anyone else is not an expiry.
 */
export function expiredReservationOf(record: DynamoDBRecord): Reservation | undefined {
  const identity = (record.userIdentity ?? {}) as { type?: string; principalId?: string; Type?: string; PrincipalId?: string };
  const byTtl = (identity.type ?? identity.Type) === 'Service' && (identity.principalId ?? identity.PrincipalId) === 'dynamodb.amazonaws.com';
  const change = itemChangeOf(record);
  if (!byTtl || change.kind !== 'REMOVE' || change.oldItem?.entity !== ENTITY.reservation) return undefined;
  const reservation = reservationOfItem(change.oldItem);
  return reservation.status === 'PENDING' ? reservation : undefined;
}
