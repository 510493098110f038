import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { FINISHED_RETENTION_SECONDS, sameLines } from '#domain/inventory/reservation';
import type { OrderChange } from '#domain/orders/change';
import type { Order } from '#domain/orders/order';
import { nextCheckAt, type Shipment } from '#domain/orders/shipment';
import { decodeCursor, encodeCursor, ownPosition } from '#application/cursor';
import { ConflictError } from '#application/errors';
import { ReturnIdTakenError, type CreateOrderOutcome, type OrderPage, type OrderStore, type OrderWithShipments, type ShipmentPage } from '#application/orders/ports';
import type { ReturnIndex } from '#application/orders/returns';
import { batchGetAll, documentClient, GetCommand, PutCommand, QueryCommand, tableName, TransactWriteCommand } from './client.ts';
import { keys, reservationOfItem } from './inventory-items.ts';
import { tenantKey } from './keys.ts';
import { reservationFinishItems, stockUpdate } from './stock-store.ts';
import { slotReleasesOf } from '#domain/orders/pickup-capacity';
import { slotReleaseItem } from './pickup-slot-items.ts';

/** Idempotency keys are kept a day, as payment APIs do; a marketplace's external id is kept for the order's life. */
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/** A write of an order that lost a race (the order moved, or a reservation it finishes is no longer pending). */
export function orderConflict(orderId: string): ConflictError {
  return new ConflictError(`Order ${orderId} was changed concurrently`);
}

const orderPk = (tenantId: string, orderId: string) => tenantKey(tenantId, 'ORDER', orderId);

export function orderItem(order: Order) {
  const sortable = `${order.createdAt}#${order.orderId}`;
  return {
    pk: orderPk(order.tenantId, order.orderId),
    sk: 'ORDER',
    entity: 'Order',
    gsi1pk: tenantKey(order.tenantId, 'ORDERS', order.status),
    gsi1sk: sortable,
    gsi2pk: tenantKey(order.tenantId, 'ORDERS'),
    gsi2sk: sortable,
    ...order,
  };
}

export function orderOf(item: Record<string, unknown>): Order {
  const { pk: _pk, sk: _sk, entity: _entity, gsi1pk: _g1, gsi1sk: _g1s, gsi2pk: _g2, gsi2sk: _g2s, ...order } = item;
  return order as unknown as Order;
}

/** The order's write in a transaction: it must still be at `expectedVersion` (the optimistic lock every change takes). */
export function orderPut(order: Order, expectedVersion: number) {
  return { TableName: tableName(), Item: orderItem(order), ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': expectedVersion } };
}

/** The tenant's shipments the scheduled check watches, by when it must next look at them (a sparse entry in gsi1). */
export const shipmentsDueKey = (tenantId: string) => tenantKey(tenantId, 'SHIPMENTS_DUE');

/** A location's shipments (its work queue), in gsi2: sorted by status, then by when they were requested. */
export const locationShipmentsKey = (tenantId: string, locationId: string) => tenantKey(tenantId, 'LOCATION_SHIPMENTS', locationId);

/**
 * A shipment's write, in its order's partition; `isNew` refuses to overwrite an existing one. While its acceptance
 * deadline or its promise is watched, it is also listed by the time it is next due (`nextCheckAt`), so the scheduled
 * check reads only what is due; and it is always listed in its location's work queue (gsi2), by status and age.
 */
export function shipmentPut(order: Order, shipment: Shipment, isNew = false) {
  const checkAt = nextCheckAt(shipment);
  return {
    TableName: tableName(),
    Item: {
      pk: orderPk(order.tenantId, order.orderId),
      sk: `SHIPMENT#${shipment.shipmentId}`,
      entity: 'Shipment',
      ...(checkAt ? { gsi1pk: shipmentsDueKey(order.tenantId), gsi1sk: `${checkAt}#${shipment.shipmentId}` } : {}),
      gsi2pk: locationShipmentsKey(order.tenantId, shipment.locationId),
      gsi2sk: `${shipment.status}#${shipment.createdAt}#${shipment.shipmentId}`,
      ...shipment,
    },
    ...(isNew ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}),
  };
}

