import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DEFAULT_RATE_TABLE, parseRateTable, type RateTable } from '#domain/carriers/rate-table';
import type { Location, Sku } from '#domain/inventory/location';
import type { Order } from '#domain/orders/order';
import type { Reservation } from '#domain/inventory/reservation';
import { parseRoutingRules, type RoutingRules } from '#domain/routing/rules';
import type { AllocationInput, AllocationWriter, BackorderIndex, FulfillmentSettings, NetworkReader, LateShipmentFinder, PlanReader, StuckOrderFinder } from '#application/orders/fulfillment-ports';
import type { RoutingRulesStore } from '#application/routing/routing-rules';
import { ttlCache } from '../ttl-cache.ts';
import { batchGetAll, DeleteCommand, documentClient, GetCommand, queryAll, QueryCommand, tableName, TransactWriteCommand } from './client.ts';
import { keys, locationOfItem, skuOfItem } from './inventory-items.ts';
import { decisionRecordItem } from './decision-record-store.ts';
import { tenantKey } from './keys.ts';
import { pickupSlotKey, slotTakeItem } from './pickup-slot-items.ts';
import { tenantSettingsOf } from './tenant-settings-store.ts';
import { orderConflict, orderOf, orderPut, shipmentOf, shipmentPut, shipmentsDueKey } from './order-store.ts';
import { networksOfItems, transactReservations } from './stock-store.ts';

/** Locations change rarely and the router reads them for every order: each container keeps them 30 s. */
const cachedLocations = ttlCache(
  (tenantId): Promise<Location[]> =>
    queryAll({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.locations(tenantId), ':prefix': 'LOCATION#' },
    }).then((items) => items.map(locationOfItem)),
  30_000,
);

/** SKUs found are kept 30 s per container (weights rarely change); a SKU not found is looked up again every time. */
const SKU_CACHE_MS = 30_000;
const skuCache = new Map<string, { at: number; sku: Sku }>();

const capacityPk = (tenantId: string, day: string) => tenantKey(tenantId, 'CAPACITY', day);

/**
 * The day's counts are read at most once a second per container; parcels this container planned since that read are
 * added, so a burst of orders routed from one container sees its own choices. Other containers' choices show a second
 * later: daily capacity is a soft limit (it already was under concurrency).
 */
const dayCounts = ttlCache((key): Promise<Map<string, number>> => {
  const [tenantId, day] = key.split('|') as [string, string];
  return queryAll({ TableName: tableName(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': capacityPk(tenantId, day) } }).then(
    (items) => new Map(items.map((item) => [String(item.locationId), Number(item.shipments ?? 0)])),
  );
}, 1000);
/** Parcels planned since a read of the counts, keyed by that read: a new read starts from zero. */
const plannedSince = new WeakMap<Promise<Map<string, number>>, Map<string, number>>();

export const dynamoNetworkReader: NetworkReader = {
  locations: cachedLocations,

  async shipmentsToday(tenantId, day) {
    const read = dayCounts(`${tenantId}|${day}`);
    const counts = new Map(await read);
    for (const [locationId, n] of plannedSince.get(read) ?? []) counts.set(locationId, (counts.get(locationId) ?? 0) + n);
    return counts;
  },

  async pickupSlotsUsed(tenantId, counters) {
    if (!counters.length) return new Map();
    const items = await batchGetAll(counters.map((c) => pickupSlotKey(tenantId, c.locationId, c.day)), { consistentRead: true });
    return new Map(items.map((item) => [String(item.locationId), Number(item.used ?? 0)]));
  },

  notePlanned(tenantId, day, locationId) {
    const read = dayCounts(`${tenantId}|${day}`);
    const planned = plannedSince.get(read) ?? new Map<string, number>();
    plannedSince.set(read, planned.set(locationId, (planned.get(locationId) ?? 0) + 1));
  },

  async skus(tenantId, skus) {
    const found = new Map<string, Sku>();
    const now = Date.now();
    const missing: string[] = [];
    for (const sku of new Set(skus)) {
      const cached = skuCache.get(`${tenantId}|${sku}`);
      if (cached && now - cached.at < SKU_CACHE_MS) found.set(sku, cached.sku);
      else missing.push(sku);
    }
    for (const item of await batchGetAll(missing.map((sku) => keys.sku(tenantId, sku)))) {
      const sku = skuOfItem(item);
      found.set(sku.sku, sku);
      skuCache.set(`${tenantId}|${sku.sku}`, { at: now, sku });
    }
    if (skuCache.size > 50_000) skuCache.clear();
    return found;
  },
};

const settingsKey = (tenantId: string, what: string) => ({ pk: tenantKey(tenantId, 'TENANT'), sk: what });

/**
 * The rules every tenant starts with: one catch-all rule set that names no preference or split policy, so the tenant's
 * own defaults apply (seeded as balanced and allow; `PUT /tenant/settings` changes them).
 */
export function defaultRoutingRules(tenantId: string): RoutingRules {
  return parseRoutingRules({ schemaVersion: 1, tenantId, version: 1, ruleSets: [{ id: 'default' }] });
}

export const DEFAULT_VIP_FREE_UPGRADE_MAX_EXTRA_COST = 5;

async function readSetting(tenantId: string, what: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: settingsKey(tenantId, what) }));
  return Item;
}

