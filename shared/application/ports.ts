import type { ApiKeyParts, Tenant, TenantSettings } from '#domain/tenants/tenant';
import type { ApiKey, ApiKeyScope } from '#domain/tenants/api-keys';
import type { ChannelRule, Location, Sku } from '#domain/inventory/location';
import type { StockLevel, StockWrite } from '#domain/inventory/stock';
import type { Reservation } from '#domain/inventory/reservation';
import type { ShardCounts } from '#domain/inventory/stock-shards';
import type { SkuNetwork } from '#domain/inventory/projection';
import type { DomainEvent } from '#events/envelope';

/** Ports the use cases depend on. Adapters in shared/adapters implement them; tests pass in-memory fakes or the real local adapters. */

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  /** A new unique, URL-safe id, lower case, starting with the given prefix (`t_`, `o_`, ...). */
  next(prefix: string): string;
}

export interface SecretGenerator {
  /** A new secret of at least 256 bits, base64url. */
  secret(): string;
  /** A one-way digest of an API key: what the table stores instead of the key. */
  digest(apiKey: string): string;
}

export interface ApiKeyRecord {
  tenantId: string;
  keyDigest: string;
  createdAt: string;
  /** The key's first characters, to tell keys apart in ops tools without revealing them. */
  hint: string;
  /** Absent on keys made with their tenant (the admin key, id `admin`). */
  keyId?: string;
  name?: string;
  /** Absent: the admin key, for the whole tenant. */
  scope?: ApiKeyScope;
}

/** A key as listed and revoked: never its secret nor its digest. */
export interface StoredApiKey extends ApiKey {
  status: 'ACTIVE' | 'REVOKED';
  revokedAt?: string;
}

/** Scoped API keys (issue 14): issued and revoked by the admin key; the authorizer reads them with findApiKey. */
export interface ApiKeyStore {
  /** The key's credential, its id entry and its name's guard, all or none; ApiKeyNameTakenError when the name is in use. */
  issue(key: ApiKeyRecord & Required<Pick<ApiKeyRecord, 'keyId' | 'name' | 'scope'>>): Promise<void>;
  /** The tenant's working keys (the admin key included), a page at a time. */
  list(tenantId: string, page: { limit: number; after?: Record<string, unknown> }): Promise<Page<ApiKey>>;
  /** A key issued over HTTP by its id (active or revoked); undefined when there is none. */
  get(tenantId: string, keyId: string): Promise<StoredApiKey | undefined>;
  /** Deletes the credential (the authorizer finds nothing from then on) and marks the id entry REVOKED, in one transaction. */
  revoke(tenantId: string, keyId: string, now: Date): Promise<StoredApiKey | undefined>;
}

export interface TenantStore {
  /** Writes the tenant and its first API key together, or neither. */
  create(tenant: Tenant, key: ApiKeyRecord): Promise<void>;
  get(tenantId: string): Promise<Tenant | undefined>;
  findApiKey(key: Pick<ApiKeyParts, 'tenantId'>, keyDigest: string): Promise<ApiKeyRecord | undefined>;
  getSettings(tenantId: string): Promise<TenantSettings | undefined>;
  /** Stores the settings unless some exist, and returns those that are stored. */
  putSettingsIfAbsent(settings: TenantSettings): Promise<TenantSettings>;
}

export interface EventPublisher {
  /** Publishes the events; resolves with the ids of those that failed (empty when all were accepted). */
  publish(events: DomainEvent[]): Promise<{ failed: string[] }>;
}

// ---- Inventory (issue 4) ----

export interface Page<T> {
  items: T[];
  /** Opaque position of the next page; undefined on the last page. */
  next?: Record<string, unknown>;
}

export interface Geocoder {
  /** Coordinates of a postal code, or undefined when it cannot be placed offline. */
  locate(postalCode: string, country: string): Promise<{ lat: number; lon: number } | undefined>;
  /** The postal code nearest to a point in `country` (the region of a place given by coordinates only); undefined when none. */
  nearestPostalCode(point: { lat: number; lon: number }, country: string): Promise<string | undefined>;
}

export interface LocationStore {
  /** Creates or replaces; the stored version is bumped. */
  put(location: Omit<Location, 'version'>): Promise<{ location: Location; created: boolean }>;
  get(tenantId: string, locationId: string): Promise<Location | undefined>;
  list(tenantId: string, page: { limit: number; after?: Record<string, unknown> }): Promise<Page<Location>>;
  /** The ids among `locationIds` that exist. */
  existing(tenantId: string, locationIds: string[]): Promise<Set<string>>;
}

export interface SkuStore {
  put(sku: Omit<Sku, 'version'>): Promise<{ sku: Sku; created: boolean }>;
  get(tenantId: string, sku: string): Promise<Sku | undefined>;
}

