import type { Tenant, TenantSettings } from '#domain/tenants/tenant';
import type { TenantStore } from '../ports.ts';

export class TenantNotFoundError extends Error {
  override readonly name = 'TenantNotFoundError';
  constructor(readonly tenantId: string) {
    super(`Tenant ${tenantId} does not exist`);
  }
}

export async function getTenant(deps: { tenants: TenantStore }, tenantId: string): Promise<Tenant & { settings: TenantSettings | null }> {
  const [tenant, settings] = await Promise.all([deps.tenants.get(tenantId), deps.tenants.getSettings(tenantId)]);
  if (!tenant) throw new TenantNotFoundError(tenantId);
  return { ...tenant, settings: settings ?? null };
}
