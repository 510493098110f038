// A SKU network too large for one DynamoDB item, projected and read back against the local DynamoDB: 5,000 locations
// with 128-character ids, every stored item under 400 KB as DynamoDB counts it, and readers never see half a write.
import { describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { projectStockChanges, type KeyedChange } from '#application/inventory/project-stock';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { rawClient, tableName } from './client.ts';
import { keys } from './inventory-items.ts';
import { itemSize } from './item-size.ts';
import { dynamoSkuNetworkStore as networks } from './stock-store.ts';

useTestCloud();

const tenantId = 't_0123456789';
const clock = { now: () => new Date() };
const longId = (i: number) => `LOC-${String(i).padStart(6, '0')}-`.padEnd(128, 'x');
const change = (sku: string, locationId: string, onHand: number, version: number): KeyedChange => ({
  tenantId,
  sku,
  change: { kind: 'stock', level: { tenantId, locationId, sku, onHand, reserved: 0, safetyStock: 0, available: onHand, version, updatedAt: new Date().toISOString() } },
});

async function storedItems(sku: string) {
  const items = [];
  let start: Record<string, never> | undefined;
  do {
    const page = await rawClient.send(
      new QueryCommand({ TableName: tableName(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: keys.network(tenantId, sku).pk } }, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey as typeof start;
  } while (start);
  return items;
}

describe('a SKU network with 5,000 locations of 128-character ids', () => {
  it('is stored in items that are each under 400 KB, and read back complete', { timeout: 120_000 }, async () => {
    const changes = Array.from({ length: 5000 }, (_, i) => change('BIG', longId(i), (i % 7) + 1, 1));

    const result = await projectStockChanges({ networks, clock }, changes);
    const network = (await networks.getMany(tenantId, ['BIG'])).get('BIG')!;
    const items = await storedItems('BIG');

    expect(result.failed.size).toBe(0);
    expect(Object.keys(network.locations)).toHaveLength(5000);
    expect(network.locations[longId(4321)]).toMatchObject({ onHand: (4321 % 7) + 1, version: 1 });
    expect(network.available).toBe(changes.reduce((sum, c) => sum + (c.change.kind === 'stock' ? c.change.level.onHand : 0), 0));
    expect(items.length).toBeGreaterThan(2);
    expect(items.reduce((sum, item) => sum + itemSize(item), 0)).toBeGreaterThan(400 * 1024);
    for (const item of items) expect(itemSize(item)).toBeLessThan(400 * 1024);
  });

  it('rewrites only the head and the shard of a location that moved, and ignores a replay', { timeout: 60_000 }, async () => {
    const before = await storedItems('BIG');

    await projectStockChanges({ networks, clock }, [change('BIG', longId(17), 99, 2)]);
    const replay = await projectStockChanges({ networks, clock }, [change('BIG', longId(17), 99, 2), change('BIG', longId(18), 1, 1)]);
    const after = await storedItems('BIG');

    const changed = after.filter((item, i) => JSON.stringify(item) !== JSON.stringify(before[i])).map((item) => item.sk!.S);
    expect(changed).toHaveLength(2);
    expect(changed).toContain('NETWORK');
    expect(replay.written).toBe(0);
    expect((await networks.getMany(tenantId, ['BIG'])).get('BIG')!.locations[longId(17)]).toMatchObject({ onHand: 99, version: 2 });
  });

  it('is read whole, one version or the next, while it is being written', { timeout: 120_000 }, async () => {
    const sku = 'BUSY';
    await projectStockChanges({ networks, clock }, Array.from({ length: 1500 }, (_, i) => change(sku, longId(i), 1, 1)));

    let writing = true;
    const writer = (async () => {
      for (let version = 2; version <= 12; version++) {
        // Two locations in different shards move together: a reader must see both or neither.
        await projectStockChanges({ networks, clock }, [change(sku, longId(1), version, version), change(sku, longId(1000), version, version)]);
      }
      writing = false;
    })();
    const seen: number[] = [];
    while (writing) {
      const network = (await networks.getMany(tenantId, [sku])).get(sku)!;
      expect(Object.keys(network.locations)).toHaveLength(1500);
      expect(network.locations[longId(1)]!.onHand).toBe(network.locations[longId(1000)]!.onHand);
      expect(network.available).toBe(Object.values(network.locations).reduce((sum, e) => sum + e.available, 0));
      seen.push(network.version);
    }
    await writer;

    expect(seen.length).toBeGreaterThan(1);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });
});
