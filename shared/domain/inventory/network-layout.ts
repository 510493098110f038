import type { NetworkEntry, SkuNetwork } from './projection.ts';

/**
 * How a SKU network is stored so that no item outgrows DynamoDB's 400 KB limit (pure). A network that fits in
 * `inlineMaxBytes` is one item, as it always was: the router reads it in one GetItem. A larger one becomes a head
 * (totals, threshold, versions, no locations) plus shards that hold the locations, each location in shard
 * `shardOf(locationId, count)`, each shard at most `shardMaxBytes`. `SkuNetwork.shards[i]` is the network version at
 * which shard i was last written: the head stores that list, each shard stores its own version, and a reader that
 * finds them disagreeing has read in the middle of a write and reads again. So a reader sees one version or the next,
 * never a mix. A network never goes back to one item: locations are never removed from it.
 *
 * Sizes are counted as DynamoDB counts them (UTF-8 names and strings, numbers by their digits, 3 bytes per map plus 1
 * per element), rounded up: the estimate must never be below the stored size.
 */
export const NETWORK_LIMITS = {
  /** Beyond this the network is split: ~1,000 locations with 10-character ids, ~360 with 128-character ids. */
  inlineMaxBytes: 128 * 1024,
  /** Small shards keep a write cheap: DynamoDB bills a write by the size of the whole item. */
  shardMaxBytes: 64 * 1024,
  /** A transaction holds 100 items: the head and 99 shards at most (~6 MB of locations). */
  maxShards: 99,
};

export type NetworkLimits = typeof NETWORK_LIMITS;

/** Shards are filled to this share of their limit when the count is chosen, so a network grows for a while before it must be split again. */
const FILL = 0.75;

/** More locations than the projection can store (NETWORK_LIMITS.maxShards shards). */
export class NetworkTooLargeError extends Error {
  override readonly name = 'NetworkTooLargeError';
  constructor(readonly sku: string, readonly bytes: number) {
    super(`The network of SKU ${sku} (${bytes} bytes) needs more than ${NETWORK_LIMITS.maxShards} shards`);
  }
}

const encoder = new TextEncoder();
// Ids are ASCII (the schemas allow nothing else): one byte a character, without encoding them.
const utf8 = (text: string) => (/^[\x00-\x7f]*$/.test(text) ? text.length : encoder.encode(text).length);

/** A value's stored size, rounded up. */
export function storedSize(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace('.', '').replace(/^0+/, '').length / 2) + 2;
  if (Array.isArray(value)) return 3 + value.reduce<number>((sum, element) => sum + 1 + storedSize(element), 0);
  if (typeof value === 'object') return 3 + Object.entries(value).reduce((sum, [name, element]) => sum + 1 + utf8(name) + storedSize(element), 0);
  throw new TypeError(`no stored size for a ${typeof value}`);
}

/** One location's entry in a `locations` map: its key and its value. */
export const entrySize = (locationId: string, entry: NetworkEntry) => 1 + utf8(locationId) + storedSize(entry);

/** FNV-1a of the id's bytes: stable across processes and releases, unlike anything built in. */
function hashOf(locationId: string): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(locationId)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

/** A location stays in its shard for as long as the shard count does not change. */
export const shardOf = (locationId: string, count: number): number => hashOf(locationId) % count;

interface Measured {
  locationId: string;
  hash: number;
  bytes: number;
}

const largestShard = (measured: Measured[], count: number): number => {
  const sizes = new Array<number>(count).fill(0);
  for (const { hash, bytes } of measured) sizes[hash % count]! += bytes;
  return Math.max(...sizes);
};

/**
 * The layout of `next`, a network merged onto `previous` (the stored one): undefined while it fits in one item;
 * otherwise the version at which each shard was last written. A shard that holds a location whose entry changed (or
 * every shard, when the count changes) gets `next.version`; the others keep theirs, so a write rewrites only them.
 */
export function layOut(next: SkuNetwork, previous: SkuNetwork | undefined, limits: NetworkLimits = NETWORK_LIMITS): number[] | undefined {
  const entries = Object.entries(next.locations);
  const before = previous?.shards;
  if (!before) {
    let inline = 0;
    for (const [locationId, entry] of entries) inline += entrySize(locationId, entry);
    if (inline <= limits.inlineMaxBytes) return undefined;
  }
  const measured = entries.map(([locationId, entry]) => ({ locationId, hash: hashOf(locationId), bytes: entrySize(locationId, entry) }));
  const bytes = measured.reduce((sum, m) => sum + m.bytes, 0);
  if (before?.length && largestShard(measured, before.length) <= limits.shardMaxBytes) {
    const touched = new Set<number>();
    for (const { locationId, hash } of measured) if (next.locations[locationId] !== previous!.locations[locationId]) touched.add(hash % before.length);
    for (const locationId of Object.keys(previous!.locations)) if (!(locationId in next.locations)) touched.add(shardOf(locationId, before.length));
    return before.map((version, i) => (touched.has(i) ? next.version : version));
  }
  let count = Math.max((before?.length ?? 0) + 1, Math.ceil(bytes / (limits.shardMaxBytes * FILL)));
  while (count <= limits.maxShards && largestShard(measured, count) > limits.shardMaxBytes) count++;
  if (count > limits.maxShards) throw new NetworkTooLargeError(next.sku, bytes);
  return new Array<number>(count).fill(next.version);
}

/** The head of a split network: everything but the locations, plus the entries this write changed (for StockChanged). */
export type NetworkHead = Omit<SkuNetwork, 'locations' | 'shards'> & { shards: number[]; moved: NetworkEntry[] };

export interface NetworkShard {
  tenantId: string;
  sku: string;
  index: number;
  /** The network version at which this shard was written. */
  version: number;
  locations: Record<string, NetworkEntry>;
}

/** A split network's head and the shards this write must store (those whose version is the network's). */
export function splitNetwork(network: SkuNetwork, moved: NetworkEntry[]): { head: NetworkHead; shards: NetworkShard[] } {
  const layout = network.shards;
  if (!layout) throw new Error(`the network of ${network.sku} is stored as one item`);
  const { locations, shards: _layout, ...rest } = network;
  const written = layout.flatMap((version, index) =>
    version === network.version ? [{ tenantId: network.tenantId, sku: network.sku, index, version, locations: {} as Record<string, NetworkEntry> }] : [],
  );
  const byIndex = new Map(written.map((shard) => [shard.index, shard]));
  for (const [locationId, entry] of Object.entries(locations)) {
    const shard = byIndex.get(shardOf(locationId, layout.length));
    if (shard) shard.locations[locationId] = entry;
  }
  return { head: { ...rest, shards: layout, moved }, shards: written };
}

/**
 * The network a head and its shards stand for, or undefined when they were read across a write (a shard missing, or
 * not at the version the head names): read again.
 */
export function joinNetwork(head: NetworkHead, shards: NetworkShard[]): SkuNetwork | undefined {
  const byIndex = new Map(shards.map((shard) => [shard.index, shard]));
  const locations: Record<string, NetworkEntry> = {};
  for (const [index, version] of head.shards.entries()) {
    const shard = byIndex.get(index);
    if (!shard || shard.version !== version) return undefined;
    Object.assign(locations, shard.locations);
  }
  const { moved: _moved, ...rest } = head;
  return { ...rest, locations };
}
