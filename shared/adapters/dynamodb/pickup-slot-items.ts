import type { SlotTake } from '#domain/orders/pickup-capacity';
import { tableName } from './client.ts';
import { tenantKey } from './keys.ts';

/** A store's pickup slots used on one of its local days: one counter item per store and day (its own partition). */
export const pickupSlotKey = (tenantId: string, locationId: string, day: string) => ({ pk: tenantKey(tenantId, 'PICKUP_SLOTS', locationId), sk: `DAY#${day}` });
/** A day's counter is kept two months after the day: a held pickup released weeks later still finds it. */
const SLOT_COUNTER_DAYS = 60;

/** Slots taken by an allocation: `used` grows by the take only while it stays within the store's limit. */
export function slotTakeItem(tenantId: string, take: SlotTake) {
  return {
    Update: {
      TableName: tableName(),
      Key: pickupSlotKey(tenantId, take.locationId, take.day),
      UpdateExpression: 'SET entity = :entity, locationId = :location, #day = :day, perDay = :perDay, expiresAt = :expires ADD used :count, #version :one',
      // DynamoDB cannot add in a condition: the limit less this take is computed here (used + count <= perDay).
      ConditionExpression: 'attribute_not_exists(used) OR used <= :most',
      ExpressionAttributeNames: { '#day': 'day', '#version': 'version' },
      ExpressionAttributeValues: {
        ':entity': 'PickupSlotCount',
        ':location': take.locationId,
        ':day': take.day,
        ':perDay': take.perDay,
        ':expires': Math.floor(Date.parse(`${take.day}T00:00:00Z`) / 1000) + SLOT_COUNTER_DAYS * 86_400,
        ':count': take.count,
        ':one': 1,
        ':most': take.perDay - take.count,
      },
    },
  };
}

/** Slots given back with a released pickup (no condition: the release is exactly once, guarded by its reservation). */
export function slotReleaseItem(tenantId: string, release: { locationId: string; day: string; count: number }) {
  return {
    Update: {
      TableName: tableName(),
      Key: pickupSlotKey(tenantId, release.locationId, release.day),
      UpdateExpression: 'ADD used :minus, #version :one',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':minus': -release.count, ':one': 1 },
    },
  };
}
