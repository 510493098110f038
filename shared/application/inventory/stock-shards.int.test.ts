import { describe, expect, it, vi } from 'vitest';
import { documentClient, GetCommand, PutCommand, tableName } from '#adapters/dynamodb/client';
import { keys, stockItem } from '#adapters/dynamodb/inventory-items';
import { dynamoStockReconcileStore } from '#adapters/dynamodb/stock-reconcile-store';
import type { Clock } from '#application/ports';
import type { StockLevel } from '#domain/inventory/stock';
import { needsRebalance } from '#domain/inventory/stock-shards';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { createTestTenant, eventually } from '../../../infra/local/tools/testing.ts';
import { adjustInventory } from './adjust-inventory.ts';
import { reconcileStock } from './reconcile-stock.ts';
import { commitReservation, releaseReservation, reserveStock } from './reservations.ts';
import { getSkuInventory, getSkuNetwork } from './stock-queries.ts';
import { inventoryDeps as deps, seedStock } from './test-support.ts';

const cloud = useTestCloud();
const HOUR = 3_600_000;
const clockAt = (offsetMs = 0): Clock => ({ now: () => new Date(Date.now() + offsetMs) });

const shardsOf = (tenantId: string, sku: string) => deps.stock.getShards(tenantId, 'DC1', sku);
const counts = (shards: StockLevel[]) => shards.map(({ onHand, reserved, available }) => ({ onHand, reserved, available }));
const total = (shards: StockLevel[], field: 'onHand' | 'reserved' | 'available') => shards.reduce((sum, s) => sum + s[field], 0);

/** A SKU at DC1 with `onHand` units split into `shards` counters. */
async function splitStock(tenantId: string, sku: string, onHand: number, shards: number) {
  await seedStock(tenantId, [{ locationId: 'DC1', sku, onHand: 0 }]);
  const report = await adjustInventory(deps, tenantId, [{ locationId: 'DC1', sku, set: onHand, shards }]);
  expect(report).toEqual({ applied: 1, ignored: [], errors: [] });
}

const reserve = (tenantId: string, reservationId: string, sku: string, quantity: number, ttlSeconds?: number) =>
  reserveStock(deps, { tenantId, reservationId, orderId: `o-${reservationId}`, items: [{ locationId: 'DC1', sku, quantity }], ...(ttlSeconds ? { ttlSeconds } : {}) });

/** Every shard's reserved units equal what the PENDING reservations recorded taking from it. */
async function expectReservedAsRecorded(tenantId: string, sku: string, reservationIds: string[]) {
  const held = new Map<number, number>();
  for (const id of reservationIds) {
    const reservation = await deps.reservations.get(tenantId, id);
    if (reservation?.status !== 'PENDING') continue;
    for (const line of reservation.lines) for (const part of line.from ?? [{ shard: 0, quantity: line.quantity }]) held.set(part.shard, (held.get(part.shard) ?? 0) + part.quantity);
  }
  for (const shard of await shardsOf(tenantId, sku)) expect(shard.reserved, `shard ${shard.shard ?? 0}`).toBe(held.get(shard.shard ?? 0) ?? 0);
}

