import type { ApiKeyParts, Tenant, TenantSettings } from '#domain/tenants/tenant';
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
