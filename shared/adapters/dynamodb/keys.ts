import { TENANT_ID_PATTERN } from '#domain/tenants/tenant';

/**
 * Every key in the table starts with the tenant id. Adapters build keys only through here, so no code path can
 * address an item without naming its tenant, and a malformed tenant id never becomes a key prefix. `#` separates the
 * parts; a part that holds `#` (a merchant's external id may) has it escaped, with `%` first, so two different lists
 * of parts never make the same key (channel `a#b` + id `c` against channel `a` + id `b#c`).
 */
export function tenantKey(tenantId: string, ...parts: string[]): string {
  if (!TENANT_ID_PATTERN.test(tenantId)) throw new Error(`Not a tenant id: ${JSON.stringify(tenantId)}`);
  return [tenantId, ...parts.map(keyPart)].join('#');
}

/** A key part with `%` and `#` escaped (parts without them, nearly all, are unchanged). */
export function keyPart(part: string): string {
  return part.includes('#') || part.includes('%') ? part.replaceAll('%', '%25').replaceAll('#', '%23') : part;
}

/** Attributes every item carries: its entity type and a version for optimistic concurrency and replay checks. */
export interface ItemMeta {
  entity: string;
  version: number;
}
