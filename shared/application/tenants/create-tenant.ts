import { formatApiKey, newTenant, tenantNameSchema } from '#domain/tenants/tenant';
import type { Clock, IdGenerator, SecretGenerator, TenantStore } from '../ports.ts';

export interface CreateTenantDeps {
  tenants: TenantStore;
  ids: IdGenerator;
  secrets: SecretGenerator;
  clock: Clock;
}

export interface CreatedTenant {
  tenantId: string;
  name: string;
  /** Shown once: only its digest is stored. */
  apiKey: string;
}

/** Creates a tenant with its first API key. The TenantCreated event follows from the table's stream, not from here. */
export async function createTenant(deps: CreateTenantDeps, input: { name: string }): Promise<CreatedTenant> {
  const name = tenantNameSchema.parse(input.name);
  const now = deps.clock.now();
  const tenantId = deps.ids.next('t_');
  const apiKey = formatApiKey({ tenantId, secret: deps.secrets.secret() });
  await deps.tenants.create(newTenant(tenantId, name, now), {
    tenantId,
    keyDigest: deps.secrets.digest(apiKey),
    createdAt: now.toISOString(),
    hint: apiKey.slice(0, tenantId.length + 9),
  });
  return { tenantId, name, apiKey };
}
