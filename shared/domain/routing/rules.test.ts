import { describe, expect, it } from 'vitest';
import { parseRoutingRules, routingRulesSchema, selectRuleSet } from './rules.ts';

const doc = {
  schemaVersion: 1,
  tenantId: 'acme',
  version: 3,
  ruleSets: [
    { id: 'pilot-west', scope: { regions: ['US-CA'] }, split: { policy: 'minimize' } },
    { id: 'fragile', scope: { categories: ['glass'] }, split: { policy: 'single' } },
    { id: 'default' },
  ],
};

describe('routing rules', () => {
  it('fills defaults so a minimal rule set is usable', () => {
    const rs = parseRoutingRules(doc).ruleSets[2]!;
    expect(rs.split).toEqual({ policy: 'allow' });
    expect(rs.filters.activeOnly).toBe(true);
    expect(rs.preferences.default).toBe('cheapest');
    expect(rs.holdBack).toEqual([]);
  });

  it('rejects a document whose last rule set is scoped, so no order goes unrouted', () => {
    const result = routingRulesSchema.safeParse({ ...doc, ruleSets: doc.ruleSets.slice(0, 2) });
    expect(result.success).toBe(false);
  });

  it('rejects unknown fields and bad values instead of ignoring them', () => {
    expect(routingRulesSchema.safeParse({ ...doc, ruleSets: [{ id: 'default', split: { policy: 'sometimes' } }] }).success).toBe(false);
    expect(routingRulesSchema.safeParse({ ...doc, ruleSets: [{ id: 'default', spilt: {} }] }).success).toBe(false);
    expect(routingRulesSchema.safeParse({ ...doc, ruleSets: [{ id: 'a' }, { id: 'a' }] }).success).toBe(false);
  });

  it('picks the first rule set whose scope matches: region, then category, then the catch-all', () => {
    const rules = parseRoutingRules(doc);
    expect(selectRuleSet(rules, { region: 'US-CA', categories: ['glass'] }).id).toBe('pilot-west');
    expect(selectRuleSet(rules, { region: 'US-NY', categories: ['tees', 'glass'] }).id).toBe('fragile');
    expect(selectRuleSet(rules, { region: 'US-NY', categories: ['tees'] }).id).toBe('default');
  });
});
