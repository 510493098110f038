import { getReplenishmentSettings, putReplenishmentSettings } from '#application/replenishment/settings';
import { settingsDeps } from '#adapters/replenishment';
import { httpHandler } from '#http/handler';
import { replenishmentSettingsSchema } from '#http/replenishment-schemas';
import { parseBody, tenantIdOf } from '#http/request';
import { json } from '#http/response';

/** GET / PUT /replenishment/settings: service level, lead time (default and per location), review period. */
export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  if (event.httpMethod === 'PUT') return json(200, await putReplenishmentSettings(settingsDeps, tenantId, parseBody(event, replenishmentSettingsSchema)));
  return json(200, await getReplenishmentSettings(settingsDeps, tenantId));
});
