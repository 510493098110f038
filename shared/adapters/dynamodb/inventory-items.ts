import type { ChannelRule, Location, Sku } from '#domain/inventory/location';
import type { NetworkHead, NetworkShard } from '#domain/inventory/network-layout';
import type { SkuNetwork } from '#domain/inventory/projection';
import type { Reservation } from '#domain/inventory/reservation';
import type { StockLevel } from '#domain/inventory/stock';
import { tenantKey } from './keys.ts';

/**
 * Item layout of the inventory (every key starts with the tenant id):
 *
 *   Location     pk T#LOCATIONS            sk LOCATION#<locationId>
 *   Sku          pk T#SKU#<sku>            sk SKU
 *   Channel      pk T#CHANNELS             sk CHANNEL#<channel>
 *   Stock        pk T#STOCK#<sku>          sk LOCATION#<locationId>   gsi1pk T#STOCK_AT#<locationId>  gsi1sk <sku>
 *   Stock shard  pk T#STOCK#<sku>#<k>      sk LOCATION#<locationId>   (k = 1..31 of a sharded location+SKU: no gsi1 entry)
 *   Reservation  pk T#RESERVATION#<id>     sk RESERVATION              while PENDING: gsi1pk T#OPEN_RESERVATIONS#<shard>  gsi1sk <id>
 *   SkuNetwork   pk T#NETWORK#<sku>        sk NETWORK                 (the stream-built projection, or its head)
 *   SkuNetworkShard pk T#NETWORK#<sku>     sk NETWORK#SHARD#<nnn>     (a large network's locations, network-layout.ts)
 *
 * Stock is partitioned by SKU so a SKU's locations are one Query; the GSI pages a location's SKUs.
 * A PENDING reservation is in a sparse gsi1 partition, one of OPEN_RESERVATION_SHARDS per tenant by a hash of its id
 * (so a busy tenant's reservations do not all write one index partition); finishing it removes the keys. The stock
 * reconciler reads a tenant's open reservations from there.
 *
 * A sharded location+SKU (stock-shards.ts) keeps shard 0 as the item above (it carries `shardCount`) and shards 1..N-1
 * in partitions of their own, so their writes do not share a partition. They are left out of gsi1 so that a hot SKU's
 * reservations do not all write the location's one index partition either: whoever lists a location reads shard 0
 * from the index and the other shards by key.
 */
export const keys = {
  location: (tenantId: string, locationId: string) => ({ pk: tenantKey(tenantId, 'LOCATIONS'), sk: `LOCATION#${locationId}` }),
  locations: (tenantId: string) => tenantKey(tenantId, 'LOCATIONS'),
  sku: (tenantId: string, sku: string) => ({ pk: tenantKey(tenantId, 'SKU', sku), sk: 'SKU' }),
  channel: (tenantId: string, channel: string) => ({ pk: tenantKey(tenantId, 'CHANNELS'), sk: `CHANNEL#${channel}` }),
  channels: (tenantId: string) => tenantKey(tenantId, 'CHANNELS'),
  stock: (tenantId: string, locationId: string, sku: string, shard = 0) => ({
    pk: shard === 0 ? tenantKey(tenantId, 'STOCK', sku) : tenantKey(tenantId, 'STOCK', sku, String(shard)),
    sk: `LOCATION#${locationId}`,
  }),
  stockOfSku: (tenantId: string, sku: string) => tenantKey(tenantId, 'STOCK', sku),
  stockAt: (tenantId: string, locationId: string) => tenantKey(tenantId, 'STOCK_AT', locationId),
  reservation: (tenantId: string, reservationId: string) => ({ pk: tenantKey(tenantId, 'RESERVATION', reservationId), sk: 'RESERVATION' }),
  openReservations: (tenantId: string, shard: number) => tenantKey(tenantId, 'OPEN_RESERVATIONS', String(shard).padStart(2, '0')),
  reconcilerState: (tenantId: string) => ({ pk: tenantKey(tenantId, 'STOCK_RECONCILER'), sk: 'STATE' }),
  network: (tenantId: string, sku: string) => ({ pk: tenantKey(tenantId, 'NETWORK', sku), sk: 'NETWORK' }),
  networkShard: (tenantId: string, sku: string, index: number) => ({ pk: tenantKey(tenantId, 'NETWORK', sku), sk: `${SHARD_PREFIX}${String(index).padStart(3, '0')}` }),
};