// Rules, rate tables and settings change rarely and every order reads them (plan, and rating for each parcel): each
// container keeps them 30 s, so a merchant's change applies to orders routed half a minute later at most.
const cachedRules = ttlCache(async (tenantId): Promise<RoutingRules> => {
  const item = await readSetting(tenantId, 'ROUTING_RULES');
  return item ? parseRoutingRules(item.rules) : defaultRoutingRules(tenantId);
}, 30_000);
const cachedRateTable = ttlCache(async (tenantId): Promise<RateTable> => {
  const item = await readSetting(tenantId, 'RATE_TABLE');
  return item ? parseRateTable(item.table) : DEFAULT_RATE_TABLE;
}, 30_000);
/** The tenant's settings item, read once per 30 s for what the router needs of it (VIP upgrades, routing defaults). */
const cachedSettingsItem = ttlCache((tenantId) => readSetting(tenantId, 'SETTINGS'), 30_000);
const cachedVipLimit = ttlCache(async (tenantId): Promise<number> => {
  const item = await cachedSettingsItem(tenantId);
  return typeof item?.vipFreeUpgradeMaxExtraCost === 'number' ? item.vipFreeUpgradeMaxExtraCost : DEFAULT_VIP_FREE_UPGRADE_MAX_EXTRA_COST;
}, 30_000);

export const dynamoFulfillmentSettings: FulfillmentSettings = {
  routingRules: cachedRules,
  rateTable: cachedRateTable,
  vipFreeUpgradeMaxExtraCost: cachedVipLimit,
  async routingSettings(tenantId) {
    const item = await cachedSettingsItem(tenantId);
    if (!item) return { customRegions: [] };
    const { defaultPreference, defaultSplitPolicy, customRegions } = tenantSettingsOf(item);
    return { defaults: { preference: defaultPreference, splitPolicy: defaultSplitPolicy }, customRegions: customRegions ?? [] };
  },
};

const waitKey = (order: Order, sku: string) => ({ pk: tenantKey(order.tenantId, 'BACKORDER', sku), sk: `${order.createdAt}#${order.orderId}` });

/** What an allocation writes besides its reservations: the order, the new shipments, the waitlist, the day's counts. */
function allocationItems({ order, expectedVersion, shipments, waitingSkus, noLongerWaitingSkus, day, decisionRecord, pickupSlots }: Omit<AllocationInput, 'holdReservationIds'>) {
  const table = tableName();
  return [
    { Put: orderPut(order, expectedVersion) },
    // What-if (issue 15): the decision's input and outcome, one more item in this transaction (no call of its own).
    ...(decisionRecord ? [{ Put: { TableName: table, Item: decisionRecordItem(order.tenantId, decisionRecord) } }] : []),
    ...shipments.map((shipment) => ({ Put: shipmentPut(order, shipment, true) })),
    ...waitingSkus.map((sku) => ({ Put: { TableName: table, Item: { ...waitKey(order, sku), entity: 'BackorderEntry', version: 1, orderId: order.orderId, sku } } })),
    ...noLongerWaitingSkus.map((sku) => ({ Delete: { TableName: table, Key: waitKey(order, sku) } })),
    // Daily capacity is counted, not guarded: a location may go a parcel or two over under concurrency (as a WMS's
    // own wave planning would absorb), and the router stops choosing it once the count reaches its capacity.
    ...[...new Set(shipments.filter((s) => s.fulfillment === 'ship').map((s) => s.locationId))].map((locationId) => ({
      Update: {
        TableName: table,
        Key: { pk: capacityPk(order.tenantId, day), sk: `LOCATION#${locationId}` },
        UpdateExpression: 'SET entity = :entity, locationId = :location, expiresAt = :expires ADD shipments :count, version :one',
        ExpressionAttributeValues: {
          ':entity': 'LocationDayCount',
          ':location': locationId,
          ':expires': Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + 3 * 86_400,
          ':count': shipments.filter((s) => s.fulfillment === 'ship' && s.locationId === locationId).length,
          ':one': 1,
        },
      },
    })),
    // Pickup slots are guarded, unlike daily capacity: a store's counter never passes its limit (the last items, so
    // the writer knows which cancellation reasons are theirs).
    ...(pickupSlots ?? []).map((take) => slotTakeItem(order.tenantId, take)),
  ];
}

