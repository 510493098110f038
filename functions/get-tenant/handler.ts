import { getTenant, TenantNotFoundError } from '#application/tenants/get-tenant';
import { dynamoTenantStore } from '#adapters/dynamodb/tenant-store';
import { httpHandler } from '#http/handler';
import { NotFoundError } from '#http/problem';
import { tenantIdOf } from '#http/request';
import { json } from '#http/response';

const deps = { tenants: dynamoTenantStore };

export const handler = httpHandler(async (event) => {
  try {
    const { settings, ...tenant } = await getTenant(deps, tenantIdOf(event));
    // The settings repeat the tenant id; like every other resource, the API shows it once (the Tenant schema).
    const { tenantId: _tenantId, ...shown } = settings ?? {};
    return json(200, { ...tenant, settings: settings ? shown : null });
  } catch (error) {
    if (error instanceof TenantNotFoundError) throw new NotFoundError(error.message);
    throw error;
  }
});
