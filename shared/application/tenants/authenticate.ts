import { bearerToken, parseApiKey } from '#domain/tenants/tenant';
import type { SecretGenerator, TenantStore } from '../ports.ts';

export interface AuthenticateDeps {
  tenants: TenantStore;
  secrets: SecretGenerator;
}

/**
 * The tenant an Authorization header speaks for, or `undefined`. Malformed keys never reach the table; a well-formed
 * key is looked up by its digest under its own tenant's partition, so a secret cannot be replayed against another tenant.
 */
export async function authenticate(deps: AuthenticateDeps, authorization: string | undefined): Promise<{ tenantId: string } | undefined> {
  const presented = bearerToken(authorization);
  const parts = presented ? parseApiKey(presented) : undefined;
  if (!presented || !parts) return undefined;
  const record = await deps.tenants.findApiKey(parts, deps.secrets.digest(presented));
  if (!record) return undefined;
  const tenant = await deps.tenants.get(parts.tenantId);
  return tenant?.status === 'ACTIVE' ? { tenantId: tenant.tenantId } : undefined;
}