export const dynamoAllocationWriter: AllocationWriter = {
  async saveAllocation(input) {
    const items = [
      // Reserved apart (two phases, reserveStock): which shards each took from is on its reservation item only, so
      // every shipment is marked for the order store to read it when it finishes the reservation.
      ...allocationItems(input).map((entry) => {
        const put = (entry as { Put?: { Item: Record<string, unknown> } }).Put;
        return put?.Item.entity === 'Shipment' ? { Put: { ...put, Item: { ...put.Item, stockShards: true } } } : entry;
      }),
      // The units are the shipment's now: the reservation must no longer expire.
      ...input.holdReservationIds.map((reservationId) => ({
        Update: {
          TableName: tableName(),
          Key: keys.reservation(input.order.tenantId, reservationId),
          UpdateExpression: 'REMOVE expiresAt SET heldFor = :order',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'PENDING', ':order': input.order.orderId },
        },
      })),
    ];
    if (items.length > 100) throw new Error(`An allocation of ${input.shipments.length} shipments is more than one transaction can write`);
    try {
      await documentClient.send(new TransactWriteCommand({ TransactItems: items as never }));
    } catch (error) {
      if (error instanceof TransactionCanceledException) throw orderConflict(input.order.orderId);
      throw error;
    }
  },

  async reserveAndAllocate(input) {
    const allocation = allocationItems(input);
    const result = await transactReservations(input.order.tenantId, input.reservations, (reservations) => markShardedShipments(allocation, reservations));
    if (result.ok) return { outcome: 'ALLOCATED' };
    if (result.tooLarge) return { outcome: 'TOO_LARGE' };
    // Which guard failed: a stock line (too little stock), a pickup slot (a store full that day) or anything else (the
    // order moved, an id is taken). The slot counters are the allocation's last items.
    const slots = input.pickupSlots ?? [];
    const firstSlot = allocation.length - slots.length;
    const failed = (r: { code: string } | undefined) => r?.code === 'ConditionalCheckFailed';
    const other = result.before.some((r, i) => i < firstSlot && failed(r)) || result.heads.some(failed);
    if (other) return { outcome: 'CONFLICT' };
    const full = slots.filter((_, i) => failed(result.before[firstSlot + i]));
    if (full.length) return { outcome: 'SLOTS_FULL', locationIds: full.map((take) => take.locationId) };
    const pairs = result.short.map(({ request, line }) => {
      const { locationId, sku } = input.reservations[request]!.reservation.lines[line]!;
      return { locationId, sku };
    });
    return { outcome: 'SHORT', pairs };
  },
};

/**
 * The allocation's items, each new shipment whose reservation took units from a shard other than 0 marked
 * (`stockShards`): finishing its reservation with the order (ship, cancel) then reads which shards it took from
 * (the order store), while every other shipment's reservation is finished from its lines, without a read, as before.
 */
function markShardedShipments(allocation: Record<string, unknown>[], reservations: Reservation[]): Record<string, unknown>[] {
  const sharded = new Set(reservations.filter((r) => r.lines.some((line) => line.from)).map((r) => r.reservationId));
  if (!sharded.size) return allocation;
  return allocation.map((entry) => {
    const put = (entry as { Put?: { Item: Record<string, unknown> } }).Put;
    if (put?.Item.entity !== 'Shipment' || !sharded.has(String(put.Item.reservationId))) return entry;
    return { Put: { ...put, Item: { ...put.Item, stockShards: true } } };
  });
}