export function shipmentOf(item: Record<string, unknown>): Shipment {
  const { pk: _pk, sk: _sk, entity: _entity, gsi1pk: _gsi1pk, gsi1sk: _gsi1sk, gsi2pk: _gsi2pk, gsi2sk: _gsi2sk, ...shipment } = item;
  return shipment as unknown as Shipment;
}

/**
 * The change's reservation moves with the shards their units came from. A shipment whose reservation took units from
 * a sharded location+SKU's other shards is marked (`stockShards`, see the allocation writer): only for those (or a move
 * without its shipment in the change) are the reservation items read, one consistent BatchGetItem, and their recorded
 * lines used. Every other move is finished from its lines (shard 0), with no read, as before.
 */
async function withShardLines(tenantId: string, change: OrderChange): Promise<OrderChange['reservations']> {
  const shipments = new Map(change.shipments.map((shipment) => [shipment.reservationId, shipment]));
  const toRead = change.reservations.filter((move) => {
    const shipment = shipments.get(move.reservationId);
    return !shipment || shipment.stockShards === true;
  });
  if (!toRead.length) return change.reservations;
  const items = await batchGetAll(toRead.map((move) => keys.reservation(tenantId, move.reservationId)), { consistentRead: true });
  const stored = new Map(items.map((item) => [String(item.reservationId), reservationOfItem(item)]));
  return change.reservations.map((move) => {
    const reservation = stored.get(move.reservationId);
    return reservation && sameLines(reservation.lines, move.lines) ? { ...move, lines: reservation.lines } : move;
  });
}

