import type { DemandCount, DemandStore, ForecastStore, OrderRegions, SkuChunk } from '#application/demand/ports';
import type { ForecastSettings, SeriesHistory, StoredForecast, StoredSkuForecast } from '#domain/demand/forecast-run';
import { regionOf } from '#domain/regions/region';
import { nearestUsZip } from '../geo/nearest-us-zip.ts';
import { batchGetAll, BatchWriteCommand, documentClient, GetCommand, PutCommand, queryAll, QueryCommand, tableName } from './client.ts';
import { keyPart, tenantKey } from './keys.ts';
import { transact } from './stock-store.ts';
import { inParallel } from '#application/in-parallel';

/**
 * Demand history and forecasts in the table (docs/forecasting.md, "Storage"). One partition per SKU holds its daily
 * roll-ups, so the forecast run reads a SKU with one query:
 *   pk `<tenant>#DEMAND#<sku>`   sk `L#<location>#<day>`  units from orders, by the location that ships (DemandDay)
 *                                sk `I#<location>#<day>`  imported units, set by each import (DemandImport)
 *                                sk `R#<region>#<day>`    units from orders, by the region they ship to (DemandRegionDay)
 *                                sk `SKU`                 the SKU's entry in the tenant's list (gsi1 `<tenant>#DEMAND_SKUS`)
 *   pk `<tenant>#DEMAND_COUNTED#<shipmentId>` sk `C#<n>`  what a shipment added (the replay guard; kept 180 days)
 *   pk `<tenant>#FORECAST#<sku>` sk `L#<location>` (Forecast) and `TOTAL` (SkuForecast): the latest run's
 */

type Item = Record<string, unknown>;

const demandPk = (tenantId: string, sku: string) => tenantKey(tenantId, 'DEMAND', sku);
const skuListPk = (tenantId: string) => tenantKey(tenantId, 'DEMAND_SKUS');
const markerPk = (tenantId: string, shipmentId: string) => tenantKey(tenantId, 'DEMAND_COUNTED', shipmentId);
const forecastPk = (tenantId: string, sku: string) => tenantKey(tenantId, 'FORECAST', sku);
const forecastListPk = (tenantId: string, locationId?: string) => (locationId === undefined ? tenantKey(tenantId, 'FORECASTS') : tenantKey(tenantId, 'FORECASTS_AT', locationId));
const settingsKey = (tenantId: string) => ({ pk: tenantKey(tenantId, 'TENANT'), sk: 'FORECAST_SETTINGS' });
const MARKER_TTL_SECONDS = 180 * 24 * 3600;
const IMPORT_CONCURRENCY = 4;

const skuEntry = (tenantId: string, sku: string) => ({
  Update: {
    TableName: tableName(),
    Key: { pk: demandPk(tenantId, sku), sk: 'SKU' },
    // The same values every time: after the first, the write changes nothing (no stream record, no index write).
    UpdateExpression: 'SET entity = :entity, tenantId = :tenant, sku = :sku, version = :one, gsi1pk = :list, gsi1sk = :sku',
    ExpressionAttributeValues: { ':entity': 'DemandSku', ':tenant': tenantId, ':sku': sku, ':one': 1, ':list': skuListPk(tenantId) },
  },
});

const addUnits = (tenantId: string, sku: string, sk: string, attributes: Item, units: number) => ({
  Update: {
    TableName: tableName(),
    Key: { pk: demandPk(tenantId, sku), sk },
    UpdateExpression: `SET ${Object.keys(attributes).map((name) => `#${name} = :${name}`).join(', ')} ADD units :units, version :one`,
    ExpressionAttributeNames: Object.fromEntries(Object.keys(attributes).map((name) => [`#${name}`, name])),
    ExpressionAttributeValues: { ...Object.fromEntries(Object.entries(attributes).map(([name, value]) => [`:${name}`, value])), ':units': units, ':one': 1 },
  },
});

function dayWrites(tenantId: string, entry: Pick<DemandCount, 'locationId' | 'region' | 'day' | 'lines'>, sign: 1 | -1) {
  return entry.lines.flatMap(({ sku, units }) => [
    addUnits(tenantId, sku, `L#${keyPart(entry.locationId)}#${entry.day}`, { entity: 'DemandDay', tenantId, sku, locationId: entry.locationId, day: entry.day }, sign * units),
    addUnits(tenantId, sku, `R#${keyPart(entry.region)}#${entry.day}`, { entity: 'DemandRegionDay', tenantId, sku, region: entry.region, day: entry.day }, sign * units),
  ]);
}

