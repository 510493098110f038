import { z } from 'zod';
import { locationIdSchema } from '../inventory/schemas.ts';

/**
 * API keys and what they may do. A tenant's admin key (the one made with the tenant) may do everything; a scoped key,
 * issued by the admin key for a store, 3PL or drop-shipper, may only work its locations' shipments and stock. A key
 * is found by the digest of the whole key (`dom_<tenantId>.<secret>`); the secret itself is never stored or logged.
 */

/** The id of the key made with the tenant (`dom tenant create`): every tenant has one, it cannot be revoked over HTTP. */
export const ADMIN_KEY_ID = 'admin';
/**
 * Locations one scoped key may serve. The key's scope travels in the authorizer's context (API Gateway caps the
 * authorizer's answer at a few KB): 20 ids of up to 128 characters stay well below it. A partner with more locations
 * gets a key per group of them.
 */
export const MAX_SCOPE_LOCATIONS = 20;
/** Keys a tenant may hold at once: each one lists and revokes in one page. */
export const MAX_ACTIVE_KEYS = 100;

export const apiKeyIdSchema = z
  .string()
  .max(64, 'must be at most 64 characters')
  .regex(/^(admin|k_[0-9a-z]{1,60})$/, 'an API key id is `admin` or `k_` and lower-case letters and digits');

export const apiKeyNameSchema = z
  .string()
  .trim()
  .normalize('NFC')
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  // Letters of any script, digits, spaces and common punctuation; never control characters or markup.
  .regex(/^[\p{L}\p{M}\p{N} .,'&()_:/@+#-]+$/u, 'may hold letters, digits, spaces and . , \' & ( ) _ : / @ + # -');

export const apiKeyScopeSchema = z.strictObject({
  locationIds: z
    .array(locationIdSchema)
    .min(1, 'must name at least one location')
    .max(MAX_SCOPE_LOCATIONS, `must name at most ${MAX_SCOPE_LOCATIONS} locations`)
    .superRefine((ids, ctx) => {
      const seen = new Set<string>();
      ids.forEach((id, i) => {
        if (seen.has(id)) ctx.addIssue({ code: 'custom', path: [i], message: `${id} is named twice` });
        seen.add(id);
      });
    })
    .describe('The locations this key works for (ids are case-sensitive, as stored)'),
});
export type ApiKeyScope = z.output<typeof apiKeyScopeSchema>;

export const createApiKeySchema = z
  .strictObject({
    name: apiKeyNameSchema.describe('Who holds the key, e.g. "Manhattan store tablet"; unique among the tenant\'s keys (case-insensitive)'),
    scope: apiKeyScopeSchema,
  })
  .meta({ id: 'CreateApiKeyRequest' });
export type CreateApiKeyInput = z.output<typeof createApiKeySchema>;

/** A stored key: what the authorizer reads, what the admin lists. Never the secret. */
export interface ApiKey {
  tenantId: string;
  keyId: string;
  /** Absent on the admin key of tenants made before keys had names. */
  name?: string;
  /** Absent: the admin key (the whole tenant). */
  scope?: ApiKeyScope;
  createdAt: string;
  /** The key's first characters, to tell keys apart without revealing them. */
  hint: string;
}

/** Who calls: the tenant, the key, and the key's locations when it is scoped (absent for the admin key). */
export interface Principal {
  tenantId: string;
  keyId: string;
  keyName?: string;
  locationIds?: readonly string[];
}

/** Who did something, as shipments' histories and events record it. */
export interface Actor {
  keyId: string;
  keyName?: string;
}

export function actorOf(principal: Principal): Actor {
  return { keyId: principal.keyId, ...(principal.keyName ? { keyName: principal.keyName } : {}) };
}

/** True when the principal may work this location's shipments and stock (the admin key may work every location). */
export function mayUseLocation(principal: Pick<Principal, 'locationIds'>, locationId: string): boolean {
  return principal.locationIds === undefined || principal.locationIds.includes(locationId);
}

/** Names compare without case and in one Unicode form, so `Store 1` and `store 1` cannot be two keys. */
export function nameKey(name: string): string {
  return name.normalize('NFC').toLocaleLowerCase('und');
}
