import { describe, expect, it } from 'vitest';
import { parseRoutingRules, resolveDefaults, routingRulesSchema, selectRuleSet } from './rules.ts';

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
  it('fills defaults so a minimal rule set is usable, leaving the preference and split policy to the tenant', () => {
    const rs = parseRoutingRules(doc).ruleSets[2]!;
    expect(rs.split).toEqual({});
    expect(rs.filters.activeOnly).toBe(true);
    expect(rs.preferences.default).toBeUndefined();
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

describe('rule set scopes', () => {
  const scoped = (scope: Record<string, unknown>) => parseRoutingRules({ ...doc, ruleSets: [{ id: 'scoped', scope }, { id: 'default' }] });

  it('compares channels, regions and categories without regard to case', () => {
    expect(selectRuleSet(scoped({ channels: ['Marketplace'] }), { channel: 'marketplace', categories: [] }).id).toBe('scoped');
    expect(selectRuleSet(scoped({ regions: ['us-ny'] }), { regions: ['US', 'US-NY'], categories: [] }).id).toBe('scoped');
    expect(selectRuleSet(scoped({ regions: ['Northeast'] }), { regions: ['US', 'US-NY', 'northeast'], categories: [] }).id).toBe('scoped');
    expect(selectRuleSet(scoped({ categories: ['Glass'] }), { categories: ['glass'] }).id).toBe('scoped');
    expect(selectRuleSet(scoped({ regions: ['US-CA'] }), { regions: ['US', 'US-NY'], categories: [] }).id).toBe('default');
  });

  it('requires every listed dimension to match', () => {
    const rules = scoped({ channels: ['web'], regions: ['US-NY'], categories: ['glass'] });
    expect(selectRuleSet(rules, { channel: 'web', regions: ['US-NY'], categories: ['glass'] }).id).toBe('scoped');
    expect(selectRuleSet(rules, { channel: 'pos', regions: ['US-NY'], categories: ['glass'] }).id).toBe('default');
    expect(selectRuleSet(rules, { channel: 'web', regions: ['US-NJ'], categories: ['glass'] }).id).toBe('default');
    expect(selectRuleSet(rules, { channel: 'web', regions: ['US-NY'], categories: ['tees'] }).id).toBe('default');
  });

  it('takes a rollout share of the orders by their id, and none without an order id', () => {
    const rules = scoped({ rollout: 30 });
    const ids = Array.from({ length: 2_000 }, (_, i) => `o_${i.toString(36).padStart(8, '0')}`);
    const inScope = ids.filter((orderId) => selectRuleSet(rules, { orderId, categories: [] }).id === 'scoped').length;
    expect(inScope / ids.length).toBeGreaterThan(0.26);
    expect(inScope / ids.length).toBeLessThan(0.34);
    expect(selectRuleSet(scoped({ rollout: 100 }), { categories: [] }).id).toBe('default');
    expect(selectRuleSet(scoped({ rollout: 100 }), { orderId: 'o_1', categories: [] }).id).toBe('scoped');
    expect(selectRuleSet(scoped({ rollout: 0 }), { orderId: 'o_1', categories: [] }).id).toBe('default');
  });

  it('accepts a rollout of 0 to 100 % in steps of 0.01, and refuses anything else naming the field', () => {
    for (const rollout of [0, 0.01, 12.5, 99.99, 100]) expect(routingRulesSchema.safeParse({ ...doc, ruleSets: [{ id: 'r', scope: { rollout } }, { id: 'd' }] }).success).toBe(true);
    for (const rollout of [-1, 100.01, 12.345, Number.NaN, '10']) {
      const result = routingRulesSchema.safeParse({ ...doc, ruleSets: [{ id: 'r', scope: { rollout } }, { id: 'd' }] });
      expect(result.success).toBe(false);
      expect(result.error!.issues[0]!.path).toEqual(['ruleSets', 0, 'scope', 'rollout']);
    }
  });

  it('does not count a rollout-only scope as the catch-all', () => {
    expect(routingRulesSchema.safeParse({ ...doc, ruleSets: [{ id: 'default', scope: { rollout: 100 } }] }).success).toBe(false);
  });
});

describe('the default order', () => {
  const ruleSet = (preferences: Record<string, unknown>, split: Record<string, unknown>) =>
    parseRoutingRules({ ...doc, ruleSets: [{ id: 'default', preferences, split }] }).ruleSets[0]!;
  const tenant = { preference: 'greenest', splitPolicy: 'minimize' } as const;

  it("takes the order's own preference and split policy first", () => {
    const resolved = resolveDefaults(ruleSet({ default: 'fastest' }, { policy: 'single' }), { preference: 'cheapest', splitPolicy: 'allow' }, tenant);
    expect(resolved).toMatchObject({ preference: 'cheapest', preferenceFrom: 'order', split: { policy: 'allow' }, splitFrom: 'order' });
  });

  it("then the rule set's default", () => {
    const resolved = resolveDefaults(ruleSet({ default: 'fastest' }, { policy: 'single', maxParcels: 2 }), {}, tenant);
    expect(resolved).toMatchObject({ preference: 'fastest', preferenceFrom: 'rule set', split: { policy: 'single', maxParcels: 2 }, splitFrom: 'rule set' });
  });

  it("then the tenant's defaultPreference and defaultSplitPolicy", () => {
    const resolved = resolveDefaults(ruleSet({}, { maxParcels: 3 }), {}, tenant);
    expect(resolved).toMatchObject({ preference: 'greenest', preferenceFrom: 'tenant', split: { policy: 'minimize', maxParcels: 3 }, splitFrom: 'tenant' });
  });

  it('then the built-in cheapest and allow, for a tenant without settings yet', () => {
    expect(resolveDefaults(ruleSet({}, {}), {}, undefined)).toMatchObject({ preference: 'cheapest', preferenceFrom: 'built-in', split: { policy: 'allow' }, splitFrom: 'built-in' });
  });

  it('mixes sources per setting: each is resolved on its own', () => {
    const resolved = resolveDefaults(ruleSet({ default: 'fastest' }, {}), { splitPolicy: 'single' }, tenant);
    expect(resolved).toMatchObject({ preferenceFrom: 'rule set', splitFrom: 'order' });
  });
});
