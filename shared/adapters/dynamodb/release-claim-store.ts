import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { ConsolidationWriter, ReleaseClaims } from '#application/orders/release-windows';
import { documentClient, PutCommand, tableName, TransactWriteCommand } from './client.ts';
import { tenantKey } from './keys.ts';
import { orderPut, shipmentPut } from './order-store.ts';

/** Claims are kept a day (TTL) for ops to see which release took a window; the lease itself is `claimedUntil`. */
const CLAIM_RETENTION_SECONDS = 24 * 60 * 60;

/**
 * A release window's claim: one item per window in the tenant's RELEASE_CLAIMS partition, put only when absent or when
 * the previous claim's lease has run out (a release that crashed mid-way). Two releases at once: one put succeeds.
 */
export const dynamoReleaseClaims: ReleaseClaims = {
  async claim(tenantId, windowId, now, until) {
    try {
      await documentClient.send(
        new PutCommand({
          TableName: tableName(),
          Item: {
            pk: tenantKey(tenantId, 'RELEASE_CLAIMS'),
            sk: windowId,
            entity: 'ReleaseClaim',
            version: 1,
            tenantId,
            windowId,
            claimedAt: now.toISOString(),
            claimedUntil: until.toISOString(),
            expiresAt: Math.floor(now.getTime() / 1000) + CLAIM_RETENTION_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR claimedUntil < :now',
          ExpressionAttributeValues: { ':now': now.toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  },
};

/**
 * A group's consolidated parcel: every order of the group (each guarded by the version it was read at, so a location
 * that accepted a shipment meanwhile, a cancellation or any other change makes the whole write fail) and the shipments
 * that now share a parcel, in one transaction. False when a guard failed: the shipments stay separate parcels.
 */
export const dynamoConsolidationWriter: ConsolidationWriter = {
  async commitAll(changes) {
    const items = changes.flatMap((change) => [{ Put: orderPut(change.order, change.expectedVersion) }, ...change.shipments.map((shipment) => ({ Put: shipmentPut(change.order, shipment) }))]);
    if (!items.length) return true;
    if (items.length > 100) return false;
    try {
      await documentClient.send(new TransactWriteCommand({ TransactItems: items as never }));
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException) return false;
      throw error;
    }
  },
};
