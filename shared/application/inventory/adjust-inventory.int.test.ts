// Adjustments under contention, through the API and the local DynamoDB: movements are atomic updates, so concurrent
// ones all apply, and a decrement racing a reservation can never take on-hand below the reserved units.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../../infra/local/cloud.ts';
import { createTestTenant, startTestCloud } from '../../../infra/local/tools/testing.ts';
import type { CreatedTenant } from '../tenants/create-tenant.ts';
import { reserveStock } from './reservations.ts';
import { inventoryDeps as deps } from './test-support.ts';

let cloud: LocalCloud;
let tenant: CreatedTenant;

beforeAll(async () => {
  cloud = await startTestCloud();
  tenant = await createTestTenant('Busy Warehouse');
  await call('PUT', '/locations/DC-1', { name: 'DC', type: 'warehouse', geo: { lat: 40.7, lon: -74 } });
});

afterAll(async () => {
  await cloud?.close();
});

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${cloud.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

const level = async (sku: string) => (await deps.stock.getMany(tenant.tenantId, [{ locationId: 'DC-1', sku }])).get(`DC-1 ${sku}`);

describe('inventory adjustments under contention', () => {
  it('apply all of 200 concurrent +1 movements of one item', async () => {
    await call('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'DC-1', sku: 'HOT', set: 7 }] });

    const answers = await Promise.all(Array.from({ length: 200 }, () => call('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'DC-1', sku: 'HOT', delta: 1 }] })));

    expect(answers.filter((a) => a.status === 200 && a.body.applied === 1 && a.body.errors.length === 0)).toHaveLength(200);
    expect(await level('HOT')).toMatchObject({ onHand: 207, reserved: 0, available: 207 });
  });

  it('never take on-hand below the reserved units when a decrement races a reservation', async () => {
    const skus = Array.from({ length: 40 }, (_, i) => `RACE-${i}`);
    await call('POST', '/inventory/adjustments', { adjustments: skus.map((sku) => ({ locationId: 'DC-1', sku, set: 10 })) });

    // Each pair wants 6 of the 10 units: whichever comes second must be refused.
    const outcomes = await Promise.all(
      skus.map(async (sku, i) => {
        const [reservation, adjustment] = await Promise.all([
          reserveStock(deps, { reservationId: `race-${i}`, tenantId: tenant.tenantId, orderId: `o-${i}`, items: [{ locationId: 'DC-1', sku, quantity: 6 }] }),
          call('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'DC-1', sku, delta: -6 }] }),
        ]);
        return { sku, reserved: reservation.status === 'RESERVED', decremented: adjustment.body.applied === 1, refusal: adjustment.body.errors[0]?.code };
      }),
    );

    for (const { sku, reserved, decremented, refusal } of outcomes) {
      const after = await level(sku);
      expect(after!.onHand).toBeGreaterThanOrEqual(after!.reserved);
      expect([reserved, decremented]).toContain(true);
      expect(reserved && decremented).toBe(false);
      if (!decremented) expect(refusal).toBe('BELOW_RESERVED');
      expect(after).toMatchObject(reserved ? { onHand: 10, reserved: 6, available: 4 } : { onHand: 4, reserved: 0, available: 4 });
    }
  });

  it('refuse a decrement reaching into reserved units, naming the field, and keep counting movements after it', async () => {
    await call('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'DC-1', sku: 'HELD', set: 5 }] });
    await reserveStock(deps, { reservationId: 'held-1', tenantId: tenant.tenantId, orderId: 'o-held', items: [{ locationId: 'DC-1', sku: 'HELD', quantity: 4 }] });

    const refused = await call('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'DC-1', sku: 'HELD', delta: -2 }, { locationId: 'DC-1', sku: 'HELD', delta: -1 }] });

    expect(refused.body).toEqual({ applied: 1, ignored: [], errors: [expect.objectContaining({ index: 0, field: 'adjustments[0].delta', code: 'BELOW_RESERVED' })] });
    expect(await level('HELD')).toMatchObject({ onHand: 4, reserved: 4, available: 0 });
  });

  it('ignore a movement whose sequence is stale, reporting the last one applied', async () => {
    await call('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'DC-1', sku: 'SEQ', delta: 3, sequence: 5 }] });

    const stale = await call('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'DC-1', sku: 'SEQ', delta: 3, sequence: 5 }] });

    expect(stale.body.ignored).toEqual([expect.objectContaining({ index: 0, reason: 'STALE_SEQUENCE', sequence: 5, lastSequence: 5 })]);
    expect(await level('SEQ')).toMatchObject({ onHand: 3, lastSequence: 5 });
  });
});
