import { describe, expect, it } from 'vitest';
import { adjustmentsRequestSchema, putLocationSchema } from './schemas.ts';

const paths = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[] }> } }) => result.error?.issues.map((i) => i.path.join('.')) ?? [];

describe('adjustment requests', () => {
  it('accept set, delta or safety stock with a sequence', () => {
    expect(adjustmentsRequestSchema.safeParse({ adjustments: [{ locationId: 'L1', sku: 'S-1', set: 3, sequence: 1 }, { locationId: 'L1', sku: 'S-2', delta: -1 }] }).success).toBe(true);
  });

  it.each([
    [{ adjustments: [] }, 'adjustments'],
    [{ adjustments: [{ locationId: 'L1', sku: 'S', set: -1 }] }, 'adjustments.0.set'],
    [{ adjustments: [{ locationId: 'L1', sku: 'S', set: 1.5 }] }, 'adjustments.0.set'],
    [{ adjustments: [{ locationId: 'L1', sku: 'S', set: '3' }] }, 'adjustments.0.set'],
    [{ adjustments: [{ locationId: 'L1', sku: 'S', set: 1, delta: 1 }] }, 'adjustments.0.delta'],
    [{ adjustments: [{ locationId: 'L1', sku: 'S' }] }, 'adjustments.0.set'],
    [{ adjustments: [{ locationId: 'x'.repeat(129), sku: 'S', set: 1 }] }, 'adjustments.0.locationId'],
    [{ adjustments: [{ locationId: 'L#1', sku: 'S', set: 1 }] }, 'adjustments.0.locationId'],
    [{ adjustments: [{ locationId: 'L1', sku: 'S', set: 1, extra: true }] }, 'adjustments.0'],
  ])('refuse %j naming %s', (body, path) => {
    expect(paths(adjustmentsRequestSchema.safeParse(body))).toContain(path);
  });

  it('refuse more than 500 adjustments', () => {
    const adjustments = Array.from({ length: 501 }, (_, i) => ({ locationId: 'L1', sku: `S${i}`, set: 1 }));
    expect(paths(adjustmentsRequestSchema.safeParse({ adjustments }))).toEqual(['adjustments']);
  });
});

describe('location requests', () => {
  it('need geo or an address', () => {
    expect(paths(putLocationSchema.safeParse({ name: 'DC', type: 'warehouse' }))).toEqual(['geo']);
  });

  describe('a street address for customers', () => {
    const base = { name: 'Shop', type: 'store' };
    const address = (extra: Record<string, unknown>) => ({ ...base, address: { postalCode: '10012', country: 'US', ...extra } });

    it('is optional: a postal code and country alone stay valid, as locations were before', () => {
      expect(putLocationSchema.parse(address({})).address).toEqual({ postalCode: '10012', country: 'US' });
    });

    it('takes lines, city and region trimmed, in any script, up to their bounds exactly', () => {
      const parsed = putLocationSchema.parse(address({ line1: ' 120 Prince St ', line2: 'Étage 2 · 号', city: 'New York', region: 'NY' })).address;
      expect(parsed).toEqual({ line1: '120 Prince St', line2: 'Étage 2 · 号', city: 'New York', region: 'NY', postalCode: '10012', country: 'US' });
      expect(putLocationSchema.safeParse(address({ line1: 'a'.repeat(100), line2: 'b'.repeat(100), city: 'c'.repeat(60), region: 'd'.repeat(60) })).success).toBe(true);
    });

    it.each([
      [{ line1: 'a'.repeat(101) }, 'address.line1'],
      [{ line2: 'b'.repeat(101) }, 'address.line2'],
      [{ city: 'c'.repeat(61) }, 'address.city'],
      [{ region: 'd'.repeat(61) }, 'address.region'],
      [{ line1: '   ' }, 'address.line1'],
      [{ line1: '1 A St\nBcc: x' }, 'address.line1'],
      [{ city: 42 }, 'address.city'],
      [{ street: '1 A St' }, 'address'],
    ])('refuses %j naming %s', (extra, path) => {
      expect(paths(putLocationSchema.safeParse(address(extra)))).toEqual([path]);
    });
  });

  it('take an acceptance window of whole hours, from 1 to 336', () => {
    const base = { name: 'Shop', type: 'store', geo: { lat: 1, lon: 2 } };
    expect(putLocationSchema.parse({ ...base, acceptanceHours: 2 }).acceptanceHours).toBe(2);
    for (const acceptanceHours of [0, 337, 1.5, '4']) expect(paths(putLocationSchema.safeParse({ ...base, acceptanceHours }))).toEqual(['acceptanceHours']);
  });

  it('fill capabilities and active with defaults', () => {
    const parsed = putLocationSchema.parse({ name: 'DC', type: 'warehouse', geo: { lat: 1, lon: 2 } });
    expect(parsed).toMatchObject({ capabilities: { ship: true, pickup: false, curbside: false }, active: true });
  });
});
