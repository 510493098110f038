import type { CustomRegion } from '#domain/routing/regions';
import { defaultSettings, type TenantSettings } from '#domain/tenants/tenant';
import type { TenantSettingsStore } from '#application/tenants/tenant-settings';
import { documentClient, tableName, UpdateCommand } from './client.ts';
import { tenantKey } from './keys.ts';

export const dynamoTenantSettingsStore: TenantSettingsStore = {
  async putRouting(tenantId, input, now) {
    const seeded = defaultSettings(tenantId, now);
    const { Attributes } = await documentClient.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { pk: tenantKey(tenantId, 'TENANT'), sk: 'SETTINGS' },
        // Settings not seeded yet (the onboarding workflow runs a moment after the tenant is created) get the seeded
        // defaults for what this request does not set; seeding then finds them and keeps them.
        UpdateExpression:
          'SET entity = :entity, tenantId = :tenantId, defaultPreference = :preference, defaultSplitPolicy = :split, customRegions = :regions, ' +
          'currency = if_not_exists(currency, :currency), seededAt = if_not_exists(seededAt, :seededAt), version = if_not_exists(version, :zero) + :one',
        ExpressionAttributeValues: {
          ':entity': 'TenantSettings',
          ':tenantId': tenantId,
          ':preference': input.defaultPreference,
          ':split': input.defaultSplitPolicy,
          ':regions': input.customRegions,
          ':currency': seeded.currency,
          ':seededAt': seeded.seededAt,
          ':zero': 0,
          ':one': 1,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return tenantSettingsOf(Attributes!);
  },
};

/** The settings item as the domain sees it. */
export function tenantSettingsOf(item: Record<string, unknown>): TenantSettings {
  return {
    tenantId: item.tenantId as string,
    defaultPreference: item.defaultPreference as TenantSettings['defaultPreference'],
    defaultSplitPolicy: item.defaultSplitPolicy as TenantSettings['defaultSplitPolicy'],
    customRegions: Array.isArray(item.customRegions) ? (item.customRegions as CustomRegion[]) : [],
    currency: item.currency as string,
    seededAt: item.seededAt as string,
  };
}
