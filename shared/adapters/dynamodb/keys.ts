import { TENANT_ID_PATTERN } from '#domain/tenants/tenant';

/**
 * Every key in the table starts with the tenant id. Adapters build keys only through here, so no code path can
 * address an item without naming its tenant, and a malformed tenant id never becomes a key prefix.
 */
export function tenantKey(tenantId: string, ...parts: string[]): string {
  if (!TENANT_ID_PATTERN.test(tenantId)) throw new Error(`Not a tenant id: ${JSON.stringify(tenantId)}`);
  return [tenantId, ...parts].join('#');
}

/** Attributes every item carries: its entity type and a version for optimistic concurrency and replay checks. */
export interface ItemMeta {
  entity: string;
  version: number;
}
