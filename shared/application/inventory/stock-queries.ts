import { holdBackFor, type ChannelRule } from '#domain/inventory/location';
import { emptyNetwork, type SkuNetwork } from '#domain/inventory/projection';
import { channelAvailable, viewOf, type StockView } from '#domain/inventory/stock';
import type { ChannelStore, LocationStore, Page, SkuNetworkStore, StockStore } from '../ports.ts';
import { LocationNotFoundError } from './errors.ts';

export interface SkuAvailability {
  sku: string;
  channel?: string;
  available: number;
  locations: Array<StockView & { shards?: ShardView[] }>;
}

/** One shard of a sharded location+SKU, as stored (before any channel's hold-back): for operations. */
export interface ShardView {
  shard: number;
  onHand: number;
  reserved: number;
  safetyStock: number;
  available: number;
}

/** Applies a channel's hold-back to each location (the SKU total is the sum), or nothing without a channel. */
function forChannel(sku: string, views: StockView[], channel: string | undefined, rule: ChannelRule | undefined): SkuAvailability {
  const holdBack = holdBackFor(rule, sku);
  const locations = views
    .map((view) => ({ ...view, available: channelAvailable(view.available, holdBack) }))
    .sort((a, b) => a.locationId.localeCompare(b.locationId));
  return { sku, ...(channel ? { channel } : {}), available: locations.reduce((sum, l) => sum + l.available, 0), locations };
}

/** A SKU's availability at every location, read from the stock items themselves (strongly consistent). */
export async function getSkuInventory(
  deps: { stock: StockStore; channels: ChannelStore },
  tenantId: string,
  sku: string,
  channel?: string,
  options: { shards?: boolean } = {},
): Promise<SkuAvailability> {
  const [levels, rule] = await Promise.all([deps.stock.listBySku(tenantId, sku), channel ? deps.channels.get(tenantId, channel) : undefined]);
  const answer = forChannel(sku, levels.map(viewOf), channel, rule);
  if (!options.shards) return answer;
  // Sharded location+SKUs (docs/inventory.md "Sharded stock"): each shard's own counts, for operations.
  const shardsAt = new Map(levels.flatMap((level) => (level.shards ? [[level.locationId, level.shards] as const] : [])));
  return {
    ...answer,
    locations: answer.locations.map((view) => {
      const shards = shardsAt.get(view.locationId);
      return shards ? { ...view, shards: shards.map((s) => ({ shard: s.shard ?? 0, onHand: s.onHand, reserved: s.reserved, safetyStock: s.safetyStock, available: s.available })) } : view;
    }),
  };
}

/** One page of a location's SKUs. */
export async function getLocationInventory(
  deps: { stock: StockStore; locations: LocationStore; channels: ChannelStore },
  tenantId: string,
  locationId: string,
  page: { limit: number; after?: Record<string, unknown>; channel?: string },
): Promise<Page<{ sku: string; damaged?: number } & StockView>> {
  const [location, levels, rule] = await Promise.all([
    deps.locations.get(tenantId, locationId),
    deps.stock.listByLocation(tenantId, locationId, page),
    page.channel ? deps.channels.get(tenantId, page.channel) : undefined,
  ]);
  if (!location) throw new LocationNotFoundError(locationId);
  return {
    items: levels.items.map((level) => {
      const view = viewOf(level);
      return { sku: level.sku, ...view, available: channelAvailable(view.available, holdBackFor(rule, level.sku)), ...(level.damaged ? { damaged: level.damaged } : {}) };
    }),
    ...(levels.next ? { next: levels.next } : {}),
  };
}

export interface SkuNetworkView extends SkuAvailability {
  /** When the projection was last written: how fresh this answer is. */
  projectedAt: string;
}

/**
 * The router's read: each SKU's availability at every location from the stream-built projection, one BatchGetItem
 * for all the SKUs (one GetItem per 100). Eventually consistent by design (the lag is measured, see
 * docs/inventory.md); reservations re-check every unit with their own conditions. An unknown SKU has no locations.
 */
export async function getSkuNetwork(
  deps: { networks: SkuNetworkStore; channels: ChannelStore },
  tenantId: string,
  skus: string[],
  channel?: string,
): Promise<SkuNetworkView[]> {
  const [networks, rule] = await Promise.all([deps.networks.getMany(tenantId, skus), channel ? deps.channels.get(tenantId, channel) : undefined]);
  return skuNetworkViews(tenantId, networks, skus, channel, rule);
}

/** The router's view of SKU networks already read: each SKU's locations with the channel's hold-back applied. */
export function skuNetworkViews(tenantId: string, networks: ReadonlyMap<string, SkuNetwork>, skus: string[], channel: string | undefined, rule: ChannelRule | undefined): SkuNetworkView[] {
  return skus.map((sku) => {
    const network = networks.get(sku) ?? emptyNetwork(tenantId, sku);
    const views = Object.values(network.locations).map(({ locationId, onHand, reserved, safetyStock, available }) => ({ locationId, onHand, reserved, safetyStock, available }));
    return { ...forChannel(sku, views, channel, rule), projectedAt: network.projectedAt };
  });
}
