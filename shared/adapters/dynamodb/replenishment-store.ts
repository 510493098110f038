import { ConflictError } from '#application/errors';
import { decodeCursor, encodeCursor, ownPosition } from '#application/cursor';
import { skuAtKey, type InboundStore, type ReorderStateStore, type ReplenishmentReads } from '#application/replenishment/ports';
import type { StoredForecast } from '#domain/demand/forecast-run';
import type { Inbound } from '#domain/replenishment/inbound';
import { DEFAULT_REVIEW_DAYS, type ReorderState } from '#domain/replenishment/reorder';
import { ttlCache } from '../ttl-cache.ts';
import { batchGetAll, documentClient, GetCommand, QueryCommand, tableName } from './client.ts';
import { dynamoForecastStore } from './demand-store.ts';
import { keys as inventoryKeys, stockOfItem } from './inventory-items.ts';
import { keyPart, tenantKey } from './keys.ts';
import { stockKey, stockUpdate, summedLevel, transact, versionedPut, withShards } from './stock-store.ts';

/**
 * Replenishment's items (docs/forecasting.md, "Replenishment"):
 *   ReorderState pk `<tenant>#REORDER#<sku>`   sk `L#<location>`   units on order and the last assessment; while
 *                                                                 below its reorder point also gsi1 `<tenant>#REORDER_BELOW`
 *                                                                 / `<sku>#<location>` (sparse: the list of suggestions)
 *   Inbound      pk `<tenant>#INBOUND#<id>`    sk `INBOUND`        lines (expected, received) and receipts
 * Forecasts are read where the forecast run stores them (`<tenant>#FORECAST#<sku>`, sk `L#<location>`).
 */

type Item = Record<string, unknown>;
const KEY_ATTRIBUTES = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'entity']);
const bare = (item: Item): Item => Object.fromEntries(Object.entries(item).filter(([name]) => !KEY_ATTRIBUTES.has(name)));

const stateKey = (tenantId: string, sku: string, locationId: string) => ({ pk: tenantKey(tenantId, 'REORDER', sku), sk: `L#${keyPart(locationId)}` });
const belowPk = (tenantId: string) => tenantKey(tenantId, 'REORDER_BELOW');
const inboundKey = (tenantId: string, inboundId: string) => ({ pk: tenantKey(tenantId, 'INBOUND', inboundId), sk: 'INBOUND' });
const forecastKey = (tenantId: string, sku: string, locationId: string) => ({ pk: tenantKey(tenantId, 'FORECAST', sku), sk: `L#${keyPart(locationId)}` });

export function stateOfItem(item: Item): ReorderState {
  const n = (name: string) => Number(item[name] ?? 0);
  return {
    tenantId: String(item.tenantId),
    sku: String(item.sku),
    locationId: String(item.locationId),
    onOrder: n('onOrder'),
    below: item.below === true,
    reorderPoint: n('reorderPoint'),
    orderUpTo: n('orderUpTo'),
    available: n('available'),
    position: n('position'),
    suggestedQuantity: n('suggestedQuantity'),
    ...(typeof item.forecastOrigin === 'string' ? { forecastOrigin: item.forecastOrigin } : {}),
    ...(typeof item.crossedAt === 'string' ? { crossedAt: item.crossedAt } : {}),
    crossings: n('crossings'),
    evaluatedAt: String(item.evaluatedAt ?? new Date(0).toISOString()),
    version: n('version'),
  };
}

function stateItem(state: ReorderState): Item {
  return {
    ...stateKey(state.tenantId, state.sku, state.locationId),
    entity: 'ReorderState',
    ...state,
    ...(state.below ? { gsi1pk: belowPk(state.tenantId), gsi1sk: `${state.sku}#${state.locationId}` } : {}),
  };
}

/** Units on order moved by `delta` (an inbound's lines or a receipt), creating the state if it has none yet. */
function onOrderUpdate(tenantId: string, sku: string, locationId: string, delta: number) {
  return {
    Update: {
      TableName: tableName(),
      Key: stateKey(tenantId, sku, locationId),
      UpdateExpression: 'SET entity = :entity, tenantId = :tenant, sku = :sku, locationId = :location ADD onOrder :delta, version :one',
      ExpressionAttributeValues: { ':entity': 'ReorderState', ':tenant': tenantId, ':sku': sku, ':location': locationId, ':delta': delta, ':one': 1 },
    },
  };
}