export const dynamoOrderStore: OrderStore = {
  async create(order, dedupe): Promise<CreateOrderOutcome> {
    const now = Math.floor(Date.parse(order.createdAt) / 1000);
    const guards = [
      ...(dedupe.idempotencyKeyDigest
        ? [{ pk: tenantKey(order.tenantId, 'IDEMPOTENCY', dedupe.idempotencyKeyDigest), sk: 'IDEMPOTENCY', expiresAt: now + IDEMPOTENCY_TTL_SECONDS }]
        : []),
      ...(order.externalId ? [{ pk: tenantKey(order.tenantId, 'EXTERNAL', order.channel, order.externalId), sk: 'EXTERNAL' }] : []),
    ];
    try {
      await documentClient.send(
        new TransactWriteCommand({
          TransactItems: [
            ...guards.map((guard) => ({
              Put: {
                TableName: tableName(),
                Item: { ...guard, entity: 'OrderGuard', version: 1, orderId: order.orderId, requestHash: dedupe.requestHash },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            })),
            { Put: { TableName: tableName(), Item: orderItem(order), ConditionExpression: 'attribute_not_exists(pk)' } },
          ],
        }),
      );
      return { created: true };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      // A guard exists: the same request (or a different one with the same key) was accepted before.
      for (const [index, reason] of (error.CancellationReasons ?? []).entries()) {
        if (reason.Code !== 'ConditionalCheckFailed' || index >= guards.length) continue;
        const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: { pk: guards[index]!.pk, sk: guards[index]!.sk }, ConsistentRead: true }));
        if (Item) return { created: false, existingOrderId: String(Item.orderId), sameRequest: Item.requestHash === dedupe.requestHash, guard: guards[index]!.sk === 'IDEMPOTENCY' ? 'idempotencyKey' : 'externalId' };
      }
      throw error;
    }
  },

  async get(tenantId, orderId): Promise<OrderWithShipments | undefined> {
    const { Items = [] } = await documentClient.send(
      new QueryCommand({ TableName: tableName(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': orderPk(tenantId, orderId) }, ConsistentRead: true }),
    );
    const header = Items.find((item) => item.sk === 'ORDER');
    if (!header) return undefined;
    return { order: orderOf(header), shipments: Items.filter((item) => String(item.sk).startsWith('SHIPMENT#')).map(shipmentOf) };
  },

  async list(tenantId, query): Promise<OrderPage> {
    const index = query.status ? { name: 'gsi1', pk: 'gsi1pk', sk: 'gsi1sk', value: tenantKey(tenantId, 'ORDERS', query.status) } : { name: 'gsi2', pk: 'gsi2pk', sk: 'gsi2sk', value: tenantKey(tenantId, 'ORDERS') };
    // A cursor is only honoured for this tenant's own index partition, as every other listing's.
    const after = decodeCursor(query.cursor);
    const start = after ? ownPosition(after, { partition: { [index.pk]: index.value }, sortKeys: ['pk', 'sk', index.sk] }) : undefined;
    const result = await documentClient.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: index.name,
        KeyConditionExpression: `${index.pk} = :pk`,
        ExpressionAttributeValues: { ':pk': index.value },
        ScanIndexForward: false,
        Limit: query.limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const nextCursor = encodeCursor(result.LastEvaluatedKey);
    return { orders: (result.Items ?? []).map(orderOf), ...(nextCursor ? { nextCursor } : {}) };
  },

  async listByLocation(tenantId, locationId, query): Promise<ShipmentPage> {
    const value = locationShipmentsKey(tenantId, locationId);
    const after = decodeCursor(query.cursor);
    const start = after ? ownPosition(after, { partition: { gsi2pk: value }, sortKeys: ['pk', 'sk', 'gsi2sk'] }) : undefined;
    const result = await documentClient.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'gsi2',
        KeyConditionExpression: query.status ? 'gsi2pk = :pk AND begins_with(gsi2sk, :status)' : 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': value, ...(query.status ? { ':status': `${query.status}#` } : {}) },
        Limit: query.limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const nextCursor = encodeCursor(result.LastEvaluatedKey);
    return { shipments: (result.Items ?? []).map(shipmentOf), ...(nextCursor ? { nextCursor } : {}) };
  },

  async commit(change: OrderChange): Promise<void> {
    const { order } = change;
    const now = new Date(order.updatedAt);
    const damagedOf = (line: { locationId: string; sku: string }) => (change.damaged ?? []).find((d) => d.locationId === line.locationId && d.sku === line.sku)?.quantity;
    const retainUntil = Math.ceil(now.getTime() / 1000) + FINISHED_RETENTION_SECONDS;
    const released = new Set(change.reservations.filter((move) => move.to === 'RELEASED').map((move) => move.reservationId));
    const items = [
      { Put: orderPut(order, change.expectedVersion) },
      ...change.shipments.map((shipment) => ({ Put: shipmentPut(order, shipment) })),
      // The reservation moves with the shipment and the order: a crash or a lost race leaves all or none of them.
      ...(await withShardLines(order.tenantId, change)).flatMap((move) => reservationFinishItems({ tenantId: order.tenantId, reservationId: move.reservationId, lines: move.lines }, move.to, now, retainUntil)),
      // A pickup whose reservation is released (cancelled, rejected, expired, taken away) gives its store's slot back,
      // exactly once: the release is guarded by the reservation's status in this same transaction.
      ...slotReleasesOf(change.shipments, released).map((release) => slotReleaseItem(order.tenantId, release)),
      // Restocked units are added, not written over: concurrent returns and feeds never make each other retry.
      ...(change.restock ?? []).map((line) => {
        const { ReturnValues: _all, ...update } = stockUpdate(order.tenantId, line.locationId, line.sku, { kind: 'add', delta: line.quantity }, now);
        // A transaction touches an item once: damaged units of the same location+SKU ride on this update.
        const damaged = damagedOf(line);
        return { Update: damaged ? { ...update, UpdateExpression: `${update.UpdateExpression}, damaged :damaged`, ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':damaged': damaged } } : update };
      }),
      // Damaged units are counted apart on the stock item: never on hand for sale, never available.
      ...(change.damaged ?? [])
        .filter((line) => !(change.restock ?? []).some((r) => r.locationId === line.locationId && r.sku === line.sku))
        .map((line) => ({ Update: damagedUpdate(order.tenantId, line.locationId, line.sku, line.quantity, now) })),
    ];
    // A return's guard: its id belongs to this order alone, so a receipt finds the order by the return id.
    const guards = (change.returnGuards ?? []).map((guard) => ({
      Put: { TableName: tableName(), Item: { ...returnGuardKey(order.tenantId, guard.returnId), entity: 'ReturnGuard', version: 1, orderId: order.orderId, returnId: guard.returnId }, ConditionExpression: 'attribute_not_exists(pk)' },
    }));
    items.push(...(guards as never[]));
    if (items.length > 100) throw new Error(`A change of order ${order.orderId} touches ${items.length} items, more than one transaction holds`);
    try {
      if (items.length === 1) await documentClient.send(new PutCommand(orderPut(order, change.expectedVersion)));
      else await documentClient.send(new TransactWriteCommand({ TransactItems: items as never }));
    } catch (error) {
      if (error instanceof TransactionCanceledException && guards.length) {
        const reasons = error.CancellationReasons ?? [];
        const first = items.length - guards.length;
        // The order itself unchanged but a guard taken: the id is another order's (a lost race is the order's conflict).
        if (reasons[0]?.Code !== 'ConditionalCheckFailed') {
          const taken = guards.findIndex((_, i) => reasons[first + i]?.Code === 'ConditionalCheckFailed');
          if (taken >= 0) throw new ReturnIdTakenError(change.returnGuards![taken]!.returnId);
        }
      }
      if (error instanceof ConditionalCheckFailedException || error instanceof TransactionCanceledException) throw orderConflict(order.orderId);
      throw error;
    }
  },
};

const returnGuardKey = (tenantId: string, returnId: string) => ({ pk: tenantKey(tenantId, 'RETURN', returnId), sk: 'RETURN' });

/** The order a return id belongs to, from its guard. */
export const dynamoReturnIndex: ReturnIndex = {
  async orderOf(tenantId, returnId) {
    const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: returnGuardKey(tenantId, returnId), ConsistentRead: true }));
    return Item ? String(Item.orderId) : undefined;
  },
};

