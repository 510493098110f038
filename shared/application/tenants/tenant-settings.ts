import type { PutTenantSettingsInput, TenantSettings } from '#domain/tenants/tenant';
import type { Clock } from '../ports.ts';

/** Where a tenant's editable settings are kept (the settings item the onboarding workflow seeds). */
export interface TenantSettingsStore {
  /**
   * Replaces the routing defaults and custom regions in one write, keeping the rest (currency, seededAt); settings not
   * yet seeded are created with their defaults. Answers the settings as stored.
   */
  putRouting(tenantId: string, input: PutTenantSettingsInput, now: Date): Promise<TenantSettings>;
}

/**
 * The tenant's routing defaults and custom regions, replaced as a whole: one conditional-free write of the whole
 * setting, so two edits at once leave one of them, never a mix, and a retry writes the same thing again. Orders routed
 * within the settings cache (30 s) may still see the previous ones.
 */
export function putTenantSettings(deps: { settings: TenantSettingsStore; clock: Clock }, tenantId: string, input: PutTenantSettingsInput): Promise<TenantSettings> {
  return deps.settings.putRouting(tenantId, input, deps.clock.now());
}