async function batchPut(items: Item[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let requests: Array<{ PutRequest: { Item: Item } }> | undefined = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests?.length; attempt++) {
      if (attempt) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt)));
      const out = await documentClient.send(new BatchWriteCommand({ RequestItems: { [tableName()]: requests } }));
      requests = out.UnprocessedItems?.[tableName()] as typeof requests;
    }
  }
}


function sumByDay(items: Item[], keyOf: (item: Item) => string): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const item of items) {
    const key = keyOf(item);
    const days = out.get(key) ?? out.set(key, new Map()).get(key)!;
    days.set(String(item.day), (days.get(String(item.day)) ?? 0) + Number(item.units ?? 0));
  }
  return out;
}

/** Items in one transaction (DynamoDB's limit). */
const TRANSACTION_ITEMS = 100;
const PACK_CONCURRENCY = 4;
/** SKUs whose list entry this container wrote lately: the entry never changes, so it is written once an hour at most. */
const listedSkus = new Map<string, number>();
const LISTED_FOR_MS = 3_600_000;

const markerOf = (entry: DemandCount) => ({
  Put: {
    TableName: tableName(),
    Item: {
      pk: markerPk(entry.tenantId, entry.shipmentId), sk: `C#${entry.chunk}`, entity: 'DemandCount', version: 1, status: 'COUNTED',
      tenantId: entry.tenantId, shipmentId: entry.shipmentId, locationId: entry.locationId, region: entry.region, day: entry.day, lines: entry.lines,
      expiresAt: Math.floor(Date.now() / 1000) + MARKER_TTL_SECONDS,
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

type Write = ReturnType<typeof addUnits> | ReturnType<typeof skuEntry>;
const writeKey = (write: Write) => `${write.Update.Key.pk}\u0000${write.Update.Key.sk}`;

/**
 * One transaction for several shipments: a marker each, and their day writes merged per item (units summed; a
 * transaction may not name an item twice), plus the SKU list entries this container has not written lately.
 */
function packItems(entries: readonly DemandCount[], now: number): Item[] {
  const writes = new Map<string, Write>();
  for (const entry of entries) {
    for (const write of [...dayWrites(entry.tenantId, entry, 1), ...entry.lines.map(({ sku }) => skuEntry(entry.tenantId, sku))]) {
      const key = writeKey(write);
      const seen = writes.get(key);
      if (!seen) {
        if (write.Update.Key.sk === 'SKU' && (listedSkus.get(key) ?? 0) > now) continue;
        writes.set(key, structuredClone(write));
      } else if (':units' in seen.Update.ExpressionAttributeValues) {
        const sum = seen.Update.ExpressionAttributeValues as Record<string, number>;
        sum[':units'] = sum[':units']! + (write.Update.ExpressionAttributeValues as Record<string, number>)[':units']!;
      }
    }
  }
  return [...entries.map(markerOf), ...writes.values()];
}

/** Entries in groups that fit one transaction each: markers plus distinct writes within TRANSACTION_ITEMS. */
function packsOf(entries: readonly DemandCount[]): DemandCount[][] {
  const packs: DemandCount[][] = [];
  let pack: DemandCount[] = [];
  let keys = new Set<string>();
  for (const entry of entries) {
    const own = [...dayWrites(entry.tenantId, entry, 1), ...entry.lines.map(({ sku }) => skuEntry(entry.tenantId, sku))].map(writeKey);
    const added = own.filter((key) => !keys.has(key)).length;
    if (pack.length && pack.length + 1 + keys.size + added > TRANSACTION_ITEMS) {
      packs.push(pack);
      pack = [];
      keys = new Set();
    }
    pack.push(entry);
    for (const key of own) keys.add(key);
  }
  if (pack.length) packs.push(pack);
  return packs;
}

/** Counts a pack: entries whose marker exists are 'already'; the others are counted together, in one transaction. */
async function countPack(pack: readonly DemandCount[]): Promise<Array<'counted' | 'already'>> {
  const outcome: Array<'counted' | 'already'> = pack.map(() => 'counted');
  let open = pack.map((_, i) => i);
  while (open.length) {
    const now = Date.now();
    const items = packItems(open.map((i) => pack[i]!), now);
    const result = await transact(items);
    if (result.ok) {
      for (const item of items.slice(open.length)) {
        const write = item as Write;
        if (write.Update.Key.sk === 'SKU') listedSkus.set(writeKey(write), now + LISTED_FOR_MS);
      }
      return outcome;
    }
    const repeated = new Set(open.filter((_, at) => result.reasons[at]?.code === 'ConditionalCheckFailed'));
    if (!repeated.size) throw new Error('demand roll-up refused without a counted marker');
    for (const i of repeated) outcome[i] = 'already';
    open = open.filter((i) => !repeated.has(i));
  }
  return outcome;
}

export const dynamoDemandStore: DemandStore = {
  async count(entries) {
    const outcome: Array<'counted' | 'already' | 'failed'> = entries.map(() => 'failed');
    const indexOf = new Map(entries.map((entry, i) => [entry, i]));
    const packs = packsOf(entries);
    await inParallel(packs, PACK_CONCURRENCY, async (pack) => {
      try {
        const counted = await countPack(pack);
        pack.forEach((entry, j) => (outcome[indexOf.get(entry)!] = counted[j]!));
      } catch {
        // Left 'failed': the stream delivers these shipments again.
      }
    });
    return outcome;
  },

  async reverse(tenantId, shipmentId) {
    const markers = await queryAll({ TableName: tableName(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': markerPk(tenantId, shipmentId) }, ConsistentRead: true });
    let reversed = 0;
    for (const marker of markers) {
      if (marker.status !== 'COUNTED') continue;
      const guard = {
        Update: {
          TableName: tableName(),
          Key: { pk: marker.pk, sk: marker.sk },
          UpdateExpression: 'SET #status = :reversed, version = version + :one',
          ConditionExpression: '#status = :counted',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':reversed': 'REVERSED', ':counted': 'COUNTED', ':one': 1 },
        },
      };
      const entry = { locationId: String(marker.locationId), region: String(marker.region), day: String(marker.day), lines: marker.lines as DemandCount['lines'] };
      if ((await transact([guard, ...dayWrites(tenantId, entry, -1)])).ok) reversed++;
    }
    return reversed;
  },

  async importRows(tenantId, rows) {
    const skus = [...new Set(rows.map((row) => row.sku))];
    const items: Item[] = rows.map((row) => ({
      pk: demandPk(tenantId, row.sku), sk: `I#${keyPart(row.locationId)}#${row.date}`, entity: 'DemandImport', version: 1,
      tenantId, sku: row.sku, locationId: row.locationId, day: row.date, units: row.units,
    }));
    const batches: Item[][] = [];
    for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
    await inParallel(batches, IMPORT_CONCURRENCY, batchPut);
    // The SKU list last: a forecast run that starts meanwhile finds the SKU with its history or not at all.
    await batchPut(skus.map((sku) => {
      const { Key, ExpressionAttributeValues: v } = skuEntry(tenantId, sku).Update;
      return { ...Key, entity: v[':entity'], tenantId, sku, version: 1, gsi1pk: v[':list'], gsi1sk: sku };
    }));
  },

  async locationHistory(tenantId, sku) {
    const query = (prefix: string) =>
      queryAll({ TableName: tableName(), KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': demandPk(tenantId, sku), ':prefix': prefix } });
    const [orders, imported] = await Promise.all([query('L#'), query('I#')]);
    const byLocation = sumByDay([...orders, ...imported], (item) => String(item.locationId));
    return [...byLocation].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([locationId, days]): SeriesHistory => ({ sku, locationId, days }));
  },

  async regionHistory(tenantId, sku) {
    const items = await queryAll({ TableName: tableName(), KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': demandPk(tenantId, sku), ':prefix': 'R#' } });
    return [...sumByDay(items, (item) => String(item.region))].map(([region, days]) => ({ region, days }));
  },

  async skuChunks(tenantId, size) {
    const items = await queryAll({
      TableName: tableName(), IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': skuListPk(tenantId) }, ProjectionExpression: 'gsi1sk',
    });
    const skus = items.map((item) => String(item.gsi1sk));
    const chunks: SkuChunk[] = [];
    for (let i = 0; i < skus.length; i += size) chunks.push({ first: skus[i]!, last: skus[Math.min(i + size, skus.length) - 1]! });
    return chunks;
  },

  async skusIn(tenantId, chunk) {
    const items = await queryAll({
      TableName: tableName(), IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :first AND :last',
      ExpressionAttributeValues: { ':pk': skuListPk(tenantId), ':first': chunk.first, ':last': chunk.last }, ProjectionExpression: 'gsi1sk',
    });
    return items.map((item) => String(item.gsi1sk));
  },
};

const forecastFields = (item: Item) => {
  const { pk: _pk, sk: _sk, entity: _entity, version: _version, gsi1pk: _g1, gsi1sk: _g1s, gsi2pk: _g2, gsi2sk: _g2s, ...rest } = item;
  return rest;
};
const MAX_FORECAST_PAGE = 1000;

export const dynamoForecastStore: ForecastStore = {
  async put({ locations, skus }) {
    await batchPut([
      ...locations.map((f) => ({
        pk: forecastPk(f.tenantId, f.sku), sk: `L#${keyPart(f.locationId)}`, entity: 'Forecast', version: 1,
        // Listed by the whole tenant (gsi1) and per location (gsi2), for replenishment and rebalancing.
        gsi1pk: forecastListPk(f.tenantId), gsi1sk: `${f.sku}#${f.locationId}`,
        gsi2pk: forecastListPk(f.tenantId, f.locationId), gsi2sk: f.sku,
        ...f,
      })),
      ...skus.map((f) => ({ pk: forecastPk(f.tenantId, f.sku), sk: 'TOTAL', entity: 'SkuForecast', version: 1, ...f })),
    ]);
  },

  async get(tenantId, sku, locationId) {
    const items = await queryAll({ TableName: tableName(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': forecastPk(tenantId, sku) } });
    const total = items.find((item) => item.sk === 'TOTAL');
    // A location that had history once but none in the latest run keeps an older forecast: only the latest run's count.
    const origin = total?.origin;
    const locations = items
      .filter((item) => item.entity === 'Forecast' && (origin === undefined || item.origin === origin))
      .filter((item) => locationId === undefined || item.locationId === locationId)
      .map((item) => forecastFields(item) as unknown as StoredForecast);
    return { ...(total ? { total: forecastFields(total) as unknown as StoredSkuForecast } : {}), locations };
  },

  async list(tenantId, options = {}) {
    const byLocation = options.locationId !== undefined;
    const index = byLocation ? { name: 'gsi2', pk: 'gsi2pk', sk: 'gsi2sk' } : { name: 'gsi1', pk: 'gsi1pk', sk: 'gsi1sk' };
    const pk = forecastListPk(tenantId, options.locationId);
    const limit = Math.min(Math.max(1, options.limit ?? 100), MAX_FORECAST_PAGE);
    const page = await documentClient.send(new QueryCommand({
      TableName: tableName(),
      IndexName: index.name,
      KeyConditionExpression: `${index.pk} = :pk${options.after ? ` AND ${index.sk} > :after` : ''}`,
      ExpressionAttributeValues: { ':pk': pk, ...(options.after ? { ':after': options.after } : {}) },
      Limit: limit,
    }));
    const items = (page.Items ?? []).map((item) => forecastFields(item) as unknown as StoredForecast);
    const last = page.LastEvaluatedKey?.[index.sk];
    return { items, ...(last !== undefined ? { next: String(last) } : {}) };
  },

  async settings(tenantId) {
    const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: settingsKey(tenantId) }));
    return Item ? (Item.settings as ForecastSettings) : undefined;
  },

  async putSettings(tenantId, settings) {
    await documentClient.send(new PutCommand({ TableName: tableName(), Item: { ...settingsKey(tenantId), entity: 'ForecastSettings', version: 1, tenantId, settings } }));
  },
};

const orderKey = (tenantId: string, orderId: string) => ({ pk: tenantKey(tenantId, 'ORDER', orderId), sk: 'ORDER' });

/** Orders' destinations as regions: one BatchGetItem per 100 orders, reading only `orderId` and `shipTo`. */
export const dynamoOrderRegions: OrderRegions = {
  async regionsOf(tenantId, orderIds) {
    const unique = [...new Set(orderIds)];
    const items = await batchGetAll(unique.map((orderId) => orderKey(tenantId, orderId)), { projection: 'orderId, shipTo' });
    const regions = new Map<string, string>();
    for (const item of items) {
      const shipTo = item.shipTo as { country: string; postalCode?: string; geo?: { lat: number; lon: number } };
      let region = regionOf(shipTo);
      if (region === 'US' && shipTo.geo) region = regionOf(shipTo, await nearestUsZip(shipTo.geo.lat, shipTo.geo.lon));
      regions.set(String(item.orderId), region);
    }
    return regions;
  },
};
