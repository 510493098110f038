import { ADMIN_KEY_ID, type ApiKey, type CreateApiKeyInput } from '#domain/tenants/api-keys';
import { formatApiKey } from '#domain/tenants/tenant';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { ApiKeyStore, Clock, IdGenerator, LocationStore, Page, SecretGenerator, StoredApiKey } from '../ports.ts';

export interface ApiKeyDeps {
  keys: ApiKeyStore;
  locations: Pick<LocationStore, 'existing'>;
  ids: IdGenerator;
  secrets: SecretGenerator;
  clock: Clock;
}

export class ApiKeyNotFoundError extends NotFoundError {
  override readonly name = 'ApiKeyNotFoundError';
  constructor(readonly keyId: string) {
    super(`API key ${keyId} does not exist`);
  }
}

/** Another working key has this name: names tell keys apart, and a retried request must not make a second key. */
export class ApiKeyNameTakenError extends ConflictError {
  override readonly name = 'ApiKeyNameTakenError';
  constructor(readonly keyName: string) {
    super(`An API key named "${keyName}" exists: revoke it first, or choose another name`);
  }
}

/** Revoking the admin key over HTTP would lock the tenant out of its own API. */
export class AdminKeyNotRevocableError extends ConflictError {
  override readonly name = 'AdminKeyNotRevocableError';
  constructor() {
    super('The admin key cannot be revoked through the API (it is the one key that manages the others)');
  }
}

/** A scope names locations the tenant does not have: a typo would give a partner a key that sees nothing. */
export class UnknownScopeLocationsError extends Error {
  override readonly name = 'UnknownScopeLocationsError';
  constructor(readonly unknown: ReadonlyArray<{ index: number; locationId: string }>) {
    super(`Unknown locations: ${unknown.map((u) => u.locationId).join(', ')}`);
  }
}

export interface IssuedApiKey extends ApiKey {
  /** Shown once: only its digest is stored. */
  apiKey: string;
}

/**
 * Issues a key scoped to some of the tenant's locations. The key's secret is answered once and stored only as a
 * digest. The name is unique among the tenant's working keys (a guard item in the same transaction), so two requests
 * at once, or a retry, make one key, never two.
 */
export async function issueApiKey(deps: ApiKeyDeps, tenantId: string, input: CreateApiKeyInput): Promise<IssuedApiKey> {
  const known = await deps.locations.existing(tenantId, input.scope.locationIds);
  const unknown = input.scope.locationIds.flatMap((locationId, index) => (known.has(locationId) ? [] : [{ index, locationId }]));
  if (unknown.length) throw new UnknownScopeLocationsError(unknown);
  const keyId = deps.ids.next('k_');
  const apiKey = formatApiKey({ tenantId, secret: deps.secrets.secret() });
  const record = {
    tenantId,
    keyId,
    name: input.name,
    scope: { locationIds: [...input.scope.locationIds] },
    createdAt: deps.clock.now().toISOString(),
    hint: apiKey.slice(0, tenantId.length + 9),
  };
  await deps.keys.issue({ ...record, keyDigest: deps.secrets.digest(apiKey) });
  return { ...record, apiKey };
}

export function listApiKeys(deps: Pick<ApiKeyDeps, 'keys'>, tenantId: string, page: { limit: number; after?: Record<string, unknown> }): Promise<Page<ApiKey>> {
  return deps.keys.list(tenantId, page);
}

/**
 * Revokes a scoped key: its credential is deleted, so the authorizer refuses it from then on (on AWS, once API
 * Gateway's cached decision for it expires). Revoking it again answers the key as revoked.
 */
export async function revokeApiKey(deps: Pick<ApiKeyDeps, 'keys' | 'clock'>, tenantId: string, keyId: string): Promise<StoredApiKey> {
  if (keyId === ADMIN_KEY_ID) throw new AdminKeyNotRevocableError();
  const revoked = await deps.keys.revoke(tenantId, keyId, deps.clock.now());
  if (!revoked) throw new ApiKeyNotFoundError(keyId);
  return revoked;
}
