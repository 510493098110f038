import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_TABLE, parseRateTable, rateTableSchema, type RateTableInput } from './rate-table.ts';
import { testTableInput } from './test-fixtures.ts';

function issuesOf(edit: (t: RateTableInput) => void): { path: string; message: string }[] {
  const input = testTableInput();
  edit(input);
  const result = rateTableSchema.safeParse(input);
  if (result.success) throw new Error('expected the table to be rejected');
  return result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

type ServiceInput = RateTableInput['carriers'][number]['services'][number];
const svc = (t: RateTableInput, i = 0): ServiceInput => t.carriers[0]!.services[i]!;

describe('rate table schema', () => {
  it('accepts the default table, frozen so that no tenant can change it for others', () => {
    expect(parseRateTable(DEFAULT_RATE_TABLE)).toEqual(DEFAULT_RATE_TABLE);
    expect(Object.isFrozen(DEFAULT_RATE_TABLE.carriers[0]!.services[0]!.pricing)).toBe(true);
  });

  it('fills in CO2 factors, distance factors and handling costs that a table leaves out', () => {
    const table = parseRateTable(testTableInput());
    expect(table.co2.gramsPerKgKm).toEqual({ ground: 0.1, air: 1.0, courier: 0.6, freight: 0.085 });
    expect(table.co2.distanceFactor.ground).toBe(1.2);
    expect(table.handlingCost.byType).toEqual({ warehouse: 1.25, store: 3.5, dropship: 0, '3pl': 2.75 });
  });

  it('rejects zone bands whose distances do not increase, naming the band', () => {
    const issues = issuesOf((t) => (t.zones[1]!.upToKm = 100));
    expect(issues).toContainEqual({ path: 'zones.1.upToKm', message: "must be greater than the previous band's 100 km" });
  });

  it('rejects a service code used twice', () => {
    const issues = issuesOf((t) => (svc(t, 1).code = 'ACME_GROUND'));
    expect(issues).toContainEqual({ path: 'carriers.0.services.1.code', message: 'duplicate service code ACME_GROUND' });
  });

  it('rejects a zone that has transit days but no price', () => {
    const issues = issuesOf((t) => {
      const p = svc(t).pricing;
      if (p.kind === 'per-lb') p.base[2] = null;
    });
    expect(issues).toContainEqual({ path: 'carriers.0.services.0.pricing.base.2', message: 'zone 3 has transit days but no price' });
  });

  it('rejects a malformed cut-off time and an unknown time zone', () => {
    const issues = issuesOf((t) => {
      svc(t).cutoff = { localTime: '5pm', timeZone: 'Mars/Olympus_Mons' };
    });
    expect(issues.map((i) => i.path)).toEqual(['carriers.0.services.0.cutoff.localTime', 'carriers.0.services.0.cutoff.timeZone']);
    expect(issues[1]!.message).toMatch(/IANA time zone/);
  });

  it('accepts a fixed UTC offset as a time zone', () => {
    const input = testTableInput();
    input.defaultTimeZone = '-06:00';
    expect(() => parseRateTable(input)).not.toThrow();
  });

  it('rejects per-zone lists that do not have eight entries', () => {
    const issues = issuesOf((t) => (svc(t).transitDays = [1, 2, 3]));
    expect(issues[0]).toEqual({ path: 'carriers.0.services.0.transitDays', message: 'must list exactly 8 zones (zone 1 first; null where not served)' });
  });

  it('rejects a price table that stops below the service weight limit', () => {
    const issues = issuesOf((t) => (svc(t, 3).maxWeightLb = 30));
    expect(issues).toContainEqual({ path: 'carriers.0.services.3.maxWeightLb', message: 'is 30 lb but the price table stops at 20 lb' });
  });

  it('rejects weight breaks out of order', () => {
    const issues = issuesOf((t) => {
      const p = svc(t).pricing;
      if (p.kind === 'per-lb') p.breaks![1]!.aboveLb = 1;
    });
    expect(issues).toContainEqual({ path: 'carriers.0.services.0.pricing.breaks.1.aboveLb', message: "must be greater than the previous break's 1 lb" });
  });

  it('rejects service codes that are not upper snake case, and unknown fields', () => {
    const issues = issuesOf((t) => {
      svc(t).code = 'acme-ground';
      (svc(t) as Record<string, unknown>).colour = 'brown';
    });
    expect(issues.map((i) => i.path).sort()).toEqual(['carriers.0.services.0', 'carriers.0.services.0.code']);
  });
});
