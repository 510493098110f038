import { describe, expect, it } from 'vitest';
import { documentClient, PutCommand, tableName, UpdateCommand } from '#adapters/dynamodb/client';
import { keys, stockItem } from '#adapters/dynamodb/inventory-items';
import { dynamoStockReconcileStore } from '#adapters/dynamodb/stock-reconcile-store';
import type { Clock } from '#application/ports';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { createTestTenant } from '../../../infra/local/tools/testing.ts';
import { CONFIRM_AFTER_MS, reconcileStock } from './reconcile-stock.ts';
import { releaseReservation, reserveStock } from './reservations.ts';
import { inventoryDeps, seedStock } from './test-support.ts';

const cloud = useTestCloud();
const HOUR = 3_600_000;
const clockAt = (offsetMs = 0): Clock => ({ now: () => new Date(Date.now() + offsetMs) });

async function stockOf(tenantId: string, sku: string) {
  const level = await dynamoStockReconcileStore.getStock(tenantId, 'DC1', sku);
  if (!level) throw new Error(`no stock of ${sku}`);
  return level;
}

/** Drift as a bug or a hand edit leaves it: the item rewritten with a wrong `reserved`, last changed an hour ago. */
async function writeDrift(tenantId: string, sku: string, reserved: number) {
  const level = await stockOf(tenantId, sku);
  await documentClient.send(
    new PutCommand({
      TableName: tableName(),
      Item: stockItem({ ...level, reserved, available: level.onHand - reserved - level.safetyStock, version: level.version + 1, updatedAt: new Date(Date.now() - HOUR).toISOString() }),
    }),
  );
}

const reserve = (tenantId: string, reservationId: string, sku: string, quantity: number) =>
  reserveStock(inventoryDeps, { tenantId, reservationId, orderId: `o-${reservationId}`, items: [{ locationId: 'DC1', sku, quantity }] });

