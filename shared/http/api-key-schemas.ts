import { z } from 'zod';
import { apiKeyIdSchema, type ApiKey } from '#domain/tenants/api-keys';

/** Response and path schemas of the API key routes (the request body is `createApiKeySchema`, in the domain). */

export const apiKeyPathSchema = z.strictObject({ keyId: apiKeyIdSchema });

const scopeView = z.object({ locationIds: z.array(z.string()) });

export const apiKeySchema = z
  .object({
    keyId: z.string().describe('`admin` for the key made with the tenant'),
    name: z.string().optional(),
    scope: scopeView.optional().describe('Absent: the admin key, for the whole tenant'),
    hint: z.string().describe('The key\'s first characters (its tenant id and 4 of its secret), to tell keys apart'),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'ApiKey' });

export const issuedApiKeySchema = apiKeySchema
  .extend({ apiKey: z.string().describe('The key: shown this once and never again (only its SHA-256 digest is stored)') })
  .meta({ id: 'IssuedApiKey' });

export const apiKeyPageSchema = z
  .object({ items: z.array(apiKeySchema), nextCursor: z.string().optional().describe('Pass as `cursor` for the next page; absent on the last') })
  .meta({ id: 'ApiKeyPage' });

export const revokedApiKeySchema = apiKeySchema
  .extend({ status: z.literal('REVOKED'), revokedAt: z.iso.datetime() })
  .meta({ id: 'RevokedApiKey' });

/** How the API shows a key: never its secret's digest nor its tenant (the caller's own). */
export function apiKeyView<K extends ApiKey & { keyDigest?: string }>(key: K): Omit<K, 'tenantId' | 'keyDigest'> {
  const { tenantId: _tenantId, keyDigest: _digest, ...shown } = key;
  return shown;
}