export const dynamoReorderStateStore: ReorderStateStore = {
  async getMany(tenantId, pairs) {
    const items = await batchGetAll(pairs.map((p) => stateKey(tenantId, p.sku, p.locationId)), { consistentRead: true });
    return new Map(items.map((item) => [skuAtKey({ sku: String(item.sku), locationId: String(item.locationId) }), stateOfItem(item)]));
  },

  async save(state, expectedVersion) {
    const result = await transact([{ Put: versionedPut(stateItem(state), expectedVersion) }]);
    if (!result.ok) throw new ConflictError(`reorder state of ${state.sku} at ${state.locationId} moved`);
  },

  async listBelow(tenantId, page) {
    const pk = belowPk(tenantId);
    const position = decodeCursor(page.cursor);
    const start = position ? ownPosition(position, { partition: { gsi1pk: pk }, sortKeys: ['gsi1sk', 'pk', 'sk'] }) : undefined;
    const out = await documentClient.send(new QueryCommand({
      TableName: tableName(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      Limit: page.limit,
      ...(start ? { ExclusiveStartKey: start } : {}),
    }));
    const next = encodeCursor(out.LastEvaluatedKey);
    return { items: (out.Items ?? []).map(stateOfItem), ...(next ? { next } : {}) };
  },
};

/**
 * Whether a tenant has forecasts: a yes is kept for an hour per container (forecasts are never deleted), a no is never
 * kept, so a tenant's first forecasts are seen by the next batch (a no costs one query of one key per batch).
 */
const forecastsSeen = new Map<string, number>();
async function hasForecasts(tenantId: string): Promise<boolean> {
  const seen = forecastsSeen.get(tenantId);
  if (seen !== undefined && Date.now() - seen < 3_600_000) return true;
  const out = await documentClient.send(new QueryCommand({
    TableName: tableName(), IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'FORECASTS') }, Limit: 1, ProjectionExpression: 'pk',
  }));
  const has = (out.Items ?? []).length > 0;
  if (has) {
    forecastsSeen.set(tenantId, Date.now());
    if (forecastsSeen.size > 1000) forecastsSeen.delete(forecastsSeen.keys().next().value!);
  }
  return has;
}

export const dynamoReplenishmentReads: ReplenishmentReads = {
  async forecastsOf(tenantId, pairs) {
    const items = await batchGetAll(pairs.map((p) => forecastKey(tenantId, p.sku, p.locationId)));
    return new Map(items.map((item) => [skuAtKey({ sku: String(item.sku), locationId: String(item.locationId) }), bare(item) as unknown as StoredForecast]));
  },

  async listForecasts(tenantId, page) {
    // The forecast store pages by its own position (the last `<sku>#<location>`): wrapped in the one cursor scheme.
    const position = decodeCursor(page.cursor);
    const after = position ? ownPosition(position, { partition: { tenantId }, sortKeys: ['after'] }).after : undefined;
    const listed = await dynamoForecastStore.list(tenantId, { limit: page.limit, ...(after !== undefined ? { after: String(after) } : {}) });
    const next = listed.next !== undefined ? encodeCursor({ tenantId, after: listed.next }) : undefined;
    return { items: listed.items, ...(next ? { next } : {}) };
  },

  async availableOf(tenantId, pairs) {
    const zeros = (await batchGetAll(pairs.map((p) => inventoryKeys.stock(tenantId, p.locationId, p.sku)), { consistentRead: true })).map(stockOfItem);
    const shards = await withShards(tenantId, zeros);
    const out = new Map<string, number>();
    for (const p of pairs) {
      const levels = shards.get(stockKey(p.locationId, p.sku));
      if (levels?.length) out.set(skuAtKey(p), summedLevel(levels).available);
    }
    return out;
  },

  hasForecasts,

  async locationExists(tenantId, locationId) {
    const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: inventoryKeys.location(tenantId, locationId), ProjectionExpression: 'pk' }));
    return Item !== undefined;
  },
};

function inboundItem(inbound: Inbound): Item {
  return { ...inboundKey(inbound.tenantId, inbound.inboundId), entity: 'Inbound', ...inbound };
}

export const dynamoInboundStore: InboundStore = {
  async get(tenantId, inboundId) {
    const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: inboundKey(tenantId, inboundId), ConsistentRead: true }));
    return Item ? (bare(Item) as unknown as Inbound) : undefined;
  },

  async create(inbound) {
    const result = await transact([
      { Put: versionedPut(inboundItem(inbound), 0) },
      ...inbound.lines.map((line) => onOrderUpdate(inbound.tenantId, line.sku, inbound.locationId, line.expected)),
    ]);
    return result.ok ? 'created' : 'exists';
  },

  async receive({ inbound, moves }, expectedVersion) {
    const now = new Date(inbound.updatedAt);
    const result = await transact([
      { Put: versionedPut(inboundItem(inbound), expectedVersion) },
      ...moves.map(({ sku, quantity }) => {
        const { ReturnValues: _all, ReturnValuesOnConditionCheckFailure: _old, ...update } = stockUpdate(inbound.tenantId, inbound.locationId, sku, { kind: 'add', delta: quantity }, now);
        return { Update: update };
      }),
      ...moves.filter((m) => m.offOrder > 0).map(({ sku, offOrder }) => onOrderUpdate(inbound.tenantId, sku, inbound.locationId, -offOrder)),
    ]);
    if (!result.ok) throw new ConflictError(`inbound ${inbound.inboundId} changed meanwhile`, inbound.status);
  },
};

/** A tenant's review period, read at most once a minute per container (it changes rarely; a stream batch asks often). */
export const cachedReviewDays = ttlCache(async (tenantId: string) => (await dynamoForecastStore.settings(tenantId))?.reviewDays ?? DEFAULT_REVIEW_DAYS, 60_000);
