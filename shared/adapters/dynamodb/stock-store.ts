import { setTimeout as sleep } from 'node:timers/promises';
import { ConditionalCheckFailedException, TransactionCanceledException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { FinishAttempt, NetworkWrite, NetworkWriteOutcome, ReservationStore, ReserveAttempt, SkuNetworkStore, StockStore } from '#application/ports';
import type { Reservation } from '#domain/inventory/reservation';
import type { ReservationLine, StockLevel, StockWrite } from '#domain/inventory/stock';
import { planRebalance, planTakes, shardCountOf, shardOf, sumShards, type ShardCounts, type ShardMove } from '#domain/inventory/stock-shards';
import { BatchExecuteStatementCommand, batchGetAll, documentClient, GetCommand, PutCommand, queryAll, QueryCommand, tableName, TransactWriteCommand, UpdateCommand } from './client.ts';
import { noteNetwork, noteShards, shardHint } from './shard-hints.ts';
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
export function stockUpdate(tenantId: string, locationId: string, sku: string, write: StockWrite, now: Date, target: { shard?: number; unshardedOnly?: boolean } = {}) {
  const shard = target.shard ?? 0;
  const set = ['tenantId = :tenantId', 'locationId = :locationId', 'sku = :sku', '#entity = :entity', 'updatedAt = :now', ...(shard === 0 ? ['gsi1pk = :gsi1pk', 'gsi1sk = :sku'] : [])];
  const add = ['#version :one'];
  const conditions: string[] = [];
  const values: Record<string, unknown> = {
    ':tenantId': tenantId, ':locationId': locationId, ':sku': sku, ':entity': ENTITY.stock, ':now': now.toISOString(), ':one': 1,
    ...(shard === 0 ? { ':gsi1pk': keys.stockAt(tenantId, locationId) } : {}),
  };
  // A shard other than 0 exists only as its location+SKU's layout made it: a movement never creates one.
  if (shard !== 0) conditions.push('attribute_exists(pk)');
  // An adjustment written as if the location+SKU had one counter must find it so: a sharded one is adjusted shard-wise.
  if (target.unshardedOnly) {
    conditions.push('(attribute_not_exists(shardCount) OR shardCount <= :oneShard)');
    values[':oneShard'] = 1;
  }
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
    Key: keys.stock(tenantId, locationId, sku, shard),
    UpdateExpression: `SET ${set.join(', ')} ADD ${add.join(', ')}`,
    ...(conditions.length ? { ConditionExpression: conditions.join(' AND ') } : {}),
    ExpressionAttributeNames: { '#version': 'version', '#entity': 'entity' },
    ExpressionAttributeValues: values,
    ReturnValues: 'ALL_NEW' as const,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
}

/**
 * Every shard of the given location+SKUs, read consistently: shard 0 as given (read already), the others by key (one
 * BatchGetItem for all of them; none for unsharded items). Keyed by `stockKey`, shard 0 first.
 */
export async function withShards(tenantId: string, zeros: readonly StockLevel[]): Promise<Map<string, StockLevel[]>> {
  const sharded = zeros.filter((level) => shardCountOf(level) > 1);
  const others = sharded.length
    ? await batchGetAll(sharded.flatMap((level) => Array.from({ length: shardCountOf(level) - 1 }, (_, i) => keys.stock(tenantId, level.locationId, level.sku, i + 1))), { consistentRead: true })
    : [];
  const all = new Map(zeros.map((level) => [stockKey(level.locationId, level.sku), [level]]));
  for (const item of others) all.get(stockKey(String(item.locationId), String(item.sku)))?.push(stockOfItem(item));
  for (const levels of all.values()) levels.sort((a, b) => shardOf(a) - shardOf(b));
  return all;
}

/** A location+SKU's level as reads show it: shard 0 with the sums of its shards (itself alone when unsharded). */
export function summedLevel(shards: readonly StockLevel[]): StockLevel {
  const zero = shards[0]!;
  if (shards.length === 1) return zero;
  const { onHand, reserved, available } = sumShards(shards);
  return { ...zero, onHand, reserved, available };
}

/**
 * A location+SKU's new layout in ONE transaction: every shard below `count` written with its planned counts (an
 * existing one only if its reserved units and safety stock are as read: reservations taken meanwhile refuse the write,
 * movements are replaced, as by any count), a shard beyond `count` deleted (only if it holds no reserved unit), shard 0
 * carrying the count, the sequence and the layout's epoch. Every shard gets the epoch and the count, so the projection
 * can tell the new layout's shards from a late record of an older one.
 */
export function shardRewriteItems(
  tenantId: string,
  locationId: string,
  sku: string,
  plan: { shards: ShardCounts[]; count: number; basis: readonly StockLevel[]; sequence?: number },
  now: Date,
): Item[] {
  const basis = new Map(plan.basis.map((level) => [shardOf(level), level]));
  const epoch = Math.max(now.getTime(), ...plan.basis.map((level) => (level.epoch ?? 0) + 1));
  const zeroBasis = basis.get(0);
  const writes: Item[] = plan.shards.map((counts) => {
    const before = basis.get(counts.shard);
    const values: Record<string, unknown> = {
      ':tenantId': tenantId, ':locationId': locationId, ':sku': sku, ':entity': ENTITY.stock, ':now': now.toISOString(), ':one': 1,
      ':onHand': counts.onHand, ':reserved': counts.reserved, ':safetyStock': counts.safetyStock, ':available': counts.available, ':unreserved': counts.onHand - counts.reserved,
      ':count': plan.count, ':epoch': epoch, ':shard': counts.shard,
    };
    const set = [
      'tenantId = :tenantId', 'locationId = :locationId', 'sku = :sku', '#entity = :entity', 'updatedAt = :now', 'onHand = :onHand', 'reserved = :reserved',
      'safetyStock = :safetyStock', 'available = :available', 'unreserved = :unreserved', 'shardCount = :count', 'epoch = :epoch', '#shard = :shard',
    ];
    const conditions: string[] = [];
    if (counts.shard === 0) {
      set.push('gsi1pk = :gsi1pk', 'gsi1sk = :sku');
      values[':gsi1pk'] = keys.stockAt(tenantId, locationId);
      if (plan.sequence !== undefined) {
        set.push('lastSequence = :sequence');
        conditions.push('(attribute_not_exists(lastSequence) OR lastSequence < :sequence)');
        values[':sequence'] = plan.sequence;
      }
      // The layout read is still the layout: a concurrent change of the shard count refuses this one.
      conditions.push(shardCountOf(zeroBasis) <= 1 ? '(attribute_not_exists(shardCount) OR shardCount <= :oneShard)' : 'shardCount = :basisCount');
      values[shardCountOf(zeroBasis) <= 1 ? ':oneShard' : ':basisCount'] = shardCountOf(zeroBasis) <= 1 ? 1 : shardCountOf(zeroBasis);
    }
    if (before) {
      conditions.push('reserved = :basisReserved AND safetyStock = :basisSafetyStock');
      values[':basisReserved'] = before.reserved;
      values[':basisSafetyStock'] = before.safetyStock;
    } else conditions.push('attribute_not_exists(pk)');
    return {
      Update: {
        TableName: tableName(),
        Key: keys.stock(tenantId, locationId, sku, counts.shard),
        UpdateExpression: `SET ${set.join(', ')} ADD #version :one`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: { '#version': 'version', '#entity': 'entity', '#shard': 'shard' },
        ExpressionAttributeValues: values,
      },
    };
  });
  const removed = plan.basis.filter((level) => shardOf(level) >= plan.count).map((level) => ({
    Delete: {
      TableName: tableName(),
      Key: keys.stock(tenantId, locationId, sku, shardOf(level)),
      // Its reservations give their units back to this very shard: it goes only when none holds any.
      ConditionExpression: 'reserved = :zero',
      ExpressionAttributeValues: { ':zero': 0 },
    },
  }));
  return [...writes, ...removed];
}

/**
 * A rebalance in ONE transaction: available units moved between shards of one location+SKU (onHand, available and
 * unreserved move together), each shard giving units only if it still has them (`available >= units`), each taking
 * them only if it still exists. Sums are unchanged whatever else happens concurrently: every move is an addition.
 */
export function shardMoveItems(tenantId: string, locationId: string, sku: string, moves: readonly ShardMove[], now: Date): Item[] {
  return moves.map((move) => ({
    Update: {
      TableName: tableName(),
      Key: keys.stock(tenantId, locationId, sku, move.shard),
      UpdateExpression: 'SET updatedAt = :now ADD onHand :units, available :units, unreserved :units, #version :one',
      ConditionExpression: move.units < 0 ? 'available >= :give' : 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':units': move.units, ':now': now.toISOString(), ':one': 1, ...(move.units < 0 ? { ':give': -move.units } : {}) },
    },
  }));
}

