import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ConflictError } from '#application/errors';
import { decodeCursor, encodeCursor, ownPosition } from '#application/cursor';
import type { TransferStore } from '#application/inventory/transfer-ports';
import type { StockAddition, StockTake, Transfer } from '#domain/inventory/transfer';
import { documentClient, GetCommand, QueryCommand, tableName, TransactWriteCommand } from './client.ts';
import { tenantKey } from './keys.ts';
import { stockUpdate, versionedPut } from './stock-store.ts';

/**
 * Item layout of transfers (every key starts with the tenant id):
 *
 *   Transfer  pk T#TRANSFER#<transferId>  sk TRANSFER
 *             gsi1pk T#TRANSFERS_FROM#<fromLocationId>  gsi1sk <status>#<requestedAt>#<transferId>   (a location's outgoing)
 *             gsi2pk T#TRANSFERS_TO#<toLocationId>      gsi2sk <status>#<requestedAt>#<transferId>   (a location's incoming)
 *
 * The status leads the index sort keys (as a location's shipments do), so "what is on its way to this store" is one
 * Query on a key prefix. Receipts are kept on the item: a transfer has at most MAX_TRANSFER_RECEIPTS.
 */
export const ENTITY_TRANSFER = 'Transfer';
const transferKey = (tenantId: string, transferId: string) => ({ pk: tenantKey(tenantId, 'TRANSFER', transferId), sk: 'TRANSFER' });
const fromKey = (tenantId: string, locationId: string) => tenantKey(tenantId, 'TRANSFERS_FROM', locationId);
const toKey = (tenantId: string, locationId: string) => tenantKey(tenantId, 'TRANSFERS_TO', locationId);

type Item = Record<string, unknown>;
const KEY_ATTRIBUTES = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'entity']);

export function transferItem(transfer: Transfer): Item {
  const position = `${transfer.status}#${transfer.requestedAt}#${transfer.transferId}`;
  return {
    ...transferKey(transfer.tenantId, transfer.transferId),
    gsi1pk: fromKey(transfer.tenantId, transfer.fromLocationId),
    gsi1sk: position,
    gsi2pk: toKey(transfer.tenantId, transfer.toLocationId),
    gsi2sk: position,
    entity: ENTITY_TRANSFER,
    ...transfer,
  };
}

export function transferOfItem(item: Item): Transfer {
  const out: Item = {};
  for (const [name, value] of Object.entries(item)) if (!KEY_ATTRIBUTES.has(name)) out[name] = value;
  return out as unknown as Transfer;
}

/** A take from one shard of the origin: on-hand, available and unreserved down together, only if available covers it. */
function takeUpdate(tenantId: string, take: StockTake, now: Date) {
  const { ReturnValues: _all, ConditionExpression: _guard, ...update } = stockUpdate(tenantId, take.locationId, take.sku, { kind: 'add', delta: -take.quantity }, now, { shard: take.shard });
  // available = onHand - reserved - safetyStock >= q keeps on-hand above the reserved units and the safety stock.
  const values = { ...update.ExpressionAttributeValues, ':take': take.quantity } as Record<string, unknown>;
  delete values[':minUnreserved'];
  return { ...update, ConditionExpression: 'attribute_exists(pk) AND available >= :take', ExpressionAttributeValues: values };
}

/** Units added to a location+SKU's on-hand (shard 0; the item is created if the location never held the SKU). */
function additionUpdate(tenantId: string, addition: StockAddition, now: Date) {
  const { ReturnValues: _all, ...update } = stockUpdate(tenantId, addition.locationId, addition.sku, { kind: 'add', delta: addition.quantity }, now);
  return update;
}

const cancelled = (error: unknown): error is TransactionCanceledException => error instanceof TransactionCanceledException;

async function get(tenantId: string, transferId: string): Promise<Transfer | undefined> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: transferKey(tenantId, transferId), ConsistentRead: true }));
  return Item ? transferOfItem(Item) : undefined;
}

export const dynamoTransferStore: TransferStore = {
  get,

  async create(transfer, takes) {
    const now = new Date(transfer.requestedAt);
    const items = [{ Put: versionedPut(transferItem(transfer), 0) }, ...takes.map((take) => ({ Update: takeUpdate(transfer.tenantId, take, now) }))];
    if (items.length > 100) throw new Error(`Transfer ${transfer.transferId} takes from ${takes.length} stock items, more than one transaction holds`);
    try {
      await documentClient.send(new TransactWriteCommand({ TransactItems: items as never }));
      return { outcome: 'CREATED' };
    } catch (error) {
      if (!cancelled(error)) throw error;
      if (error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') {
        const stored = await get(transfer.tenantId, transfer.transferId);
        if (stored) return { outcome: 'EXISTS', transfer: stored };
      }
      // A take's condition failed, or another transaction held one of the items: read the stock again.
      return { outcome: 'STOCK_MOVED' };
    }
  },

  async update(transfer, expectedVersion, stock) {
    const now = new Date(transfer.updatedAt);
    const items = [{ Put: versionedPut(transferItem(transfer), expectedVersion) }, ...stock.map((addition) => ({ Update: additionUpdate(transfer.tenantId, addition, now) }))];
    try {
      await documentClient.send(new TransactWriteCommand({ TransactItems: items as never }));
    } catch (error) {
      if (cancelled(error)) throw new ConflictError(`Transfer ${transfer.transferId} changed meanwhile`);
      throw error;
    }
  },

  async list(tenantId, query) {
    const byOrigin = query.fromLocationId !== undefined;
    const index = byOrigin
      ? { name: 'gsi1', pk: 'gsi1pk', sk: 'gsi1sk', value: fromKey(tenantId, query.fromLocationId!) }
      : { name: 'gsi2', pk: 'gsi2pk', sk: 'gsi2sk', value: toKey(tenantId, query.toLocationId!) };
    const after = decodeCursor(query.cursor);
    const start = after ? ownPosition(after, { partition: { [index.pk]: index.value }, sortKeys: ['pk', 'sk', index.sk] }) : undefined;
    const result = await documentClient.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: index.name,
        KeyConditionExpression: query.status ? `${index.pk} = :pk AND begins_with(${index.sk}, :status)` : `${index.pk} = :pk`,
        ExpressionAttributeValues: { ':pk': index.value, ...(query.status ? { ':status': `${query.status}#` } : {}) },
        ScanIndexForward: false,
        Limit: query.limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const nextCursor = encodeCursor(result.LastEvaluatedKey);
    return { transfers: (result.Items ?? []).map(transferOfItem), ...(nextCursor ? { nextCursor } : {}) };
  },
};

