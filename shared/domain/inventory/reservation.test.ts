import { describe, expect, it } from 'vitest';
import { pendingReservation } from './reservation.ts';

const now = new Date('2026-12-03T12:00:00Z');
const input = { tenantId: 't_0123456789ab', reservationId: 'o_1-S1-1-1', orderId: 'o_1', channel: 'marketplace', lines: [{ locationId: 'olean', sku: 'TEE', quantity: 2 }, { locationId: 'olean', sku: 'CAP', quantity: 1 }] };
const rule = { tenantId: 't_0123456789ab', channel: 'marketplace', holdBack: { units: 3 }, skus: { CAP: { share: 1 } }, version: 1, updatedAt: now.toISOString() };

describe('a pending reservation', () => {
  it('asks each line to keep its quantity plus the channel hold-back, and names the lines the channel may never take', () => {
    const { minAvailable, impossible } = pendingReservation(input, rule, now, 900);
    expect(minAvailable).toEqual([5, Number.POSITIVE_INFINITY]);
    expect(impossible).toEqual([1]);
  });

  it('expires after the TTL when one is given, and is held from the start without one', () => {
    expect(pendingReservation(input, undefined, now, 900).reservation).toMatchObject({ status: 'PENDING', expiresAt: Math.ceil(now.getTime() / 1000) + 900 });
    expect(pendingReservation(input, undefined, now).reservation.expiresAt).toBeUndefined();
  });
});