describe('sharded stock counters', () => {
  it('split a location+SKU into 4 shards with the units spread evenly; reads and the projection show the sums', async () => {
    const { tenantId } = await createTestTenant('Shards split');
    await splitStock(tenantId, 'SPLIT', 150, 4);

    const shards = await shardsOf(tenantId, 'SPLIT');
    expect(counts(shards)).toEqual([38, 38, 37, 37].map((n) => ({ onHand: n, reserved: 0, available: n })));
    expect(shards.map((s) => s.shardCount)).toEqual([4, 4, 4, 4]);
    expect(new Set(shards.map((s) => s.epoch)).size).toBe(1);
    expect((await getSkuInventory(deps, tenantId, 'SPLIT')).locations).toEqual([{ locationId: 'DC1', onHand: 150, reserved: 0, safetyStock: 0, available: 150 }]);
    const [network] = await eventually(async () => {
      const views = await getSkuNetwork(deps, tenantId, ['SPLIT']);
      return views[0]?.available === 150 ? views : undefined;
    });
    expect(network!.locations).toEqual([{ locationId: 'DC1', onHand: 150, reserved: 0, safetyStock: 0, available: 150 }]);
  });

  it('sell exactly 150 units when 200 reservations race for them over 4 shards, never more', async () => {
    const { tenantId } = await createTestTenant('Shards race');
    await splitStock(tenantId, 'RACE', 150, 4);
    // The router reads the projection before it reserves: that is where reservations learn the shards.
    await eventually(async () => ((await getSkuNetwork(deps, tenantId, ['RACE']))[0]?.available === 150 ? true : undefined));

    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => reserve(tenantId, `race-${i}`, 'RACE', 1)));

    expect(results.filter((r) => r.status === 'RESERVED')).toHaveLength(150);
    const shards = await shardsOf(tenantId, 'RACE');
    expect(total(shards, 'reserved')).toBe(150);
    expect(shards.every((s) => s.reserved === s.onHand && s.available === 0)).toBe(true);
    await expectReservedAsRecorded(tenantId, 'RACE', results.map((r) => r.reservationId));
  });

  it('sell exactly the units when reservations race without knowing the shards (no projection read first)', async () => {
    const { tenantId } = await createTestTenant('Shards cold race');
    await splitStock(tenantId, 'COLD', 60, 4);

    const results = await Promise.all(Array.from({ length: 90 }, (_, i) => reserve(tenantId, `cold-${i}`, 'COLD', 1)));

    const shards = await shardsOf(tenantId, 'COLD');
    const sold = results.filter((r) => r.status === 'RESERVED').length;
    expect(sold).toBe(60);
    expect(total(shards, 'reserved')).toBe(60);
    expect(shards.every((s) => s.reserved <= s.onHand && s.available >= 0)).toBe(true);
  });

  it('take a line larger than any one shard from several shards, and give back to exactly those on release and expiry', async () => {
    const { tenantId } = await createTestTenant('Shards release');
    await splitStock(tenantId, 'WIDE', 40, 4);

    expect(await reserve(tenantId, 'wide-1', 'WIDE', 25)).toMatchObject({ status: 'RESERVED' });
    const reservation = await deps.reservations.get(tenantId, 'wide-1');
    const from = reservation!.lines[0]!.from!;
    expect(from.length).toBeGreaterThanOrEqual(3);
    expect(from.reduce((sum, part) => sum + part.quantity, 0)).toBe(25);
    await expectReservedAsRecorded(tenantId, 'WIDE', ['wide-1']);
    expect(await reserve(tenantId, 'wide-2', 'WIDE', 16)).toMatchObject({ status: 'INSUFFICIENT', shortages: [{ locationId: 'DC1', sku: 'WIDE', requested: 16, available: 15 }] });

    // The shortage read the shards and evened them out (a rebalance): the units sit elsewhere now, the sums are the same.
    const beforeRelease = await shardsOf(tenantId, 'WIDE');
    expect(total(beforeRelease, 'available')).toBe(15);
    await releaseReservation(deps, { tenantId, reservationId: 'wide-1' });
    const released = await shardsOf(tenantId, 'WIDE');
    released.forEach((shard, i) => {
      const part = from.find((p) => p.shard === (shard.shard ?? 0))?.quantity ?? 0;
      expect(shard).toMatchObject({ reserved: 0, onHand: beforeRelease[i]!.onHand, available: beforeRelease[i]!.available + part });
    });
    expect(total(released, 'available')).toBe(40);

    await reserve(tenantId, 'wide-ttl', 'WIDE', 30, 1);
    await expectReservedAsRecorded(tenantId, 'WIDE', ['wide-ttl']);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await cloud().sweepTtl();
    const after = await eventually(async () => {
      const shards = await shardsOf(tenantId, 'WIDE');
      return total(shards, 'reserved') === 0 ? shards : undefined;
    });
    expect(counts(after)).toEqual(counts(released));
    expect(await deps.reservations.get(tenantId, 'wide-ttl')).toMatchObject({ status: 'EXPIRED' });
  });

  it('commit (ship) takes the units out of the shards they were reserved on', async () => {
    const { tenantId } = await createTestTenant('Shards commit');
    await splitStock(tenantId, 'SHIP', 40, 4);

    await reserve(tenantId, 'ship-1', 'SHIP', 22);
    const from = (await deps.reservations.get(tenantId, 'ship-1'))!.lines[0]!.from!;
    await commitReservation(deps, { tenantId, reservationId: 'ship-1' });

    const shards = await shardsOf(tenantId, 'SHIP');
    for (const shard of shards) {
      const taken = from.find((part) => part.shard === (shard.shard ?? 0))?.quantity ?? 0;
      expect(shard).toMatchObject({ onHand: 10 - taken, reserved: 0, available: 10 - taken });
    }
    expect((await getSkuInventory(deps, tenantId, 'SHIP')).available).toBe(18);
  });

  it('a count rewrites every shard in one transaction, keeping each shard at or above its reserved units', async () => {
    const { tenantId } = await createTestTenant('Shards count');
    await splitStock(tenantId, 'COUNT', 40, 4);
    await reserve(tenantId, 'count-1', 'COUNT', 7);
    await reserve(tenantId, 'count-2', 'COUNT', 12);

    expect(await adjustInventory(deps, tenantId, [{ locationId: 'DC1', sku: 'COUNT', set: 101, safetyStock: 2 }])).toEqual({ applied: 1, ignored: [], errors: [] });

    const shards = await shardsOf(tenantId, 'COUNT');
    expect(total(shards, 'onHand')).toBe(101);
    expect(total(shards, 'reserved')).toBe(19);
    expect(shards[0]!.safetyStock).toBe(2);
    expect(shards.every((s) => s.onHand >= s.reserved && s.available === s.onHand - s.reserved - s.safetyStock)).toBe(true);
    const spare = shards.map((s) => s.available);
    expect(Math.max(...spare) - Math.min(...spare)).toBeLessThanOrEqual(1);
    await expectReservedAsRecorded(tenantId, 'COUNT', ['count-1', 'count-2']);
    expect((await getSkuInventory(deps, tenantId, 'COUNT')).locations[0]).toMatchObject({ onHand: 101, reserved: 19, safetyStock: 2, available: 80 });

    const below = await adjustInventory(deps, tenantId, [{ locationId: 'DC1', sku: 'COUNT', set: 18 }]);
    expect(below.errors).toEqual([expect.objectContaining({ index: 0, code: 'BELOW_RESERVED', field: 'adjustments[0].set' })]);
    expect(total(await shardsOf(tenantId, 'COUNT'), 'onHand')).toBe(101);
  });

  it('a movement goes to one shard: an increase to the emptiest, a decrease one shard cannot take rewrites them all', async () => {
    const { tenantId } = await createTestTenant('Shards delta');
    await splitStock(tenantId, 'MOVE', 40, 4);
    await reserve(tenantId, 'move-1', 'MOVE', 10);
    const emptiest = (await shardsOf(tenantId, 'MOVE')).find((s) => s.available === 0)!;

    await adjustInventory(deps, tenantId, [{ locationId: 'DC1', sku: 'MOVE', delta: 6 }]);
    const after = await shardsOf(tenantId, 'MOVE');
    expect(after.find((s) => s.shard === emptiest.shard)).toMatchObject({ onHand: 16, reserved: 10, available: 6 });

    expect(await adjustInventory(deps, tenantId, [{ locationId: 'DC1', sku: 'MOVE', delta: -25 }])).toEqual({ applied: 1, ignored: [], errors: [] });
    const rewritten = await shardsOf(tenantId, 'MOVE');
    expect(total(rewritten, 'onHand')).toBe(21);
    expect(total(rewritten, 'available')).toBe(11);
    expect(rewritten.every((s) => s.onHand >= s.reserved)).toBe(true);
    expect((await adjustInventory(deps, tenantId, [{ locationId: 'DC1', sku: 'MOVE', delta: -12 }])).errors).toEqual([expect.objectContaining({ code: 'BELOW_RESERVED' })]);
  });

  it('a rebalance moves available units to a dry shard, sums unchanged', async () => {
    const { tenantId } = await createTestTenant('Shards rebalance');
    await splitStock(tenantId, 'EVEN', 40, 4);
    // A reservation of exactly one shard's units, from the shard its id hashes to, leaves that shard dry.
    await reserve(tenantId, 'even-1', 'EVEN', 10);
    expect((await shardsOf(tenantId, 'EVEN')).filter((s) => s.available === 0)).toHaveLength(1);

    expect(await deps.stock.rebalance(tenantId, 'DC1', 'EVEN', new Date())).toBe(true);

    const shards = await shardsOf(tenantId, 'EVEN');
    expect(shards.map((s) => s.available).sort()).toEqual([7, 7, 8, 8]);
    expect(total(shards, 'onHand')).toBe(40);
    expect(total(shards, 'reserved')).toBe(10);
    expect(shards.every((s) => s.onHand >= s.reserved)).toBe(true);
    await expectReservedAsRecorded(tenantId, 'EVEN', ['even-1']);
  });

  it('go back to one shard once no removed shard holds reserved units', async () => {
    const { tenantId } = await createTestTenant('Shards back to one');
    await splitStock(tenantId, 'BACK', 40, 4);
    const held = await Promise.all(Array.from({ length: 8 }, (_, i) => reserve(tenantId, `back-${i}`, 'BACK', 2)));
    expect(held.every((r) => r.status === 'RESERVED')).toBe(true);

    const refused = await adjustInventory(deps, tenantId, [{ locationId: 'DC1', sku: 'BACK', shards: 1 }]);
    expect(refused.errors).toEqual([expect.objectContaining({ index: 0, code: 'SHARDS_IN_USE', field: 'adjustments[0].shards' })]);
    expect(await shardsOf(tenantId, 'BACK')).toHaveLength(4);

    await Promise.all(held.map((r) => releaseReservation(deps, { tenantId, reservationId: r.reservationId })));
    expect(await adjustInventory(deps, tenantId, [{ locationId: 'DC1', sku: 'BACK', shards: 1 }])).toEqual({ applied: 1, ignored: [], errors: [] });

    const shards = await shardsOf(tenantId, 'BACK');
    expect(counts(shards)).toEqual([{ onHand: 40, reserved: 0, available: 40 }]);
    const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: keys.stock(tenantId, 'DC1', 'BACK', 2), ConsistentRead: true }));
    expect(Item).toBeUndefined();
    // Back on one counter, an adjustment and a reservation take the unsharded path again.
    expect(await adjustInventory(deps, tenantId, [{ locationId: 'DC1', sku: 'BACK', delta: 2 }])).toMatchObject({ applied: 1 });
    expect(await reserve(tenantId, 'back-after', 'BACK', 42)).toMatchObject({ status: 'RESERVED' });
    expect((await deps.reservations.get(tenantId, 'back-after'))!.lines[0]!.from).toBeUndefined();
    const network = await eventually(async () => {
      const [view] = await getSkuNetwork(deps, tenantId, ['BACK']);
      return view?.locations[0]?.reserved === 42 ? view : undefined;
    });
    expect(network.locations).toEqual([{ locationId: 'DC1', onHand: 42, reserved: 42, safetyStock: 0, available: 0 }]);
  });

  it('the reconciler finds no drift on sharded stock and corrects drift injected on one shard', async () => {
    const { tenantId } = await createTestTenant('Shards reconcile');
    await splitStock(tenantId, 'RECON', 40, 4);
    await reserve(tenantId, 'recon-1', 'RECON', 25);
    await reserve(tenantId, 'recon-2', 'RECON', 3);

    const clean = await reconcileStock({ stock: dynamoStockReconcileStore, clock: clockAt(HOUR) }, { tenantId });
    expect(clean.drifts).toEqual([]);
    expect(clean.checked).toBe(4);
    // The same run evens out shards the reservations drained (the periodic rebalance).
    const evened = await shardsOf(tenantId, 'RECON');
    expect(needsRebalance(evened.map((s) => ({ shard: s.shard ?? 0, available: s.available })))).toBe(false);
    expect(total(evened, 'available')).toBe(12);

    const victim = (await shardsOf(tenantId, 'RECON')).find((s) => (s.shard ?? 0) === 2)!;
    await documentClient.send(
      new PutCommand({
        TableName: tableName(),
        Item: stockItem({ ...victim, reserved: victim.reserved - 2, available: victim.available + 2, version: victim.version + 1, updatedAt: new Date(Date.now() - HOUR).toISOString() }),
      }),
    );

    const run = await reconcileStock({ stock: dynamoStockReconcileStore, clock: clockAt(HOUR) }, { tenantId });
    expect(run.drifts).toEqual([expect.objectContaining({ sku: 'RECON', shard: 2, reservedDrift: -2, action: 'corrected' })]);
    expect((await shardsOf(tenantId, 'RECON')).find((s) => s.shard === 2)).toMatchObject({ reserved: victim.reserved, available: victim.available });
    await expectReservedAsRecorded(tenantId, 'RECON', ['recon-1', 'recon-2']);
  });

  it('reserve with one DynamoDB call, sharded or not, once the projection has been read (as the fulfil step does)', async () => {
    const { tenantId } = await createTestTenant('Shards calls');
    await seedStock(tenantId, [{ locationId: 'DC1', sku: 'PLAIN', onHand: 10 }]);
    await splitStock(tenantId, 'HOTSKU', 40, 4);
    await eventually(async () => ((await getSkuNetwork(deps, tenantId, ['PLAIN', 'HOTSKU'])).every((v) => v.available > 0) ? true : undefined));
    await cloud().settle();
    // The local cloud's stream consumers share this process and its client: count only calls on this tenant's stock,
    // reservations and projections, made while the cloud has nothing else to do.
    const send = vi.spyOn(documentClient, 'send');
    const calls = () => send.mock.calls.filter(([command]) => /#(STOCK|RESERVATION|NETWORK)#/.test(JSON.stringify(command.input)) && JSON.stringify(command.input).includes(tenantId)).length;
    try {
      await deps.networks.getMany(tenantId, ['PLAIN', 'HOTSKU']);
      expect(calls()).toBe(1);
      await cloud().settle();
      send.mockClear();
      expect(await reserve(tenantId, 'calls-plain', 'PLAIN', 3)).toMatchObject({ status: 'RESERVED' });
      expect(calls()).toBe(1);
      await cloud().settle();
      send.mockClear();
      expect(await reserve(tenantId, 'calls-hot', 'HOTSKU', 3)).toMatchObject({ status: 'RESERVED' });
      expect(calls()).toBe(1);
    } finally {
      send.mockRestore();
    }
    expect((await deps.reservations.get(tenantId, 'calls-plain'))!.lines[0]!.from).toBeUndefined();
  });

  it('refuse a shard count out of 1..32 for the whole request', async () => {
    const { tenantId } = await createTestTenant('Shards bad input');
    await seedStock(tenantId, [{ locationId: 'DC1', sku: 'BAD', onHand: 5 }]);
    const { adjustmentsRequestSchema } = await import('#domain/inventory/schemas');
    for (const shards of [0, 33, 2.5, '4']) {
      const parsed = adjustmentsRequestSchema.safeParse({ adjustments: [{ locationId: 'DC1', sku: 'BAD', shards }] });
      expect(parsed.success, `shards ${shards}`).toBe(false);
      expect(parsed.error!.issues[0]!.path).toEqual(['adjustments', 0, 'shards']);
    }
    expect(adjustmentsRequestSchema.safeParse({ adjustments: [{ locationId: 'DC1', sku: 'BAD', shards: 32 }] }).success).toBe(true);
  });
});
