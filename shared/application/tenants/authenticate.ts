import { ADMIN_KEY_ID, type Principal } from '#domain/tenants/api-keys';
import { bearerToken, parseApiKey } from '#domain/tenants/tenant';
import type { SecretGenerator, TenantStore } from '../ports.ts';

export interface AuthenticateDeps {
  tenants: TenantStore;
  secrets: SecretGenerator;
}

/**
 * Who an Authorization header speaks for (the tenant, the key, and the key's locations when it is scoped), or
 * `undefined`. Malformed keys never reach the table; a well-formed key is looked up by its digest under its own
 * tenant's partition, so a secret cannot be replayed against another tenant. A revoked key's credential is gone.
 */
export async function authenticate(deps: AuthenticateDeps, authorization: string | undefined): Promise<Principal | undefined> {
  const presented = bearerToken(authorization);
  const parts = presented ? parseApiKey(presented) : undefined;
  if (!presented || !parts) return undefined;
  const record = await deps.tenants.findApiKey(parts, deps.secrets.digest(presented));
  if (!record) return undefined;
  const tenant = await deps.tenants.get(parts.tenantId);
  if (tenant?.status !== 'ACTIVE') return undefined;
  return {
    tenantId: tenant.tenantId,
    keyId: record.keyId ?? ADMIN_KEY_ID,
    ...(record.name ? { keyName: record.name } : {}),
    ...(record.scope ? { locationIds: record.scope.locationIds } : {}),
  };
}
