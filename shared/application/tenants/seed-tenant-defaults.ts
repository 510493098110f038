import { defaultSettings, type TenantSettings } from '#domain/tenants/tenant';
import type { Clock, TenantStore } from '../ports.ts';
import { TenantNotFoundError } from './get-tenant.ts';

/** Idempotent: a retried or replayed onboarding returns the settings the first run stored. */
export async function seedTenantDefaults(deps: { tenants: TenantStore; clock: Clock }, tenantId: string): Promise<TenantSettings> {
  const tenant = await deps.tenants.get(tenantId);
  if (!tenant) throw new TenantNotFoundError(tenantId);
  return deps.tenants.putSettingsIfAbsent(defaultSettings(tenantId, deps.clock.now()));
}