describe('the stock reconciler', () => {
  // First in the file: the backfill runs once per table, on the first run that may write.
  it('adds reservations written before the open-reservation index to it before trusting it, so it never frees units they hold', async () => {
    const { tenantId } = await createTestTenant('Reconcile upgrade');
    await seedStock(tenantId, [{ locationId: 'DC1', sku: 'A', onHand: 10 }]);
    await reserve(tenantId, 'old', 'A', 4);
    // As written before the index existed: no index keys.
    await documentClient.send(new UpdateCommand({ TableName: tableName(), Key: keys.reservation(tenantId, 'old'), UpdateExpression: 'REMOVE gsi1pk, gsi1sk' }));
    await writeDrift(tenantId, 'A', 4);

    // A dry run writes nothing: the index is incomplete, the held units look over-reserved, and nothing is corrected.
    const dry = await reconcileStock({ stock: dynamoStockReconcileStore, clock: clockAt(CONFIRM_AFTER_MS * 4) }, { tenantId, dryRun: true });
    expect(dry).toMatchObject({ indexComplete: false, backfilled: 0, corrected: 0 });
    expect(dry.drifts).toEqual([expect.objectContaining({ reserved: 4, expectedReserved: 0, action: 'reported' })]);

    const run = await reconcileStock({ stock: dynamoStockReconcileStore, clock: clockAt(CONFIRM_AFTER_MS * 4) }, { tenantId });
    expect(run).toMatchObject({ indexComplete: true, backfilled: 1, openReservations: 1, corrected: 0, drifts: [] });
    expect(await stockOf(tenantId, 'A')).toMatchObject({ onHand: 10, reserved: 4, available: 6 });
  });

  it('finds an item reserving fewer units than its open reservations hold, reports it and corrects it', async () => {
    const { tenantId } = await createTestTenant('Reconcile under');
    await seedStock(tenantId, [{ locationId: 'DC1', sku: 'A', onHand: 10 }, { locationId: 'DC1', sku: 'B', onHand: 4 }]);
    await reserve(tenantId, 'r1', 'A', 3);
    await reserve(tenantId, 'r2', 'A', 2);
    await releaseReservation(inventoryDeps, { tenantId, reservationId: 'r2' });
    await writeDrift(tenantId, 'A', 1);

    const run = await reconcileStock({ stock: dynamoStockReconcileStore, clock: clockAt() }, { tenantId });

    expect(run).toMatchObject({ tenants: 1, checked: 2, openReservations: 1, corrected: 1, failed: [] });
    expect(run.drifts).toEqual([expect.objectContaining({ tenantId, locationId: 'DC1', sku: 'A', reserved: 1, expectedReserved: 3, reservedDrift: -2, action: 'corrected' })]);
    expect(await stockOf(tenantId, 'A')).toMatchObject({ onHand: 10, reserved: 3, available: 7 });
    const again = await reconcileStock({ stock: dynamoStockReconcileStore, clock: clockAt() }, { tenantId });
    expect(again.drifts).toEqual([]);
  });

  it('watches an over-reservation first and corrects it when a later run sees it unchanged', async () => {
    const { tenantId } = await createTestTenant('Reconcile over');
    await seedStock(tenantId, [{ locationId: 'DC1', sku: 'A', onHand: 10 }]);
    await reserve(tenantId, 'r1', 'A', 2);
    await writeDrift(tenantId, 'A', 6);

    const first = await reconcileStock({ stock: dynamoStockReconcileStore, clock: clockAt() }, { tenantId });
    const second = await reconcileStock({ stock: dynamoStockReconcileStore, clock: clockAt(CONFIRM_AFTER_MS + 60_000) }, { tenantId });

    expect(first.drifts).toEqual([expect.objectContaining({ reserved: 6, expectedReserved: 2, action: 'watching' })]);
    expect(second.drifts).toEqual([expect.objectContaining({ reserved: 6, expectedReserved: 2, action: 'corrected' })]);
    expect(await stockOf(tenantId, 'A')).toMatchObject({ reserved: 2, available: 8 });
  });

  it('never loses a reservation that races its correction: the write is refused, and the next run counts it', async () => {
    const { tenantId } = await createTestTenant('Reconcile race');
    await seedStock(tenantId, [{ locationId: 'DC1', sku: 'A', onHand: 10 }]);
    await reserve(tenantId, 'r1', 'A', 2);
    await writeDrift(tenantId, 'A', 0);
    // A reservation lands between the reconciler's read and its write.
    const racing = {
      ...dynamoStockReconcileStore,
      async correct(...args: Parameters<typeof dynamoStockReconcileStore.correct>) {
        await reserve(tenantId, 'r-racing', 'A', 3);
        return dynamoStockReconcileStore.correct(...args);
      },
    };

    const raced = await reconcileStock({ stock: racing, clock: clockAt() }, { tenantId });
    const afterRace = await stockOf(tenantId, 'A');
    const next = await reconcileStock({ stock: dynamoStockReconcileStore, clock: clockAt(HOUR) }, { tenantId });

    expect(raced.drifts).toEqual([expect.objectContaining({ reserved: 0, expectedReserved: 2, action: 'moved' })]);
    expect(afterRace).toMatchObject({ reserved: 3 });
    expect(next.drifts).toEqual([expect.objectContaining({ reserved: 3, expectedReserved: 5, action: 'corrected' })]);
    const open = await dynamoStockReconcileStore.openReservationLines(tenantId);
    expect(open.reservations).toBe(2);
    expect(await stockOf(tenantId, 'A')).toMatchObject({ reserved: 5, available: 5 });
  });

  it('runs on its schedule in the local cloud', async () => {
    const { tenantId } = await createTestTenant('Reconcile scheduled');
    await seedStock(tenantId, [{ locationId: 'DC1', sku: 'A', onHand: 10 }]);
    await reserve(tenantId, 'r1', 'A', 4);
    await writeDrift(tenantId, 'A', 1);

    const summary = await cloud().runSchedule('reconcileStock');

    expect(summary).toMatchObject({ corrected: expect.any(Number), failed: 0 });
    expect(await stockOf(tenantId, 'A')).toMatchObject({ reserved: 4, available: 6 });
  });
});
