// Conformance: Time to Live settings and the deletion of expired items, with their stream records.
import { DescribeTimeToLiveCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTable, readStream, startHarness, type Harness } from './test-support.ts';

const NOW_MS = Date.UTC(2030, 0, 1);
const nowS = NOW_MS / 1000;
let h: Harness;

beforeAll(async () => {
  // The sweeper timer stays out of the way; the tests trigger sweeps themselves on a fixed clock.
  h = await startHarness({ now: () => NOW_MS, ttlSweepIntervalMs: 3_600_000 });
});
afterAll(() => h.close());

const enableTtl = (name: string) =>
  h.ddb.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } }));

describe('TTL settings', () => {
  it('are DISABLED until UpdateTimeToLive enables them', async () => {
    const { name } = await createTable(h.ddb);

    const before = await h.ddb.send(new DescribeTimeToLiveCommand({ TableName: name }));
    const update = await enableTtl(name);
    const after = await h.ddb.send(new DescribeTimeToLiveCommand({ TableName: name }));

    expect(before.TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'DISABLED' });
    expect(update.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(after.TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
  });

  it('cannot be enabled twice', async () => {
    const { name } = await createTable(h.ddb);
    await enableTtl(name);

    await expect(enableTtl(name)).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

describe('a TTL sweep', () => {
  it('finds expired items all through a table larger than one sweep chunk, and only them', async () => {
    const { name } = await createTable(h.ddb);
    await enableTtl(name);
    // 4,500 rows without TTL (the sweep reads 2,000 keys a chunk), with expired ones at the start, middle and end.
    const rows = Array.from({ length: 4500 }, (_, i) => ({ pk: `row-${String(i).padStart(5, '0')}`, sk: 'x', note: 'no ttl here' }));
    for (const i of [0, 2000, 2001, 4499]) Object.assign(rows[i]!, { expiresAt: nowS - 1 });
    Object.assign(rows[3000]!, { expiresAt: nowS + 600 });
    for (let i = 0; i < rows.length; i += 25) {
      await h.doc.send(new BatchWriteCommand({ RequestItems: { [name]: rows.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    }

    expect(await h.server.sweepTtl()).toBe(4);
    const { Count } = await h.doc.send(new ScanCommand({ TableName: name, Select: 'COUNT' }));
    expect(Count).toBe(4496);
  });

  it('deletes expired items and keeps future, non-numeric and missing TTL values', async () => {
    const { name, streamArn } = await createTable(h.ddb, { streamViewType: 'NEW_AND_OLD_IMAGES' });
    await enableTtl(name);
    const items = [
      { pk: 'expired', sk: 'x', expiresAt: nowS - 60 },
      { pk: 'future', sk: 'x', expiresAt: nowS + 60 },
      { pk: 'text', sk: 'x', expiresAt: String(nowS - 60) },
      { pk: 'ancient', sk: 'x', expiresAt: nowS - 6 * 365 * 24 * 3600 },
      { pk: 'none', sk: 'x' },
    ];
    for (const Item of items) await h.doc.send(new PutCommand({ TableName: name, Item }));

    const deleted = await h.server.sweepTtl();
    const { Items } = await h.doc.send(new ScanCommand({ TableName: name }));

    expect(deleted).toBe(1);
    expect(Items?.map((i) => i.pk).sort()).toEqual(['ancient', 'future', 'none', 'text']);
    const remove = (await readStream(h.streams, streamArn!)).find((r) => r.eventName === 'REMOVE');
    expect(remove?.dynamodb?.Keys).toEqual({ pk: { S: 'expired' }, sk: { S: 'x' } });
    expect(remove?.dynamodb?.OldImage?.expiresAt).toEqual({ N: String(nowS - 60) });
    expect(remove?.userIdentity).toEqual({ Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' });
  });

  it('leaves tables without TTL alone', async () => {
    const { name } = await createTable(h.ddb);
    await h.doc.send(new PutCommand({ TableName: name, Item: { pk: 'p', sk: 'x', expiresAt: nowS - 60 } }));

    await h.server.sweepTtl();
    const { Items } = await h.doc.send(new ScanCommand({ TableName: name }));

    expect(Items).toHaveLength(1);
  });
});
