import { describe, expect, it } from 'vitest';
import { bearerToken, formatApiKey, parseApiKey, tenantNameSchema } from './tenant.ts';

const secret = 'A'.repeat(43);

describe('API keys', () => {
  it('round-trips a formatted key to its tenant and secret', () => {
    const key = formatApiKey({ tenantId: 't_0123456789ab', secret });
    expect(parseApiKey(key)).toEqual({ tenantId: 't_0123456789ab', secret });
  });

  it('rejects keys without the dom_ prefix, with a malformed tenant id or a short secret', () => {
    expect(parseApiKey(`t_0123456789ab.${secret}`)).toBeUndefined();
    expect(parseApiKey(`dom_T_0123456789AB.${secret}`)).toBeUndefined();
    expect(parseApiKey('dom_t_0123456789ab.short')).toBeUndefined();
    expect(parseApiKey('')).toBeUndefined();
  });

  it('reads a bearer token whatever the scheme case, and nothing from other schemes', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer   abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});

describe('tenant names', () => {
  it('accepts ordinary shop names and trims them', () => {
    expect(tenantNameSchema.parse('  Acme & Sons (EU) ')).toBe('Acme & Sons (EU)');
  });

  it('refuses empty, over-long and markup-laden names', () => {
    expect(tenantNameSchema.safeParse('').success).toBe(false);
    expect(tenantNameSchema.safeParse('x'.repeat(101)).success).toBe(false);
    expect(tenantNameSchema.safeParse('<script>').success).toBe(false);
  });
});