/**
 * Adds units to a stock item's damaged count (creating the item at zero if the location never stocked the SKU). The
 * count is its own attribute: `available` and `onHand` are not touched, so damaged units can never be sold.
 */
function damagedUpdate(tenantId: string, locationId: string, sku: string, quantity: number, now: Date) {
  return {
    TableName: tableName(),
    Key: keys.stock(tenantId, locationId, sku, 0),
    UpdateExpression:
      'SET tenantId = :tenantId, locationId = :locationId, sku = :sku, #entity = :entity, updatedAt = :now, gsi1pk = :gsi1pk, gsi1sk = :sku, ' +
      'onHand = if_not_exists(onHand, :zero), reserved = if_not_exists(reserved, :zero), safetyStock = if_not_exists(safetyStock, :zero), ' +
      'available = if_not_exists(available, :zero), unreserved = if_not_exists(unreserved, :zero) ADD damaged :quantity, #version :one',
    ExpressionAttributeNames: { '#version': 'version', '#entity': 'entity' },
    ExpressionAttributeValues: {
      ':tenantId': tenantId, ':locationId': locationId, ':sku': sku, ':entity': 'Stock', ':now': now.toISOString(), ':gsi1pk': keys.stockAt(tenantId, locationId), ':zero': 0, ':quantity': quantity, ':one': 1,
    },
  };
}