export const dynamoPlanReader: PlanReader = {
  async orderAndNetworks(tenantId, orderId, skus) {
    const orderKey = { pk: tenantKey(tenantId, 'ORDER', orderId), sk: 'ORDER' };
    const items = await batchGetAll([orderKey, ...[...new Set(skus)].map((sku) => keys.network(tenantId, sku))], { consistentRead: true });
    const header = items.find((item) => item.pk === orderKey.pk && item.sk === orderKey.sk);
    const networks = await networksOfItems(tenantId, items.filter((item) => item !== header));
    return { ...(header ? { order: orderOf(header) } : {}), networks };
  },
};

export const dynamoBackorderIndex: BackorderIndex = {
  async waiting(tenantId, sku, limit) {
    const { Items = [] } = await documentClient.send(
      new QueryCommand({ TableName: tableName(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'BACKORDER', sku) }, Limit: limit }),
    );
    return Items.map((item) => ({ orderId: String(item.orderId), entry: String(item.sk) }));
  },
  async remove(tenantId, sku, entry) {
    await documentClient.send(new DeleteCommand({ TableName: tableName(), Key: { pk: tenantKey(tenantId, 'BACKORDER', sku), sk: entry } }));
  },
};

/** The one cross-tenant read: the sweeper lists tenants from the tenant registry index (gsi2, partition TENANTS). */
export const dynamoStuckOrderFinder: StuckOrderFinder = {
  async tenantIds() {
    const items = await queryAll({ TableName: tableName(), IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk', ExpressionAttributeValues: { ':pk': 'TENANTS' } });
    return items.map((item) => String(item.tenantId));
  },

  async stuck(tenantId, statuses, olderThan, limit) {
    const before = olderThan.toISOString();
    const found: Order[] = [];
    for (const status of statuses) {
      // gsi1sk starts with the creation time, which is never after the last change: the key condition narrows the
      // read, the filter applies the age itself, and pages are read until enough old orders are found.
      let after: Record<string, unknown> | undefined;
      let pages = 0;
      do {
        const page = await documentClient.send(
          new QueryCommand({
            TableName: tableName(),
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk < :before',
            FilterExpression: 'updatedAt < :before',
            ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'ORDERS', status), ':before': before },
            Limit: limit,
            ...(after ? { ExclusiveStartKey: after } : {}),
          }),
        );
        found.push(...(page.Items ?? []).map(orderOf));
        after = page.LastEvaluatedKey;
      } while (after && found.length < limit && ++pages < 50);
    }
    return found.slice(0, limit);
  },
};

export const dynamoLateShipmentFinder: LateShipmentFinder = {
  tenantIds: () => dynamoStuckOrderFinder.tenantIds(),

  async due(tenantId, before, limit) {
    const { Items = [] } = await documentClient.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk < :before',
        ExpressionAttributeValues: { ':pk': shipmentsDueKey(tenantId), ':before': before },
        Limit: limit,
      }),
    );
    return Items.map(shipmentOf);
  },
};

/** Routing rules: the current version (read by the router) plus one item per version, for audit. */
export const dynamoRoutingRulesStore: RoutingRulesStore = {
  async get(tenantId) {
    const item = await readSetting(tenantId, 'ROUTING_RULES');
    return item
      ? { rules: parseRoutingRules(item.rules), updatedAt: String(item.updatedAt), isDefault: false }
      : { rules: defaultRoutingRules(tenantId), updatedAt: new Date(0).toISOString(), isDefault: true };
  },
  async put(rules, previousVersion, updatedAt) {
    const table = tableName();
    try {
      await documentClient.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: table,
                Item: { ...settingsKey(rules.tenantId, 'ROUTING_RULES'), entity: 'RoutingRules', version: rules.version, rules, updatedAt },
                ConditionExpression: previousVersion === 0 ? 'attribute_not_exists(pk)' : 'version = :previous',
                ...(previousVersion === 0 ? {} : { ExpressionAttributeValues: { ':previous': previousVersion } }),
              },
            },
            {
              Put: {
                TableName: table,
                Item: { ...settingsKey(rules.tenantId, `ROUTING_RULES#v${String(rules.version).padStart(6, '0')}`), entity: 'RoutingRulesVersion', version: rules.version, rules, updatedAt },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException) return false;
      throw error;
    }
  },
};
