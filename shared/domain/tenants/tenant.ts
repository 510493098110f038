import { z } from 'zod';

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
  currency: string;
  seededAt: string;
}

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

export function defaultSettings(tenantId: string, now: Date): TenantSettings {
  return {
    tenantId,
    defaultPreference: 'balanced',
    defaultSplitPolicy: 'allow',
    currency: 'USD',
    seededAt: now.toISOString(),
  };
}
