import { putTenantSettingsSchema } from '#domain/tenants/tenant';
import { putTenantSettings } from '#application/tenants/tenant-settings';
import { dynamoTenantSettingsStore } from '#adapters/dynamodb/tenant-settings-store';
import { systemClock } from '#adapters/system/system';
import { httpHandler } from '#http/handler';
import { parseBody, tenantIdOf } from '#http/request';
import { json } from '#http/response';

const deps = { settings: dynamoTenantSettingsStore, clock: systemClock };

/** PUT /tenant/settings: the tenant's routing defaults and custom regions, replaced as a whole. */
export const handler = httpHandler(async (event) => {
  const { tenantId: _tenantId, ...settings } = await putTenantSettings(deps, tenantIdOf(event), parseBody(event, putTenantSettingsSchema));
  return json(200, settings);
});