export const SHARD_PREFIX = 'NETWORK#SHARD#';

export const OPEN_RESERVATION_SHARDS = 16;

/** A stable shard of a reservation id (FNV-1a). */
export function openReservationShard(reservationId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < reservationId.length; i++) hash = Math.imul(hash ^ reservationId.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % OPEN_RESERVATION_SHARDS;
}

export const ENTITY = { reconcilerState: 'StockReconcilerState', location: 'Location', sku: 'Sku', channel: 'Channel', stock: 'Stock', reservation: 'Reservation', network: 'SkuNetwork', networkShard: 'SkuNetworkShard' } as const;

type Item = Record<string, unknown>;
const KEY_ATTRIBUTES = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'entity']);

/** The item without its keys and entity type. */
function bare<T>(item: Item): T {
  const out: Item = {};
  for (const [name, value] of Object.entries(item)) if (!KEY_ATTRIBUTES.has(name)) out[name] = value;
  return out as T;
}

export const locationOfItem = (item: Item): Location => bare<Location>(item);
export const skuOfItem = (item: Item): Sku => bare<Sku>(item);
export const channelOfItem = (item: Item): ChannelRule => bare<ChannelRule>(item);
export const reservationOfItem = (item: Item): Reservation => bare<Reservation>(item);
export const networkOfItem = (item: Item): SkuNetwork => bare<SkuNetwork>(item);

export function stockOfItem(item: Item): StockLevel {
  return {
    tenantId: String(item.tenantId),
    locationId: String(item.locationId),
    sku: String(item.sku),
    onHand: Number(item.onHand ?? 0),
    reserved: Number(item.reserved ?? 0),
    safetyStock: Number(item.safetyStock ?? 0),
    available: Number(item.available ?? 0),
    ...(item.lastSequence !== undefined ? { lastSequence: Number(item.lastSequence) } : {}),
    version: Number(item.version ?? 0),
    updatedAt: String(item.updatedAt ?? new Date(0).toISOString()),
    ...(item.shard !== undefined && Number(item.shard) !== 0 ? { shard: Number(item.shard) } : {}),
    ...(item.shardCount !== undefined ? { shardCount: Number(item.shardCount) } : {}),
    ...(item.epoch !== undefined ? { epoch: Number(item.epoch) } : {}),
    ...(item.damaged !== undefined ? { damaged: Number(item.damaged) } : {}),
  };
}

export function stockItem(level: StockLevel): Item {
  const shard = level.shard ?? 0;
  return {
    ...keys.stock(level.tenantId, level.locationId, level.sku, shard),
    ...(shard === 0 ? { gsi1pk: keys.stockAt(level.tenantId, level.locationId), gsi1sk: level.sku } : {}),
    entity: ENTITY.stock,
    ...level,
    // The guard of a decrement (see StockWrite): a condition cannot compute onHand - reserved.
    unreserved: level.onHand - level.reserved,
  };
}

export function reservationItem(reservation: Reservation): Item {
  const open = reservation.status === 'PENDING'
    ? { gsi1pk: keys.openReservations(reservation.tenantId, openReservationShard(reservation.reservationId)), gsi1sk: reservation.reservationId }
    : {};
  return { ...keys.reservation(reservation.tenantId, reservation.reservationId), ...open, entity: ENTITY.reservation, ...reservation };
}

export function networkItem(network: SkuNetwork): Item {
  return { ...keys.network(network.tenantId, network.sku), entity: ENTITY.network, ...network };
}

export function networkHeadItem(head: NetworkHead): Item {
  return { ...keys.network(head.tenantId, head.sku), entity: ENTITY.network, ...head };
}

export function networkShardItem(shard: NetworkShard): Item {
  return { ...keys.networkShard(shard.tenantId, shard.sku, shard.index), entity: ENTITY.networkShard, ...shard };
}

export const networkHeadOfItem = (item: Item): NetworkHead => bare<NetworkHead>(item);
export const networkShardOfItem = (item: Item): NetworkShard => bare<NetworkShard>(item);
