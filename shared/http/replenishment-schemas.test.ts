import { describe, expect, it } from 'vitest';
import { createInboundSchema, receiveInboundSchema, replenishmentQuerySchema, replenishmentSettingsSchema } from './replenishment-schemas.ts';

const failing = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[] }> } }) => (result.success ? [] : result.error!.issues.map((i) => i.path.join('.')));
const inbound = (extra: Record<string, unknown> = {}, lines: unknown[] = [{ sku: 'TEE', quantity: 1 }]) => ({ locationId: 'brooklyn-wh', expectedAt: '2026-12-10', lines, ...extra });
const lines = (n: number, quantity = 1) => Array.from({ length: n }, (_, i) => ({ sku: `S.${i}`, quantity }));

describe('replenishment input at its bounds', () => {
  it('takes an inbound of 49 lines, and not 50', () => {
    expect(failing(createInboundSchema.safeParse(inbound({}, lines(49))))).toEqual([]);
    expect(failing(createInboundSchema.safeParse(inbound({}, lines(50))))).toEqual(['lines']);
    expect(failing(receiveInboundSchema.safeParse({ receiptId: 'DN-1', lines: lines(49) }))).toEqual([]);
    expect(failing(receiveInboundSchema.safeParse({ receiptId: 'DN-1', lines: lines(50) }))).toEqual(['lines']);
  });

  it('takes quantities from 1 to 10^9, a tolerance up to 100 %, ids of 128 characters', () => {
    expect(failing(createInboundSchema.safeParse(inbound({ tolerancePercent: 100, inboundId: 'P'.repeat(128) }, lines(1, 1_000_000_000))))).toEqual([]);
    expect(failing(createInboundSchema.safeParse(inbound({ tolerancePercent: 100.5, inboundId: 'P'.repeat(129) }, lines(1, 1_000_000_001))))).toEqual(['inboundId', 'tolerancePercent', 'lines.0.quantity']);
    expect(failing(createInboundSchema.safeParse(inbound({}, lines(1, 0))))).toEqual(['lines.0.quantity']);
  });

  it('takes odd but valid ids and dates, and refuses unicode ids and unknown fields', () => {
    expect(failing(createInboundSchema.safeParse(inbound({ inboundId: 'PO:2026.12-A_1', supplierId: 'ACME.Textiles', expectedAt: '2026-12-10T09:00:00+01:00' }, [{ sku: 'Mug.Blue:XL', quantity: 3 }])))).toEqual([]);
    expect(failing(createInboundSchema.safeParse(inbound({ supplierId: 'Café' }, [{ sku: 'T-shirt-é', quantity: 1 }])))).toEqual(['supplierId', 'lines.0.sku']);
    expect(failing(createInboundSchema.safeParse(inbound({ expectedAt: '2026-02-30' })))).toEqual(['expectedAt']);
    expect(failing(createInboundSchema.safeParse(inbound({ supplier: 'acme' })))).toEqual(['']);
  });

  it('takes a service level from 0.5 to 0.999 and lead times and review periods from 1 to 365 days', () => {
    const settings = { serviceLevel: 0.999, leadTimeDays: 365, reviewDays: 1, locationLeadTimeDays: { 'Olean.WH': 1 } };
    expect(failing(replenishmentSettingsSchema.safeParse(settings))).toEqual([]);
    expect(failing(replenishmentSettingsSchema.safeParse({ ...settings, serviceLevel: 0.5, reviewDays: 365 }))).toEqual([]);
    expect(failing(replenishmentSettingsSchema.safeParse({ serviceLevel: 0.4999, leadTimeDays: 366, reviewDays: 0, locationLeadTimeDays: { 'Olean.WH': 366 } }))).toEqual([
      'serviceLevel', 'leadTimeDays', 'locationLeadTimeDays.Olean.WH', 'reviewDays',
    ]);
    expect(failing(replenishmentSettingsSchema.safeParse({ serviceLevel: 0.95, leadTimeDays: 7, locationLeadTimeDays: { 'bad#id': 3 } }))).toEqual(['locationLeadTimeDays.bad#id']);
  });

  it('lists below-reorder by default, 50 to a page, at most 100', () => {
    expect(replenishmentQuerySchema.parse({})).toEqual({ status: 'below-reorder', limit: 50 });
    expect(replenishmentQuerySchema.parse({ status: 'all', limit: '100' })).toEqual({ status: 'all', limit: 100 });
    expect(failing(replenishmentQuerySchema.safeParse({ limit: '101', status: 'Below-Reorder' }))).toEqual(['status', 'limit']);
  });
});