async function getShards(tenantId: string, locationId: string, sku: string): Promise<StockLevel[]> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: keys.stock(tenantId, locationId, sku), ConsistentRead: true }));
  if (!Item) return [];
  const shards = (await withShards(tenantId, [stockOfItem(Item)])).get(stockKey(locationId, sku)) ?? [];
  noteShards(tenantId, locationId, sku, shards);
  return shards;
}

/** Evens out a sharded location+SKU's shards if they need it (planRebalance); false when a shard moved meanwhile. */
async function rebalance(tenantId: string, locationId: string, sku: string, shards: readonly StockLevel[], now: Date): Promise<boolean> {
  const moves = planRebalance(shards.map((level) => ({ shard: shardOf(level), available: level.available })));
  if (!moves.length) return true;
  const result = await transact(shardMoveItems(tenantId, locationId, sku, moves, now));
  return result.ok;
}

export const dynamoStockStore: StockStore = {
  async getMany(tenantId, pairs) {
    const items = await batchGetAll(pairs.map((p) => keys.stock(tenantId, p.locationId, p.sku)), { consistentRead: true });
    return new Map(items.map((item) => [stockKey(String(item.locationId), String(item.sku)), stockOfItem(item)]));
  },
  async adjust(tenantId, locationId, sku, write, now, shard) {
    try {
      const { Attributes } = await documentClient.send(new UpdateCommand(stockUpdate(tenantId, locationId, sku, write, now, shard === undefined ? { unshardedOnly: true } : { shard })));
      return { applied: true, level: stockOfItem(Attributes!) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const old = error.Item ? unmarshall(error.Item as Record<string, AttributeValue>) : undefined;
      return { applied: false, current: old ? stockOfItem(old) : undefined };
    }
  },
  getShards,
  async rewriteShards(tenantId, locationId, sku, plan, now) {
    const result = await transact(shardRewriteItems(tenantId, locationId, sku, plan, now));
    return result.ok;
  },
  async rebalance(tenantId, locationId, sku, now) {
    return rebalance(tenantId, locationId, sku, await getShards(tenantId, locationId, sku), now);
  },
  async listBySku(tenantId, sku) {
    const items = await queryAll({ TableName: tableName(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.stockOfSku(tenantId, sku) }, ConsistentRead: true });
    const shards = await withShards(tenantId, items.map(stockOfItem));
    return [...shards.values()].map((levels) => (levels.length > 1 ? { ...summedLevel(levels), shards: levels } : levels[0]!));
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
    // The index holds shard 0 of each SKU (an eventually consistent read, as before); a sharded one's other shards are
    // read by key and summed into it.
    const shards = await withShards(tenantId, (Items ?? []).map(stockOfItem));
    return { items: [...shards.values()].map(summedLevel), ...(LastEvaluatedKey ? { next: LastEvaluatedKey } : {}) };
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

/** The shards a reservation line holds units of: as recorded, or all of shard 0 (unsharded, or written before shards). */
export const partsOf = (line: ReservationLine) => line.from ?? [{ shard: 0, quantity: line.quantity }];

const releaseLine = (tenantId: string, line: ReservationLine, nowIso: string) =>
  partsOf(line).map((part) => ({
    Update: {
      TableName: tableName(),
      Key: keys.stock(tenantId, line.locationId, line.sku, part.shard),
      UpdateExpression: 'SET reserved = reserved - :q, available = available + :q, #version = #version + :one, updatedAt = :now ADD unreserved :q',
      ConditionExpression: 'reserved >= :q',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':q': part.quantity, ':one': 1, ':now': nowIso },
    },
  }));

const commitLine = (tenantId: string, line: ReservationLine, nowIso: string) =>
  partsOf(line).map((part) => ({
    Update: {
      TableName: tableName(),
      Key: keys.stock(tenantId, line.locationId, line.sku, part.shard),
      // Shipping takes the units out of both on-hand and reserved: available does not move.
      UpdateExpression: 'SET onHand = onHand - :q, reserved = reserved - :q, #version = #version + :one, updatedAt = :now',
      ConditionExpression: 'reserved >= :q AND onHand >= :q',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':q': part.quantity, ':one': 1, ':now': nowIso },
    },
  }));

/**
 * The transaction items that finish a PENDING reservation: the reservation item (guarded by its status) and one update
 * per stock line (per shard it took units from). Use cases that move a shipment or an order together with its
 * reservation put these in the same transaction as the order (see the order store), so both change or neither.
 */
export function reservationFinishItems(reservation: Pick<Reservation, 'tenantId' | 'reservationId' | 'lines'>, status: 'RELEASED' | 'COMMITTED', now: Date, retainUntil: number): Item[] {
  const nowIso = now.toISOString();
  const stockUpdates = reservation.lines.flatMap((line) => (status === 'RELEASED' ? releaseLine(reservation.tenantId, line, nowIso) : commitLine(reservation.tenantId, line, nowIso)));
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

/** A reservation with the shard each of its units comes from, and the condition of each stock update. */
export interface PlannedReservation {
  reservation: Reservation;
  /** One stock update per part: line index, shard, units, the `available` the shard must have. */
  parts: Array<{ line: number; shard: number; quantity: number; min: number }>;
}

/**
 * Where each line of a reservation takes its units (planTakes): shard 0 for an unsharded location+SKU, as always; for
 * a sharded one, from the shards as last read consistently (`fresh`) or else as the projection last showed them
 * (shard-hints.ts). A line a consistent read shows short is `short`; a line only the projection shows short is read
 * first (`toRead`).
 */
export function planReservation(
  reservation: Reservation,
  minAvailable: readonly number[],
  fresh: ReadonlyMap<string, StockLevel[]>,
): { planned: PlannedReservation; short: Array<{ line: number; available: number }>; toRead: string[] } {
  const parts: PlannedReservation['parts'] = [];
  const short: Array<{ line: number; available: number }> = [];
  const toRead: string[] = [];
  const lines = reservation.lines.map(({ from: _from, ...line }, index): ReservationLine => {
    const key = stockKey(line.locationId, line.sku);
    const read = fresh.get(key);
    const shards = read && read.length > 1 ? read.map((level) => ({ shard: shardOf(level), available: level.available })) : read ? undefined : shardHint(reservation.tenantId, line.locationId, line.sku);
    if (!shards) {
      parts.push({ line: index, shard: 0, quantity: line.quantity, min: minAvailable[index]! });
      return line;
    }
    const plan = planTakes(reservation.reservationId, line.quantity, shards, minAvailable[index]! - line.quantity);
    if (plan.kind === 'short') {
      if (read) short.push({ line: index, available: plan.available });
      else toRead.push(key);
      return line;
    }
    plan.takes.forEach((take, i) => parts.push({ line: index, shard: take.shard, quantity: take.quantity, min: plan.minAvailable[i]! }));
    return plan.takes.length === 1 && plan.takes[0]!.shard === 0 ? line : { ...line, from: plan.takes };
  });
  return { planned: { reservation: { ...reservation, lines }, parts }, short, toRead };
}

/**
 * The transaction items that make a reservation: the reservation item (which must not exist: its id is the
 * idempotency key) and, per line and shard taken from, the stock update guarded by `available >= min`. A use case
 * that confirms an allocation as it reserves puts these in the same transaction as the order (see the allocation
 * writer).
 */
export function reserveItems({ reservation, parts }: PlannedReservation): Item[] {
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
    ...parts.map((part) => {
      const line = reservation.lines[part.line]!;
      return {
        Update: {
          TableName: tableName(),
          Key: keys.stock(reservation.tenantId, line.locationId, line.sku, part.shard),
          // ADD, not SET, for `unreserved`: an item written before it existed gets a value too low, never too high, so
          // a decrement is at worst refused and then written from the item as read (which repairs it).
          UpdateExpression: 'SET reserved = reserved + :q, available = available - :q, #version = #version + :one, updatedAt = :now ADD unreserved :negQ',
          // The invariants live here, not in a read before the write: available >= q keeps reserved <= onHand - safetyStock.
          ConditionExpression: 'available >= :min',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':q': part.quantity, ':negQ': -part.quantity, ':min': part.min, ':one': 1, ':now': nowIso },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      };
    }),
  ];
}

type Reason = { code: string; item?: Item };

export type ReservationsOutcome =
  | { ok: true; reservations: Reservation[] }
  | { ok: false; tooLarge?: boolean; before: Reason[]; heads: Array<Reason | undefined>; short: Array<{ request: number; line: number; available: number | undefined }> };

/** Rounds of "a shard was short: read the shards, choose again" before a shortage is answered. */
const SHARD_ROUNDS = 5;

/**
 * Writes reservations in ONE transaction (after the items `before` builds from them, e.g. an allocation), each line's
 * units taken from its shards (planReservation). Unsharded location+SKUs cost exactly what they always did: one
 * transaction, shard 0, no read. When a sharded line's shard refuses (the projection was behind), that location+SKU's
 * shards are read consistently and the transaction is planned again, a few rounds at most; a rebalance then evens out
 * the shards it read (so a dry shard stops refusing while others hold units). `short` names the lines that lacked
 * stock; `heads` and `before` the other refusals.
 */
export async function transactReservations(
  tenantId: string,
  requests: ReadonlyArray<{ reservation: Reservation; minAvailable: readonly number[] }>,
  before: (reservations: Reservation[]) => Item[] = () => [],
): Promise<ReservationsOutcome> {
  const fresh = new Map<string, StockLevel[]>();
  try {
    for (let round = 1; ; round++) {
      const plans = requests.map((r) => planReservation(r.reservation, r.minAvailable, fresh));
      const toRead = [...new Set(plans.flatMap((p) => p.toRead))];
      if (toRead.length) {
        await readShards(tenantId, toRead, fresh);
        continue;
      }
      const short = plans.flatMap((p, request) => p.short.map((s) => ({ request, ...s })));
      if (short.length) return { ok: false, before: [], heads: [], short };
      const prefix = before(plans.map((p) => p.planned.reservation));
      const items = [...prefix, ...plans.flatMap((p) => reserveItems(p.planned))];
      if (items.length > 100) return { ok: false, tooLarge: true, before: [], heads: [], short: [] };
      const result = await transact(items);
      if (result.ok) return { ok: true, reservations: plans.map((p) => p.planned.reservation) };

      const refused: Extract<ReservationsOutcome, { ok: false }> = { ok: false, before: result.reasons.slice(0, prefix.length), heads: [], short: [] };
      const reread = new Set<string>();
      let offset = prefix.length;
      plans.forEach(({ planned }, request) => {
        const own = result.reasons.slice(offset, offset + 1 + planned.parts.length);
        offset += 1 + planned.parts.length;
        refused.heads.push(own[0]);
        own.slice(1).forEach((reason, j) => {
          if (reason.code !== 'ConditionalCheckFailed') return;
          const part = planned.parts[j]!;
          const line = planned.reservation.lines[part.line]!;
          const seen = reason.item ? stockOfItem(reason.item) : undefined;
          const sharded = part.shard !== 0 || shardCountOf(seen) > 1 || fresh.has(stockKey(line.locationId, line.sku));
          if (sharded && round < SHARD_ROUNDS) reread.add(stockKey(line.locationId, line.sku));
          else if (!refused.short.some((s) => s.request === request && s.line === part.line)) refused.short.push({ request, line: part.line, available: seen?.available });
        });
      });
      const otherwise = refused.before.some((r) => r.code === 'ConditionalCheckFailed') || refused.heads.some((r) => r?.code === 'ConditionalCheckFailed');
      if (otherwise || refused.short.length || !reread.size) return refused;
      await readShards(tenantId, [...reread], fresh);
    }
  } finally {
    // A shard ran short: even out what was read (best effort; the next shortage or the reconciler tries again), at most
    // once a second per location+SKU and container, so a burst of refused reservations does not become a burst of
    // rebalances writing every shard of the hot item.
    const now = Date.now();
    await Promise.all(
      [...fresh.values()].map((shards) => {
        const key = `${tenantId} ${stockKey(shards[0]!.locationId, shards[0]!.sku)}`;
        if (shards.length <= 1 || now - (lastRebalance.get(key) ?? 0) < REBALANCE_EVERY_MS) return true;
        if (lastRebalance.size > 10_000) lastRebalance.clear();
        lastRebalance.set(key, now);
        return rebalance(tenantId, shards[0]!.locationId, shards[0]!.sku, shards, new Date(now)).catch(() => false);
      }),
    );
  }
}

const REBALANCE_EVERY_MS = 1_000;
const lastRebalance = new Map<string, number>();

/** Reads the shards of `keys` (`stockKey`s) consistently into `fresh`; an item that does not exist reads as no shards. */
async function readShards(tenantId: string, pairs: string[], fresh: Map<string, StockLevel[]>): Promise<void> {
  await Promise.all(
    pairs.map(async (key) => {
      const [locationId, sku] = key.split(' ') as [string, string];
      const shards = await getShards(tenantId, locationId, sku);
      fresh.set(key, shards.length ? shards : [{ tenantId, locationId, sku, onHand: 0, reserved: 0, safetyStock: 0, available: 0, version: 0, updatedAt: new Date(0).toISOString() }]);
    }),
  );
}

export const dynamoReservationStore: ReservationStore = {
  async reserve(reservation, minAvailable): Promise<ReserveAttempt> {
    const result = await transactReservations(reservation.tenantId, [{ reservation, minAvailable }]);
    if (result.ok) return { outcome: 'RESERVED' };
    if (result.tooLarge) throw new Error(`Reservation ${reservation.reservationId} takes units from more shards than one transaction holds`);
    const head = result.heads[0];
    if (head?.code === 'ConditionalCheckFailed' && head.item) return { outcome: 'EXISTS', reservation: reservationOfItem(head.item) };
    return { outcome: 'INSUFFICIENT', failed: result.short.map(({ line, available }) => ({ index: line, available })) };
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
      ...reservation.lines.flatMap((line) => releaseLine(reservation.tenantId, line, nowIso)),
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
  for (const network of networks) noteNetwork(network);
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
