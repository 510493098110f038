import { describe, expect, it } from 'vitest';
import { putLocationSchema } from '#domain/inventory/schemas';
import { placeOrderSchema } from '#domain/orders/intake';
import { pickedUpSchema, pickupArrivedSchema } from './order-schemas.ts';

const store = { name: 'Store', type: 'store', address: { postalCode: '10001', country: 'US' } };
const paths = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[] }> } }) => (result.success ? [] : result.error!.issues.map((i) => i.path.join('.')));

describe('pickup inputs at their bounds', () => {
  it('takes pickupHoldDays from 1 to 60 whole days and refuses anything else by field', () => {
    for (const days of [1, 60]) expect(putLocationSchema.safeParse({ ...store, pickupHoldDays: days }).success).toBe(true);
    for (const days of [0, 61, 2.5, '5', null]) expect(paths(putLocationSchema.safeParse({ ...store, pickupHoldDays: days }))).toEqual(['pickupHoldDays']);
  });

  it('takes a code of 1 to 32 characters (trimmed), a bay of up to 32 and a vehicle of up to 200, in any script', () => {
    expect(pickedUpSchema.safeParse({ code: ' 1 ' }).data).toEqual({ code: '1' });
    expect(pickedUpSchema.safeParse({ code: 'Ä'.repeat(32) }).success).toBe(true);
    for (const code of ['', '   ', 'x'.repeat(33), 123456]) expect(paths(pickedUpSchema.safeParse({ code }))).toEqual(['code']);
    expect(paths(pickedUpSchema.safeParse({}))).toEqual(['code']);
    expect(pickupArrivedSchema.safeParse({ bay: 'B'.repeat(32), vehicle: '車'.repeat(200) }).success).toBe(true);
    expect(paths(pickupArrivedSchema.safeParse({ bay: 'B'.repeat(33) }))).toEqual(['bay']);
    expect(paths(pickupArrivedSchema.safeParse({ vehicle: 'v'.repeat(201) }))).toEqual(['vehicle']);
  });

  it('takes the three pickup fallbacks exactly as spelled', () => {
    const order = { channel: 'web', shipTo: { country: 'US', postalCode: '10001' }, lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1 }] };
    for (const fallback of ['nearest-store', 'ship', 'cancel']) expect(placeOrderSchema.safeParse({ ...order, pickupFallback: fallback }).success).toBe(true);
    for (const fallback of ['Ship', 'nearest_store', '']) expect(paths(placeOrderSchema.safeParse({ ...order, pickupFallback: fallback }))).toEqual(['pickupFallback']);
  });
});
