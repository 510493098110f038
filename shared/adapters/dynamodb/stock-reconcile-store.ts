import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { ReconcilerState, StockReconcileStore } from '#application/inventory/reconcile-ports';
import type { ReservationLine } from '#domain/inventory/stock';
import { documentClient, GetCommand, PutCommand, queryAll, QueryCommand, ScanCommand, tableName, UpdateCommand } from './client.ts';
import { dynamoStuckOrderFinder } from './fulfillment-store.ts';
import { ENTITY, keys, OPEN_RESERVATION_SHARDS, openReservationShard, stockOfItem } from './inventory-items.ts';
import { dynamoStockStore, withShards } from './stock-store.ts';

/** Where the one-time backfill of the open-reservation index stands (one item for the table, not a tenant's). */
const BACKFILL_KEY = { pk: 'SYSTEM#RECONCILER', sk: 'OPEN_RESERVATION_INDEX' };

/**
 * The stock reconciler's reads and writes. Per tenant and run: the open reservations (one Query per shard of the
 * sparse index, lines only), the location ids (one Query), the stock items location by location from gsi1 (pages of
 * up to 1,000), a consistent GetItem only for an item that looks drifted, and a version-guarded UpdateItem per
 * correction.
 */
export const dynamoStockReconcileStore: StockReconcileStore = {
  tenantIds: () => dynamoStuckOrderFinder.tenantIds(),

  async backfillOpenReservations(pages) {
    const { Item: marker } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: BACKFILL_KEY, ConsistentRead: true }));
    if (marker?.complete === true) return { complete: true, indexed: 0 };
    let start = marker?.lastKey as Record<string, unknown> | undefined;
    let indexed = 0;
    for (let page = 0; page < pages; page++) {
      const { Items = [], LastEvaluatedKey } = await documentClient.send(
        new ScanCommand({
          TableName: tableName(),
          FilterExpression: 'entity = :reservation AND #status = :pending AND attribute_not_exists(gsi1pk)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':reservation': ENTITY.reservation, ':pending': 'PENDING' },
          ProjectionExpression: 'pk, sk, tenantId, reservationId',
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of Items) {
        try {
          await documentClient.send(
            new UpdateCommand({
              TableName: tableName(),
              Key: { pk: item.pk, sk: item.sk },
              UpdateExpression: 'SET gsi1pk = :gsi1pk, gsi1sk = :gsi1sk',
              // Finished meanwhile, or indexed by its own write: nothing to add.
              ConditionExpression: '#status = :pending AND attribute_not_exists(gsi1pk)',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':pending': 'PENDING',
                ':gsi1pk': keys.openReservations(String(item.tenantId), openReservationShard(String(item.reservationId))),
                ':gsi1sk': String(item.reservationId),
              },
            }),
          );
          indexed++;
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }
      start = LastEvaluatedKey;
      if (!start) {
        await documentClient.send(new PutCommand({ TableName: tableName(), Item: { ...BACKFILL_KEY, entity: 'ReconcilerIndex', version: 1, complete: true } }));
        return { complete: true, indexed };
      }
    }
    if (pages > 0) await documentClient.send(new PutCommand({ TableName: tableName(), Item: { ...BACKFILL_KEY, entity: 'ReconcilerIndex', version: 1, complete: false, lastKey: start } }));
    return { complete: false, indexed };
  },

  async openReservationLines(tenantId) {
    const shards = await Promise.all(
      Array.from({ length: OPEN_RESERVATION_SHARDS }, (_, shard) =>
        queryAll({
          TableName: tableName(),
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeNames: { '#status': 'status', '#lines': 'lines' },
          ExpressionAttributeValues: { ':pk': keys.openReservations(tenantId, shard) },
          ProjectionExpression: '#status, #lines',
        }),
      ),
    );
    const open = shards.flat().filter((item) => item.status === 'PENDING');
    return { reservations: open.length, lines: open.flatMap((item) => (item.lines ?? []) as ReservationLine[]) };
  },

  async stockPage(tenantId, from, limit) {
    const locations = (
      await queryAll({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.locations(tenantId), ':prefix': 'LOCATION#' },
        ProjectionExpression: 'sk',
      })
    ).map((item) => String(item.sk).slice('LOCATION#'.length));
    let index = from ? locations.findIndex((id) => id >= from.locationId) : 0;
    if (index < 0 || index >= locations.length) return { items: [] };
    const locationId = locations[index]!;
    const afterSku = from && from.locationId === locationId ? from.afterSku : undefined;
    const { Items = [], LastEvaluatedKey } = await documentClient.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'gsi1',
        KeyConditionExpression: afterSku !== undefined ? 'gsi1pk = :pk AND gsi1sk > :after' : 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.stockAt(tenantId, locationId), ...(afterSku !== undefined ? { ':after': afterSku } : {}) },
        Limit: Math.max(1, limit),
      }),
    );
    // The index holds shard 0 of each location+SKU; a sharded one's other shards are read by key.
    const shards = await withShards(tenantId, Items.filter((item) => item.entity === ENTITY.stock).map(stockOfItem));
    const items = [...shards.values()].flat();
    if (LastEvaluatedKey) return { items, next: { locationId, afterSku: String(LastEvaluatedKey.gsi1sk) } };
    index++;
    return { items, ...(index < locations.length ? { next: { locationId: locations[index]! } } : {}) };
  },

  async getStock(tenantId, locationId, sku, shard = 0) {
    const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: keys.stock(tenantId, locationId, sku, shard), ConsistentRead: true }));
    return Item ? stockOfItem(Item) : undefined;
  },

  async correct(tenantId, locationId, sku, correction, expectedVersion, now, shard = 0) {
    try {
      await documentClient.send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.stock(tenantId, locationId, sku, shard),
          UpdateExpression: 'SET reserved = :reserved, available = :available, unreserved = :unreserved, updatedAt = :now, reconciledAt = :now ADD #version :one',
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':reserved': correction.reserved, ':available': correction.available, ':unreserved': correction.unreserved, ':now': now.toISOString(), ':one': 1, ':expected': expectedVersion },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  },

  rebalance: (tenantId, locationId, sku, now) => dynamoStockStore.rebalance(tenantId, locationId, sku, now),

  async loadState(tenantId) {
    const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: keys.reconcilerState(tenantId), ConsistentRead: true }));
    return { ...(Item?.cursor ? { cursor: Item.cursor as ReconcilerState['cursor'] } : {}), sightings: (Item?.sightings ?? {}) as ReconcilerState['sightings'] };
  },

  async saveState(tenantId, state) {
    // One writer at a time in practice (the schedule; the CLI now and then): a lost sighting only delays a correction.
    await documentClient.send(
      new PutCommand({ TableName: tableName(), Item: { ...keys.reconcilerState(tenantId), entity: ENTITY.reconcilerState, tenantId, version: 1, ...state, updatedAt: new Date().toISOString() } }),
    );
  },
};