export interface ChannelStore {
  put(rule: Omit<ChannelRule, 'version'>): Promise<ChannelRule>;
  get(tenantId: string, channel: string): Promise<ChannelRule | undefined>;
  list(tenantId: string): Promise<ChannelRule[]>;
}

export interface StockStore {
  /** Current levels of the given location+sku pairs (missing pairs are absent from the map, keyed `locationId sku`). */
  getMany(tenantId: string, keys: Array<{ locationId: string; sku: string }>): Promise<Map<string, StockLevel>>;
  /**
   * One conditional update of one stock item (see StockWrite): `applied` with the item after it, or `refused` with the
   * item as it was when the condition failed (undefined: no item), so the caller can say why without another read.
   * Throttling and other failures throw.
   */
  adjust(tenantId: string, locationId: string, sku: string, write: StockWrite, now: Date, shard?: number): Promise<{ applied: true; level: StockLevel } | { applied: false; current: StockLevel | undefined }>;
  /** Every shard of a location+SKU, read consistently, shard 0 first (empty: no item; one: unsharded). */
  getShards(tenantId: string, locationId: string, sku: string): Promise<StockLevel[]>;
  /**
   * A location+SKU's shards rewritten in ONE transaction (planShardedAdjustment's `rewrite`), each existing shard only if
   * its reserved units and safety stock are still as in `basis`; false when one moved (read again and plan again).
   */
  rewriteShards(tenantId: string, locationId: string, sku: string, plan: { shards: ShardCounts[]; count: number; basis: readonly StockLevel[]; sequence?: number }, now: Date): Promise<boolean>;
  /** Evens out a sharded location+SKU's available units (planRebalance) in one transaction; false when a shard moved. */
  rebalance(tenantId: string, locationId: string, sku: string, now: Date): Promise<boolean>;
  /** Every location's level of a SKU (a sharded one: the sums of its shards, and the shards), read consistently. */
  listBySku(tenantId: string, sku: string): Promise<Array<StockLevel & { shards?: StockLevel[] }>>;
  listByLocation(tenantId: string, locationId: string, page: { limit: number; after?: Record<string, unknown> }): Promise<Page<StockLevel>>;
}

export type ReserveAttempt =
  | { outcome: 'RESERVED' }
  /** Lines whose condition failed, with the stored availability seen (undefined: no stock item). */
  | { outcome: 'INSUFFICIENT'; failed: Array<{ index: number; available: number | undefined }> }
  /** The reservation id is taken: the stored reservation. */
  | { outcome: 'EXISTS'; reservation: Reservation };

export type FinishAttempt = { outcome: 'DONE' } | { outcome: 'NOT_PENDING'; reservation: Reservation | undefined };

export interface ReservationStore {
  /**
   * One transaction: the reservation item (must not exist) and, per line, `reserved += q, available -= q` on the
   * stock item if `available >= minAvailable[i]`. All or nothing.
   */
  reserve(reservation: Reservation, minAvailable: number[]): Promise<ReserveAttempt>;
  /** Stores a rejected attempt (unless the id is taken meanwhile) so a retry answers the same; returns what is stored. */
  recordRejection(reservation: Reservation): Promise<Reservation>;
  get(tenantId: string, reservationId: string): Promise<Reservation | undefined>;
  /** PENDING -> RELEASED with the units back to available, in one transaction. */
  release(reservation: Reservation, now: Date, retainUntil: number): Promise<FinishAttempt>;
  /** PENDING -> COMMITTED with the units out of on-hand, in one transaction. */
  commit(reservation: Reservation, now: Date, retainUntil: number): Promise<FinishAttempt>;
  /**
   * After TTL deleted a PENDING reservation: writes its EXPIRED tombstone (must not exist) and gives its units back,
   * in one transaction. False when the tombstone already exists (a replayed stream record).
   */
  returnExpired(reservation: Reservation, now: Date, retainUntil: number): Promise<boolean>;
}

/** A projection write guarded by the stored item's version (0: the item must not exist). */
export interface NetworkWrite {
  network: SkuNetwork;
  expectedVersion: number;
  /** The stored network (at `expectedVersion`) this one was merged onto, so a store may write only what changed. */
  previous?: SkuNetwork;
}

/** written; stale: the stored version moved on (read it again); failed: not written this time (throttled, ...). */
export type NetworkWriteOutcome = 'written' | 'stale' | 'failed';

export interface SkuNetworkStore {
  getMany(tenantId: string, skus: string[]): Promise<Map<string, SkuNetwork>>;
  /** Writes each network independently (not a transaction); answers each write's outcome, in order. */
  putManyIfVersion(writes: NetworkWrite[]): Promise<NetworkWriteOutcome[]>;
}
