import { setTimeout as sleep } from 'node:timers/promises';
import { ConditionalCheckFailedException, TransactionCanceledException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { FinishAttempt, NetworkWrite, NetworkWriteOutcome, ReservationStore, ReserveAttempt, SkuNetworkStore, StockStore } from '#application/ports';
import type { Reservation } from '#domain/inventory/reservation';
import type { StockWrite } from '#domain/inventory/stock';
import { BatchExecuteStatementCommand, batchGetAll, documentClient, GetCommand, PutCommand, queryAll, QueryCommand, tableName, TransactWriteCommand, UpdateCommand } from './client.ts';
import { ownKey } from './catalog-store.ts';
import { changedLocations, type SkuNetwork } from '#domain/inventory/projection';
import { joinNetwork, splitNetwork, type NetworkHead } from '#domain/inventory/network-layout';
import {
  ENTITY, keys, networkHeadItem, networkHeadOfItem, networkItem, networkOfItem, networkShardItem, networkShardOfItem, reservationItem, reservationOfItem, SHARD_PREFIX, stockOfItem,
} from './inventory-items.ts';

type Item = Record<string, unknown>;
export const stockKey = (locationId: string, sku: string) => `${locationId} ${sku}`;

/** A put guarded by the item's version: 0 means the item must not exist yet (alone, or as a transaction's Put). */
export function versionedPut(item: Item, expectedVersion: number) {
  return {
    TableName: tableName(),
    Item: item,
    ...(expectedVersion === 0
      ? { ConditionExpression: 'attribute_not_exists(pk)' }
      : { ConditionExpression: '#version = :expected', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': expectedVersion } }),
  };
}

/** A PartiQL identifier: double quotes, inner ones doubled. */
const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * The same guarded put as a PartiQL statement, for BatchExecuteStatement (up to 25 independent writes in one call, each
 * with its own outcome, at the cost of single writes: a transaction would cost twice and fail whole). An INSERT must
 * not find the item; an UPDATE must find it at the expected version and sets every attribute of `item` but the key,
 * so it stands for a put only for items that always carry the same attributes (as projections do).
 */
export function versionedPutStatement(item: Item, expectedVersion: number): { Statement: string; Parameters: unknown[] } {
  const names = Object.keys(item).filter((name) => item[name] !== undefined);
  if (expectedVersion === 0) {
    const literal = (name: string) => `'${name.replaceAll("'", "''")}'`;
    return { Statement: `INSERT INTO ${quoted(tableName())} VALUE {${names.map((name) => `${literal(name)}: ?`).join(', ')}}`, Parameters: names.map((name) => item[name]) };
  }
  const set = names.filter((name) => name !== 'pk' && name !== 'sk');
  return {
    Statement: `UPDATE ${quoted(tableName())} ${set.map((name) => `SET ${quoted(name)} = ?`).join(' ')} WHERE "pk" = ? AND "sk" = ? AND "version" = ?`,
    Parameters: [...set.map((name) => item[name]), item.pk, item.sk, expectedVersion],
  };
}

/**
 * A network write as a statement: the whole item when it is new, otherwise an UPDATE of only the attributes and the
 * location entries that differ from the stored network it was merged onto (one entry of a 60-location network rather
 * than all of them). mergeNetwork keeps unchanged entries as they were, so an entry that is not the same object changed.
 */
export function networkWriteStatement({ network, expectedVersion, previous }: NetworkWrite): { Statement: string; Parameters: unknown[] } {
  const item = networkItem(network);
  if (!previous || expectedVersion === 0 || previous.version !== expectedVersion) return versionedPutStatement(item, expectedVersion);
  const before = networkItem(previous);
  const set: [string, unknown][] = [];
  const remove: string[] = [];
  for (const name of Object.keys(item)) {
    if (name !== 'pk' && name !== 'sk' && name !== 'locations' && item[name] !== before[name]) set.push([quoted(name), item[name]]);
  }
  for (const [locationId, entry] of Object.entries(network.locations)) {
    if (entry !== previous.locations[locationId]) set.push([`"locations".${quoted(locationId)}`, entry]);
  }
  for (const locationId of Object.keys(previous.locations)) if (!(locationId in network.locations)) remove.push(`"locations".${quoted(locationId)}`);
  return {
    Statement: `UPDATE ${quoted(tableName())} ${set.map(([path]) => `SET ${path} = ?`).join(' ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''} WHERE "pk" = ? AND "sk" = ? AND "version" = ?`,
    Parameters: [...set.map(([, value]) => value), item.pk, item.sk, expectedVersion],
  };
}

const STATEMENTS_PER_CALL = 25;
const STALE_CODES = new Set(['ConditionalCheckFailed', 'DuplicateItem']);

/** Runs the statements, 25 to a BatchExecuteStatement call, the calls side by side; answers each one's outcome. */
async function runWrites(statements: { Statement: string; Parameters: unknown[] }[]): Promise<NetworkWriteOutcome[]> {
  const calls: Promise<NetworkWriteOutcome[]>[] = [];
  for (let i = 0; i < statements.length; i += STATEMENTS_PER_CALL) {
    const chunk = statements.slice(i, i + STATEMENTS_PER_CALL);
    calls.push(
      documentClient
        .send(new BatchExecuteStatementCommand({ Statements: chunk }))
        .then(({ Responses = [] }) => chunk.map((_, j) => (Responses[j]?.Error ? (STALE_CODES.has(Responses[j]!.Error!.Code ?? '') ? 'stale' : 'failed') : 'written'))),
    );
  }
  return (await Promise.all(calls)).flat();
}

/**
 * A StockWrite as one UpdateItem. The item's identity is set on every write, so an `add` may create the item. The
 * version is added to, never set, so concurrent writers each get their own version (the projection orders entries by
 * it). `unreserved = onHand - reserved` moves with on-hand: the guard of every decrement.
 */
export function stockUpdate(tenantId: string, locationId: string, sku: string, write: StockWrite, now: Date) {
  const set = ['tenantId = :tenantId', 'locationId = :locationId', 'sku = :sku', '#entity = :entity', 'gsi1pk = :gsi1pk', 'gsi1sk = :sku', 'updatedAt = :now'];
  const add = ['#version :one'];
  const conditions: string[] = [];
  const values: Record<string, unknown> = {
    ':tenantId': tenantId, ':locationId': locationId, ':sku': sku, ':entity': ENTITY.stock, ':gsi1pk': keys.stockAt(tenantId, locationId), ':now': now.toISOString(), ':one': 1,
  };
  if (write.kind === 'add') {
    set.push('reserved = if_not_exists(reserved, :zero)', 'safetyStock = if_not_exists(safetyStock, :zero)');
    add.push('onHand :delta', 'available :delta', 'unreserved :delta');
    values[':zero'] = 0;
    values[':delta'] = write.delta;
    if (write.delta < 0) {
      // Missing (a new item, or one written before `unreserved` existed) fails too: the caller reads why.
      conditions.push('unreserved >= :minUnreserved');
      values[':minUnreserved'] = -write.delta;
    }
  } else {
    const { level } = write;
    set.push('onHand = :onHand', 'reserved = :reserved', 'safetyStock = :safetyStock', 'available = :available', 'unreserved = :unreserved');
    Object.assign(values, { ':onHand': level.onHand, ':reserved': level.reserved, ':safetyStock': level.safetyStock, ':available': level.available, ':unreserved': level.onHand - level.reserved });
    if (write.basis === 'absent') conditions.push('attribute_not_exists(pk)');
    else {
      conditions.push('reserved = :basisReserved AND safetyStock = :basisSafetyStock');
      Object.assign(values, { ':basisReserved': write.basis.reserved, ':basisSafetyStock': write.basis.safetyStock });
    }
  }
  if (write.sequence !== undefined) {
    set.push('lastSequence = :sequence');
    conditions.push('(attribute_not_exists(lastSequence) OR lastSequence < :sequence)');
    values[':sequence'] = write.sequence;
  }
  return {
    TableName: tableName(),
    Key: keys.stock(tenantId, locationId, sku),
    UpdateExpression: `SET ${set.join(', ')} ADD ${add.join(', ')}`,
    ...(conditions.length ? { ConditionExpression: conditions.join(' AND ') } : {}),
    ExpressionAttributeNames: { '#version': 'version', '#entity': 'entity' },
    ExpressionAttributeValues: values,
    ReturnValues: 'ALL_NEW' as const,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
}

export const dynamoStockStore: StockStore = {
  async getMany(tenantId, pairs) {
    const items = await batchGetAll(pairs.map((p) => keys.stock(tenantId, p.locationId, p.sku)), { consistentRead: true });
    return new Map(items.map((item) => [stockKey(String(item.locationId), String(item.sku)), stockOfItem(item)]));
  },
  async adjust(tenantId, locationId, sku, write, now) {
    try {
      const { Attributes } = await documentClient.send(new UpdateCommand(stockUpdate(tenantId, locationId, sku, write, now)));
      return { applied: true, level: stockOfItem(Attributes!) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const old = error.Item ? unmarshall(error.Item as Record<string, AttributeValue>) : undefined;
      return { applied: false, current: old ? stockOfItem(old) : undefined };
    }
  },
  async listBySku(tenantId, sku) {
    const items = await queryAll({ TableName: tableName(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.stockOfSku(tenantId, sku) }, ConsistentRead: true });
    return items.map(stockOfItem);
  },

  async listByLocation(tenantId, locationId, { limit, after }) {
    const pk = keys.stockAt(tenantId, locationId);
    const { Items, LastEvaluatedKey } = await documentClient.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        Limit: limit,
        ...(after ? { ExclusiveStartKey: ownKey(after, pk, { name: 'gsi1pk', value: pk }) } : {}),
      }),
    );
    return { items: (Items ?? []).map(stockOfItem), ...(LastEvaluatedKey ? { next: LastEvaluatedKey } : {}) };
  },
};

/** Cancellation reasons as plain objects; the document client leaves `Item` in attribute-value form. */
function reasonsOf(error: TransactionCanceledException): Array<{ code: string; item?: Item }> {
  return (error.CancellationReasons ?? []).map((reason) => ({
    code: reason.Code ?? 'None',
    ...(reason.Item ? { item: unmarshall(reason.Item as Record<string, AttributeValue>) } : {}),
  }));
}

/**
 * TransactWriteItems with the retries a contended item needs: on AWS a transaction that meets another one on the same
 * item is cancelled with TransactionConflict (nothing applied); it is safe to run again, after a jittered pause.
 * Condition failures are answers, returned as they are.
 */
export async function transact(items: Item[], token?: string): Promise<{ ok: true } | { ok: false; reasons: Array<{ code: string; item?: Item }> }> {
  for (let attempt = 0; ; attempt++) {
    try {
      await documentClient.send(new TransactWriteCommand({ TransactItems: items as never, ...(token ? { ClientRequestToken: token } : {}) }));
      return { ok: true };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = reasonsOf(error);
      const conflicted = reasons.some((r) => r.code === 'TransactionConflict');
      const conditionFailed = reasons.some((r) => r.code === 'ConditionalCheckFailed');
      if (conditionFailed || !conflicted || attempt >= 6) {
        if (!conditionFailed) throw error;
        return { ok: false, reasons };
      }
      await sleep(Math.random() * Math.min(200, 5 * 2 ** attempt));
    }
  }
}

const releaseLine = (tenantId: string, line: { locationId: string; sku: string; quantity: number }, nowIso: string) => ({
  Update: {
    TableName: tableName(),
    Key: keys.stock(tenantId, line.locationId, line.sku),
    UpdateExpression: 'SET reserved = reserved - :q, available = available + :q, #version = #version + :one, updatedAt = :now ADD unreserved :q',
    ConditionExpression: 'reserved >= :q',
    ExpressionAttributeNames: { '#version': 'version' },
    ExpressionAttributeValues: { ':q': line.quantity, ':one': 1, ':now': nowIso },
  },
});

/**
 * The transaction items that finish a PENDING reservation: the reservation item (guarded by its status) and one update
 * per stock line. Use cases that move a shipment or an order together with its reservation put these in the same
 * transaction as the order (see the order store), so both change or neither.
 */
export function reservationFinishItems(reservation: Pick<Reservation, 'tenantId' | 'reservationId' | 'lines'>, status: 'RELEASED' | 'COMMITTED', now: Date, retainUntil: number): Item[] {
  const nowIso = now.toISOString();
  const stockUpdates =
    status === 'RELEASED'
      ? reservation.lines.map((line) => releaseLine(reservation.tenantId, line, nowIso))
      : reservation.lines.map((line) => ({
          Update: {
            TableName: tableName(),
            Key: keys.stock(reservation.tenantId, line.locationId, line.sku),
            // Shipping takes the units out of both on-hand and reserved: available does not move.
            UpdateExpression: 'SET onHand = onHand - :q, reserved = reserved - :q, #version = #version + :one, updatedAt = :now',
            ConditionExpression: 'reserved >= :q AND onHand >= :q',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':q': line.quantity, ':one': 1, ':now': nowIso },
          },
        }));
  return [
    {
      Update: {
        TableName: tableName(),
        Key: keys.reservation(reservation.tenantId, reservation.reservationId),
        // Out of the open-reservations index (a sparse gsi1 partition) as it stops holding units.
        UpdateExpression: 'SET #status = :status, #version = #version + :one, updatedAt = :now, expiresAt = :retain REMOVE gsi1pk, gsi1sk',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
        ExpressionAttributeValues: { ':status': status, ':pending': 'PENDING', ':one': 1, ':now': nowIso, ':retain': retainUntil },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    ...stockUpdates,
  ];
}

async function finish(reservation: Reservation, status: 'RELEASED' | 'COMMITTED', now: Date, retainUntil: number): Promise<FinishAttempt> {
  const result = await transact(reservationFinishItems(reservation, status, now, retainUntil));
  if (result.ok) return { outcome: 'DONE' };
  const head = result.reasons[0];
  if (head?.code === 'ConditionalCheckFailed') return { outcome: 'NOT_PENDING', reservation: head.item ? reservationOfItem(head.item) : undefined };
  // A stock condition failed while the reservation was pending: the counts no longer cover the reservation.
  throw new Error(`Stock of reservation ${reservation.reservationId} does not cover it (${result.reasons.map((r) => r.code).join(', ')})`);
}

/**
 * The transaction items that make a reservation: the reservation item (which must not exist: its id is the
 * idempotency key) and, per line, the stock update guarded by `available >= minAvailable[i]`. A use case that confirms
 * an allocation as it reserves puts these in the same transaction as the order (see the allocation writer).
 */
export function reserveItems(reservation: Reservation, minAvailable: readonly number[]): Item[] {
  const nowIso = reservation.createdAt;
  return [
    {
      Put: {
        TableName: tableName(),
        Item: reservationItem(reservation),
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    ...reservation.lines.map((line, i) => ({
      Update: {
        TableName: tableName(),
        Key: keys.stock(reservation.tenantId, line.locationId, line.sku),
        // ADD, not SET, for `unreserved`: an item written before it existed gets a value too low, never too high, so
        // a decrement is at worst refused and then written from the item as read (which repairs it).
        UpdateExpression: 'SET reserved = reserved + :q, available = available - :q, #version = #version + :one, updatedAt = :now ADD unreserved :negQ',
        // The invariants live here, not in a read before the write: available >= q keeps reserved <= onHand - safetyStock.
        ConditionExpression: 'available >= :min',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':q': line.quantity, ':negQ': -line.quantity, ':min': minAvailable[i]!, ':one': 1, ':now': nowIso },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    })),
  ];
}

export const dynamoReservationStore: ReservationStore = {
  async reserve(reservation, minAvailable): Promise<ReserveAttempt> {
    const result = await transact(reserveItems(reservation, minAvailable));
    if (result.ok) return { outcome: 'RESERVED' };
    const [head, ...lines] = result.reasons;
    if (head?.code === 'ConditionalCheckFailed' && head.item) return { outcome: 'EXISTS', reservation: reservationOfItem(head.item) };
    const failed = lines.flatMap((reason, index) =>
      reason.code === 'ConditionalCheckFailed' ? [{ index, available: reason.item ? Number(reason.item.available) : undefined }] : [],
    );
    return { outcome: 'INSUFFICIENT', failed };
  },

  async recordRejection(reservation) {
    try {
      await documentClient.send(
        new PutCommand({ TableName: tableName(), Item: reservationItem(reservation), ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return reservation;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.get(reservation.tenantId, reservation.reservationId);
      if (!existing) throw error;
      return existing;
    }
  },

  async get(tenantId, reservationId) {
    const { Item } = await documentClient.send(
      new GetCommand({ TableName: tableName(), Key: keys.reservation(tenantId, reservationId), ConsistentRead: true }),
    );
    return Item ? reservationOfItem(Item) : undefined;
  },

  release: (reservation, now, retainUntil) => finish(reservation, 'RELEASED', now, retainUntil),
  commit: (reservation, now, retainUntil) => finish(reservation, 'COMMITTED', now, retainUntil),

  async returnExpired(reservation, now, retainUntil) {
    const nowIso = now.toISOString();
    const tombstone: Reservation = { ...reservation, status: 'EXPIRED', expiresAt: retainUntil, version: reservation.version + 1 };
    const result = await transact([
      { Put: { TableName: tableName(), Item: { ...reservationItem(tombstone), updatedAt: nowIso }, ConditionExpression: 'attribute_not_exists(pk)' } },
      ...reservation.lines.map((line) => releaseLine(reservation.tenantId, line, nowIso)),
    ]);
    if (result.ok) return true;
    if (result.reasons[0]?.code === 'ConditionalCheckFailed') return false;
    throw new Error(`Stock of expired reservation ${reservation.reservationId} does not cover it (${result.reasons.map((r) => r.code).join(', ')})`);
  },
};

/**
 * A split network's write: one transaction of the head (guarded by its version) and the shards this version rewrote
 * (and a Delete of any shard the layout no longer has). Shards need no condition of their own: every writer of a
 * network goes through its head in the same transaction. A lost race (the head's condition, or another transaction on
 * the same items) is `stale`: read again, merge again.
 */
async function writeSplit({ network, expectedVersion, previous }: NetworkWrite): Promise<NetworkWriteOutcome> {
  const { head, shards } = splitNetwork(network, changedLocations(previous, network));
  const dropped = (previous?.shards?.length ?? 0) - network.shards!.length;
  const items = [
    { Put: versionedPut(networkHeadItem(head), expectedVersion) },
    ...shards.map((shard) => ({ Put: { TableName: tableName(), Item: networkShardItem(shard) } })),
    ...Array.from({ length: Math.max(0, dropped) }, (_, i) => ({ Delete: { TableName: tableName(), Key: keys.networkShard(network.tenantId, network.sku, network.shards!.length + i) } })),
  ];
  try {
    await documentClient.send(new TransactWriteCommand({ TransactItems: items as never }));
    return 'written';
  } catch (error) {
    if (error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict')) return 'stale';
    return 'failed';
  }
}

const READ_ATTEMPTS = 5;

/**
 * A split network, read consistently: its shards (one Query of the partition; the head was read already) must be at
 * the versions the head names, else a write came between the two reads and the whole partition is read again (head
 * and shards in one Query), a few times at most.
 */
async function readSplit(tenantId: string, firstHead: NetworkHead): Promise<SkuNetwork> {
  const { pk } = keys.network(tenantId, firstHead.sku);
  let head = firstHead;
  for (let attempt = 1; ; attempt++) {
    const items = await queryAll({
      TableName: tableName(),
      KeyConditionExpression: attempt === 1 ? 'pk = :pk AND begins_with(sk, :shards)' : 'pk = :pk',
      ExpressionAttributeValues: attempt === 1 ? { ':pk': pk, ':shards': SHARD_PREFIX } : { ':pk': pk },
      ConsistentRead: true,
    });
    if (attempt > 1) {
      const stored = items.find((item) => item.entity === ENTITY.network);
      if (!stored) throw new Error(`the network of ${firstHead.sku} disappeared while it was read`);
      if (!stored.shards) return networkOfItem(stored);
      head = networkHeadOfItem(stored);
    }
    const network = joinNetwork(head, items.filter((item) => item.entity === ENTITY.networkShard).map(networkShardOfItem));
    if (network) return network;
    if (attempt >= READ_ATTEMPTS) throw new Error(`the network of ${firstHead.sku} kept changing under ${READ_ATTEMPTS} reads`);
    await sleep(Math.random() * 10 * attempt);
  }
}

/** SKU networks from their items as read (a split network's shards are read here: a Query more each). */
export async function networksOfItems(tenantId: string, items: Item[]): Promise<Map<string, SkuNetwork>> {
  const networks = await Promise.all(items.map((item) => (item.shards ? readSplit(tenantId, networkHeadOfItem(item)) : networkOfItem(item))));
  return new Map(networks.map((network) => [network.sku, network]));
}

export const dynamoSkuNetworkStore: SkuNetworkStore = {
  async getMany(tenantId, skus) {
    // One BatchGetItem for every SKU's item; only split networks (large ones) cost a Query more.
    const items = await batchGetAll([...new Set(skus)].map((sku) => keys.network(tenantId, sku)), { consistentRead: true });
    return networksOfItems(tenantId, items);
  },
  async putManyIfVersion(writes: NetworkWrite[]) {
    const outcomes = new Array<NetworkWriteOutcome>(writes.length);
    const whole = writes.flatMap((write, i) => (write.network.shards ? [] : [i]));
    const split = writes.flatMap((write, i) => (write.network.shards ? [i] : []));
    await Promise.all([
      runWrites(whole.map((i) => networkWriteStatement(writes[i]!))).then((results) => whole.forEach((i, j) => (outcomes[i] = results[j]!))),
      ...split.map(async (i) => (outcomes[i] = await writeSplit(writes[i]!))),
    ]);
    return outcomes;
  },
};
