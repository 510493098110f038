import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../../infra/local/cloud.ts';
import { createTestTenant, eventually, startTestCloud } from '../../../infra/local/tools/testing.ts';
import { commitReservation, releaseReservation, reserveStock } from './reservations.ts';
import { getSkuInventory, getSkuNetwork } from './stock-queries.ts';
import { putChannel } from './catalog.ts';
import { inventoryDeps as deps, seedStock } from './test-support.ts';
import { ReservationConflictError, ReservationNotPendingError } from './errors.ts';

let cloud: LocalCloud;
let tenantId: string;

beforeAll(async () => {
  cloud = await startTestCloud();
  tenantId = (await createTestTenant('Reservations')).tenantId;
});

afterAll(async () => {
  await cloud?.close();
});

const stockOf = async (sku: string) => (await getSkuInventory(deps, tenantId, sku)).locations;

describe('reservations', () => {
  it('reserve exactly the 20 units of a SKU when 500 reservations of one unit race for them', async () => {
    await seedStock(tenantId, [
      { locationId: 'EAST', sku: 'HOT', onHand: 7 },
      { locationId: 'WEST', sku: 'HOT', onHand: 7 },
      { locationId: 'SOUTH', sku: 'HOT', onHand: 6 },
    ]);
    const locations = ['EAST', 'WEST', 'SOUTH'];

    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        reserveStock(deps, { reservationId: `race-${i}`, tenantId, orderId: `o-${i}`, items: [{ locationId: locations[i % 3]!, sku: 'HOT', quantity: 1 }] }),
      ),
    );

    const reserved = results.filter((r) => r.status === 'RESERVED');
    expect(reserved).toHaveLength(20);
    expect(results.filter((r) => r.status === 'INSUFFICIENT')).toHaveLength(480);
    const after = await stockOf('HOT');
    expect(after.reduce((sum, l) => sum + l.reserved, 0)).toBe(20);
    expect(after.every((l) => l.reserved === l.onHand && l.available === 0)).toBe(true);
    const network = await eventually(async () => {
      const [view] = await getSkuNetwork(deps, tenantId, ['HOT']);
      return view && view.locations.length === 3 && view.locations.every((l) => l.reserved === l.onHand) ? view : undefined;
    });
    expect(network.available).toBe(0);
  });

  it('answer a retried reservation with its first outcome, without reserving twice', async () => {
    await seedStock(tenantId, [{ locationId: 'EAST', sku: 'RETRY', onHand: 5 }]);
    const request = { reservationId: 'retry-1', tenantId, orderId: 'o-retry', items: [{ locationId: 'EAST', sku: 'RETRY', quantity: 2 }] };

    const first = await reserveStock(deps, request);
    const again = await Promise.all([reserveStock(deps, request), reserveStock(deps, request)]);

    expect(first.status).toBe('RESERVED');
    expect(again.map((r) => r.status)).toEqual(['RESERVED', 'RESERVED']);
    expect((await stockOf('RETRY'))[0]).toMatchObject({ reserved: 2, available: 3 });
  });

  it('refuse to reuse a reservation id for other lines', async () => {
    await seedStock(tenantId, [{ locationId: 'EAST', sku: 'REUSE', onHand: 5 }]);
    await reserveStock(deps, { reservationId: 'reuse-1', tenantId, orderId: 'o-reuse', items: [{ locationId: 'EAST', sku: 'REUSE', quantity: 1 }] });
    await expect(
      reserveStock(deps, { reservationId: 'reuse-1', tenantId, orderId: 'o-reuse', items: [{ locationId: 'EAST', sku: 'REUSE', quantity: 4 }] }),
    ).rejects.toBeInstanceOf(ReservationConflictError);
  });

  it('reserve several pairs all or nothing, naming exactly the pairs that lacked stock', async () => {
    await seedStock(tenantId, [
      { locationId: 'EAST', sku: 'A1', onHand: 5 },
      { locationId: 'WEST', sku: 'B1', onHand: 1 },
    ]);

    const result = await reserveStock(deps, {
      reservationId: 'multi-1',
      tenantId,
      orderId: 'o-multi',
      items: [
        { locationId: 'EAST', sku: 'A1', quantity: 2 },
        { locationId: 'WEST', sku: 'B1', quantity: 3 },
        { locationId: 'WEST', sku: 'NOPE', quantity: 1 },
      ],
    });

    expect(result).toEqual({
      status: 'INSUFFICIENT',
      reservationId: 'multi-1',
      reservationStatus: 'REJECTED',
      shortages: [
        { locationId: 'WEST', sku: 'B1', requested: 3, available: 1 },
        { locationId: 'WEST', sku: 'NOPE', requested: 1, available: 0 },
      ],
    });
    expect((await stockOf('A1'))[0]).toMatchObject({ reserved: 0, available: 5 });
  });

  it('never reserve into the safety stock', async () => {
    await seedStock(tenantId, [{ locationId: 'EAST', sku: 'SAFE', onHand: 5 }]);
    const { adjustInventory } = await import('./adjust-inventory.ts');
    await adjustInventory(deps, tenantId, [{ locationId: 'EAST', sku: 'SAFE', safetyStock: 3 }]);

    const tooMuch = await reserveStock(deps, { reservationId: 'safe-1', tenantId, orderId: 'o', items: [{ locationId: 'EAST', sku: 'SAFE', quantity: 3 }] });
    const enough = await reserveStock(deps, { reservationId: 'safe-2', tenantId, orderId: 'o', items: [{ locationId: 'EAST', sku: 'SAFE', quantity: 2 }] });

    expect(tooMuch.status).toBe('INSUFFICIENT');
    expect(enough.status).toBe('RESERVED');
  });

  it('hold back stock from a channel when the reservation names it', async () => {
    await seedStock(tenantId, [{ locationId: 'EAST', sku: 'CHAN', onHand: 10 }]);
    await putChannel(deps, tenantId, 'marketplace', { holdBack: { units: 8 } });

    const market = await reserveStock(deps, { reservationId: 'chan-1', tenantId, orderId: 'o', channel: 'marketplace', items: [{ locationId: 'EAST', sku: 'CHAN', quantity: 3 }] });
    const web = await reserveStock(deps, { reservationId: 'chan-2', tenantId, orderId: 'o', channel: 'web', items: [{ locationId: 'EAST', sku: 'CHAN', quantity: 3 }] });

    expect(market).toMatchObject({ status: 'INSUFFICIENT', shortages: [{ available: 2 }] });
    expect(web.status).toBe('RESERVED');
    expect((await getSkuInventory(deps, tenantId, 'CHAN', 'marketplace')).available).toBe(0);
  });

  it('release and commit once, however often they are called', async () => {
    await seedStock(tenantId, [{ locationId: 'EAST', sku: 'LIFE', onHand: 10 }]);
    await reserveStock(deps, { reservationId: 'life-1', tenantId, orderId: 'o', items: [{ locationId: 'EAST', sku: 'LIFE', quantity: 4 }] });
    await reserveStock(deps, { reservationId: 'life-2', tenantId, orderId: 'o', items: [{ locationId: 'EAST', sku: 'LIFE', quantity: 3 }] });

    await Promise.all([releaseReservation(deps, { tenantId, reservationId: 'life-1' }), releaseReservation(deps, { tenantId, reservationId: 'life-1' })]);
    await Promise.all([commitReservation(deps, { tenantId, reservationId: 'life-2' }), commitReservation(deps, { tenantId, reservationId: 'life-2' })]);

    expect((await stockOf('LIFE'))[0]).toMatchObject({ onHand: 7, reserved: 0, available: 7 });
    await expect(commitReservation(deps, { tenantId, reservationId: 'life-1' })).rejects.toBeInstanceOf(ReservationNotPendingError);
    await expect(releaseReservation(deps, { tenantId, reservationId: 'life-2' })).rejects.toBeInstanceOf(ReservationNotPendingError);
  });

  it('give the units of an expired reservation back, once', async () => {
    await seedStock(tenantId, [{ locationId: 'EAST', sku: 'TTL', onHand: 4 }]);
    await reserveStock(deps, { reservationId: 'ttl-1', tenantId, orderId: 'o', ttlSeconds: 1, items: [{ locationId: 'EAST', sku: 'TTL', quantity: 3 }] });
    await reserveStock(deps, { reservationId: 'ttl-2', tenantId, orderId: 'o', ttlSeconds: 600, items: [{ locationId: 'EAST', sku: 'TTL', quantity: 1 }] });
    expect((await stockOf('TTL'))[0]).toMatchObject({ reserved: 4, available: 0 });

    await new Promise((resolve) => setTimeout(resolve, 2100));
    // The cloud's own sweep timer may get there first; either way the reservation is gone after this.
    await cloud.sweepTtl();

    const after = await eventually(async () => {
      const [level] = await stockOf('TTL');
      return level?.reserved === 1 ? level : undefined;
    });
    expect(after).toMatchObject({ onHand: 4, reserved: 1, available: 3 });
    expect(await deps.reservations.get(tenantId, 'ttl-1')).toMatchObject({ status: 'EXPIRED' });
    expect(await releaseReservation(deps, { tenantId, reservationId: 'ttl-1' })).toEqual({ status: 'EXPIRED', reservationId: 'ttl-1' });
    await cloud.settle();
    expect((await stockOf('TTL'))[0]).toMatchObject({ reserved: 1 });
  });
});
