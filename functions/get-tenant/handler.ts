import { getTenant, TenantNotFoundError } from '#application/tenants/get-tenant';
import { dynamoTenantStore } from '#adapters/dynamodb/tenant-store';
import { httpHandler } from '#http/handler';
import { NotFoundError } from '#http/problem';
import { tenantIdOf } from '#http/request';
import { json } from '#http/response';

const deps = { tenants: dynamoTenantStore };

export const handler = httpHandler(async (event) => {
  try {
    return json(200, await getTenant(deps, tenantIdOf(event)));
  } catch (error) {
    if (error instanceof TenantNotFoundError) throw new NotFoundError(error.message);
    throw error;
  }
});
