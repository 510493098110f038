import { z } from 'zod';
import { customRegionsSchema, type CustomRegion } from '../routing/regions.ts';
import { PREFERENCES, SPLIT_POLICIES } from '../routing/rules.ts';

/**
 * Tenants and their API keys. An API key carries its tenant id in clear (`dom_<tenantId>.<secret>`), so the authorizer
 * can find the key's record under the tenant's own partition: every key in the table starts with the tenant id, and a
 * secret presented with another tenant's id simply finds nothing.
 */
export const TENANT_ID_PATTERN = /^t_[a-z0-9]{10,32}$/;
const API_KEY_PATTERN = /^dom_(t_[a-z0-9]{10,32})\.([A-Za-z0-9_-]{32,128})$/;

export const tenantNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[\p{L}\p{N} .,'&()-]+$/u, 'may hold letters, digits, spaces and . , \' & ( ) -');

export interface Tenant {
  tenantId: string;
  name: string;
  status: 'ACTIVE' | 'SUSPENDED';
  createdAt: string;
}

export interface TenantSettings {
  tenantId: string;
  /** The customer preference applied when an order names none. */
  defaultPreference: 'fastest' | 'cheapest' | 'greenest' | 'balanced';
  defaultSplitPolicy: 'allow' | 'minimize' | 'single';
  /** Regions of the tenant's own making (lists of US states or ZIP prefixes), for routing rule scopes. */
  customRegions?: CustomRegion[];
  currency: string;
  seededAt: string;
}

/**
 * `PUT /tenant/settings`: the tenant's routing defaults and custom regions, replaced as a whole (an absent field takes
 * its default). The defaults apply after the order's own preference and split policy and its rule set's.
 */
export const putTenantSettingsSchema = z
  .strictObject({
    defaultPreference: z.enum(PREFERENCES).default('balanced').describe('The preference of orders that name none and whose rule set names none'),
    defaultSplitPolicy: z.enum(SPLIT_POLICIES).default('allow').describe('The split policy of orders that name none and whose rule set names none'),
    customRegions: customRegionsSchema.default([]).describe('Regions routing rule sets can be scoped by, beside countries (US) and states (US-NY)'),
  })
  .meta({ id: 'PutTenantSettingsRequest' });
export type PutTenantSettingsInput = z.output<typeof putTenantSettingsSchema>;

export interface ApiKeyParts {
  tenantId: string;
  secret: string;
}

export function formatApiKey(parts: ApiKeyParts): string {
  return `dom_${parts.tenantId}.${parts.secret}`;
}

/** Splits a presented key; anything not of our shape is `undefined` (and never reaches the database). */
export function parseApiKey(presented: string): ApiKeyParts | undefined {
  const match = API_KEY_PATTERN.exec(presented);
  if (!match) return undefined;
  return { tenantId: match[1]!, secret: match[2]! };
}

/** `Bearer <key>` from an Authorization header value, case-insensitive scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

export function newTenant(tenantId: string, name: string, now: Date): Tenant {
  return { tenantId, name, status: 'ACTIVE', createdAt: now.toISOString() };
}

/** The routing defaults a tenant is seeded with; the router applies them too until the seeding is done. */
export const SEEDED_ROUTING_DEFAULTS = { preference: 'balanced', splitPolicy: 'allow' } as const satisfies { preference: TenantSettings['defaultPreference']; splitPolicy: TenantSettings['defaultSplitPolicy'] };

export function defaultSettings(tenantId: string, now: Date): TenantSettings {
  return {
    tenantId,
    defaultPreference: SEEDED_ROUTING_DEFAULTS.preference,
    defaultSplitPolicy: SEEDED_ROUTING_DEFAULTS.splitPolicy,
    currency: 'USD',
    seededAt: now.toISOString(),
  };
}
