// Conformance: DynamoDB Streams records for every committed change, read through the DynamoDB Streams API.
import { DescribeTableCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, GetRecordsCommand, ListStreamsCommand } from '@aws-sdk/client-dynamodb-streams';
import { BatchWriteCommand, DeleteCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTable, putConsumerCheckpoint, readAll, readStream, shardIterator, startHarness, type Harness } from './test-support.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('stream settings', () => {
  it('are reported by CreateTable, DescribeTable and ListStreams', async () => {
    const { name, streamArn, description } = await createTable(h.ddb, { streamViewType: 'NEW_AND_OLD_IMAGES' });

    const { Table } = await h.ddb.send(new DescribeTableCommand({ TableName: name }));
    const { Streams } = await h.streams.send(new ListStreamsCommand({ TableName: name }));

    expect(streamArn).toMatch(new RegExp(`^arn:aws:dynamodb:us-east-1:\\d{12}:table/${name}/stream/`));
    expect(description.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(Table?.LatestStreamArn).toBe(streamArn);
    expect(Table?.LatestStreamLabel).toBe(description.LatestStreamLabel);
    expect(Streams).toEqual([{ StreamArn: streamArn, TableName: name, StreamLabel: description.LatestStreamLabel }]);
  });

  it('can be enabled on an existing table with UpdateTable', async () => {
    const { name } = await createTable(h.ddb);
    await h.doc.send(new PutCommand({ TableName: name, Item: { pk: 'before', sk: 'x' } }));

    const { TableDescription } = await h.ddb.send(
      new UpdateTableCommand({ TableName: name, StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' } }),
    );
    await h.doc.send(new PutCommand({ TableName: name, Item: { pk: 'after', sk: 'x' } }));

    const records = await readStream(h.streams, TableDescription!.LatestStreamArn!);
    expect(records.map((r) => r.dynamodb?.Keys)).toEqual([{ pk: { S: 'after' }, sk: { S: 'x' } }]);
  });

  it('close when disabled, and a new stream starts when enabled again', async () => {
    const { name, streamArn } = await createTable(h.ddb, { streamViewType: 'KEYS_ONLY' });
    await h.doc.send(new PutCommand({ TableName: name, Item: { pk: 'one', sk: 'x' } }));

    await h.ddb.send(new UpdateTableCommand({ TableName: name, StreamSpecification: { StreamEnabled: false } }));
    await h.doc.send(new PutCommand({ TableName: name, Item: { pk: 'two', sk: 'x' } }));
    const { StreamDescription } = await h.streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const closed = await h.streams.send(
      new GetRecordsCommand({ ShardIterator: await shardIterator(h.streams, streamArn!, 'TRIM_HORIZON') }),
    );
    const { TableDescription } = await h.ddb.send(
      new UpdateTableCommand({ TableName: name, StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' } }),
    );
    await h.doc.send(new PutCommand({ TableName: name, Item: { pk: 'three', sk: 'x' } }));

    expect(StreamDescription?.StreamStatus).toBe('DISABLED');
    expect(StreamDescription?.Shards?.[0]?.SequenceNumberRange?.EndingSequenceNumber).toEqual(expect.any(String));
    expect(closed.Records?.map((r) => r.dynamodb?.Keys?.pk?.S)).toEqual(['one']);
    expect(closed.NextShardIterator).toBeUndefined();
    expect(TableDescription?.LatestStreamArn).not.toBe(streamArn);
    const reopened = await readStream(h.streams, TableDescription!.LatestStreamArn!);
    expect(reopened.map((r) => r.dynamodb?.Keys?.pk?.S)).toEqual(['three']);
  });
});

describe('stream records', () => {
  it('describe INSERT, MODIFY and REMOVE in write order with old and new images', async () => {
    const { name, streamArn } = await createTable(h.ddb, { streamViewType: 'NEW_AND_OLD_IMAGES' });

    await h.doc.send(new PutCommand({ TableName: name, Item: { pk: 'o1', sk: 'ORDER', status: 'NEW' } }));
    await h.doc.send(
      new UpdateCommand({
        TableName: name,
        Key: { pk: 'o1', sk: 'ORDER' },
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': 'PAID' },
      }),
    );
    await h.doc.send(new DeleteCommand({ TableName: name, Key: { pk: 'o1', sk: 'ORDER' } }));
    const records = await readStream(h.streams, streamArn!);

    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    const [insert, modify, remove] = records;
    expect(insert).toMatchObject({ eventVersion: '1.1', eventSource: 'aws:dynamodb', awsRegion: 'us-east-1' });
    expect(insert?.eventID).toEqual(expect.any(String));
    expect(insert?.dynamodb).toMatchObject({
      Keys: { pk: { S: 'o1' }, sk: { S: 'ORDER' } },
      NewImage: { pk: { S: 'o1' }, sk: { S: 'ORDER' }, status: { S: 'NEW' } },
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
    expect(insert?.dynamodb?.OldImage).toBeUndefined();
    expect(insert?.dynamodb?.ApproximateCreationDateTime).toBeInstanceOf(Date);
    expect(insert?.dynamodb?.SizeBytes).toBeGreaterThan(0);
    expect(modify?.dynamodb?.OldImage?.status).toEqual({ S: 'NEW' });
    expect(modify?.dynamodb?.NewImage?.status).toEqual({ S: 'PAID' });
    expect(remove?.dynamodb?.OldImage?.status).toEqual({ S: 'PAID' });
    expect(remove?.dynamodb?.NewImage).toBeUndefined();
    expect(remove?.userIdentity).toBeUndefined();
    const sequenceNumbers = records.map((r) => BigInt(r.dynamodb!.SequenceNumber!));
    expect(sequenceNumbers[0]! < sequenceNumbers[1]! && sequenceNumbers[1]! < sequenceNumbers[2]!).toBe(true);
  });

  it.each([
    ['KEYS_ONLY', false, false],
    ['NEW_IMAGE', true, false],
    ['OLD_IMAGE', false, true],
  ] as const)('carry the images that view type %s asks for', async (viewType, hasNew, hasOld) => {
    const { name, streamArn } = await createTable(h.ddb, { streamViewType: viewType });

    await h.doc.send(new PutCommand({ TableName: name, Item: { pk: 'a', sk: 'b', v: 1 } }));
    await h.doc.send(new PutCommand({ TableName: name, Item: { pk: 'a', sk: 'b', v: 2 } }));
    const [, modify] = await readStream(h.streams, streamArn!);

    expect(modify?.dynamodb?.StreamViewType).toBe(viewType);
    expect(modify?.dynamodb?.Keys).toEqual({ pk: { S: 'a' }, sk: { S: 'b' } });
    expect(modify?.dynamodb?.NewImage).toEqual(hasNew ? { pk: { S: 'a' }, sk: { S: 'b' }, v: { N: '2' } } : undefined);
    expect(modify?.dynamodb?.OldImage).toEqual(hasOld ? { pk: { S: 'a' }, sk: { S: 'b' }, v: { N: '1' } } : undefined);
  });

  it('are not emitted for writes that change nothing', async () => {
    const { name, streamArn } = await createTable(h.ddb, { streamViewType: 'NEW_AND_OLD_IMAGES' });

    await h.doc.send(new PutCommand({ TableName: name, Item: { pk: 'a', sk: 'b', v: 1 } }));
    await h.doc.send(new PutCommand({ TableName: name, Item: { pk: 'a', sk: 'b', v: 1 } }));
    await h.doc.send(new DeleteCommand({ TableName: name, Key: { pk: 'missing', sk: 'b' } }));

    expect((await readStream(h.streams, streamArn!)).map((r) => r.eventName)).toEqual(['INSERT']);
  });

  it('include transaction and batch writes, and nothing from a cancelled transaction', async () => {
    const { name, streamArn } = await createTable(h.ddb, { streamViewType: 'NEW_IMAGE' });

    await h.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: name, Item: { pk: 't1', sk: 'x' } } },
          { Put: { TableName: name, Item: { pk: 't2', sk: 'x' } } },
        ],
      }),
    );
    await h.doc
      .send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: name, Item: { pk: 't3', sk: 'x' } } },
            { Put: { TableName: name, Item: { pk: 't1', sk: 'x' }, ConditionExpression: 'attribute_not_exists(pk)' } },
          ],
        }),
      )
      .catch(() => undefined);
    await h.doc.send(
      new BatchWriteCommand({
        RequestItems: { [name]: [{ PutRequest: { Item: { pk: 'b1', sk: 'x' } } }, { DeleteRequest: { Key: { pk: 't2', sk: 'x' } } }] },
      }),
    );
    const records = await readStream(h.streams, streamArn!);

    expect(records.map((r) => `${r.eventName} ${r.dynamodb?.Keys?.pk?.S}`)).toEqual([
      'INSERT t1',
      'INSERT t2',
      'INSERT b1',
      'REMOVE t2',
    ]);
  });
});

describe('shard iterators', () => {
  const writeThree = async (name: string) => {
    for (const pk of ['r1', 'r2', 'r3']) await h.doc.send(new PutCommand({ TableName: name, Item: { pk, sk: 'x' } }));
  };

  it('replay the same records from TRIM_HORIZON every time', async () => {
    const { name, streamArn } = await createTable(h.ddb, { streamViewType: 'KEYS_ONLY' });
    await writeThree(name);

    const first = await readStream(h.streams, streamArn!);
    const second = await readStream(h.streams, streamArn!);

    expect(first).toHaveLength(3);
    expect(second).toEqual(first);
  });

  it('start after or at a given sequence number', async () => {
    const { name, streamArn } = await createTable(h.ddb, { streamViewType: 'KEYS_ONLY' });
    await writeThree(name);
    const [, second, third] = await readStream(h.streams, streamArn!);

    const after = await readAll(h.streams, await shardIterator(h.streams, streamArn!, 'AFTER_SEQUENCE_NUMBER', second!.dynamodb!.SequenceNumber));
    const at = await readAll(h.streams, await shardIterator(h.streams, streamArn!, 'AT_SEQUENCE_NUMBER', second!.dynamodb!.SequenceNumber));

    expect(after.map((r) => r.eventID)).toEqual([third!.eventID]);
    expect(at.map((r) => r.eventID)).toEqual([second!.eventID, third!.eventID]);
  });

  it('from LATEST see only records written afterwards', async () => {
    const { name, streamArn } = await createTable(h.ddb, { streamViewType: 'KEYS_ONLY' });
    await writeThree(name);

    const latest = await shardIterator(h.streams, streamArn!, 'LATEST');
    const empty = await h.streams.send(new GetRecordsCommand({ ShardIterator: latest }));
    await h.doc.send(new PutCommand({ TableName: name, Item: { pk: 'r4', sk: 'x' } }));
    const later = await h.streams.send(new GetRecordsCommand({ ShardIterator: empty.NextShardIterator }));

    expect(empty.Records).toEqual([]);
    expect(later.Records?.map((r) => r.dynamodb?.Keys?.pk?.S)).toEqual(['r4']);
  });

  it('page with Limit and NextShardIterator', async () => {
    const { name, streamArn } = await createTable(h.ddb, { streamViewType: 'KEYS_ONLY' });
    await writeThree(name);

    const first = await h.streams.send(new GetRecordsCommand({ ShardIterator: await shardIterator(h.streams, streamArn!, 'TRIM_HORIZON'), Limit: 2 }));
    const rest = await h.streams.send(new GetRecordsCommand({ ShardIterator: first.NextShardIterator, Limit: 2 }));

    expect(first.Records?.map((r) => r.dynamodb?.Keys?.pk?.S)).toEqual(['r1', 'r2']);
    expect(rest.Records?.map((r) => r.dynamodb?.Keys?.pk?.S)).toEqual(['r3']);
    expect(rest.NextShardIterator).toEqual(expect.any(String));
  });
});

describe('stream retention', () => {
  // A small cap: 20 KB of record text. Each record here is ~1.6 KB (a 1,500-character attribute and its keys).
  const retention = { records: 1000, bytes: 20_000 };
  const keysOf = (records: Array<{ dynamodb?: { Keys?: Record<string, { S?: string }> } }>) => records.map((r) => r.dynamodb?.Keys?.pk?.S);

  it('drops the oldest read records beyond the text cap, never one a reader has not reached', async () => {
    const small = await startHarness({ streamRetention: retention });
    try {
      const { name, streamArn } = await createTable(small.ddb, { streamViewType: 'NEW_AND_OLD_IMAGES' });
      const pks = Array.from({ length: 30 }, (_, i) => `item-${String(i).padStart(2, '0')}`);
      for (const pk of pks) await small.doc.send(new PutCommand({ TableName: name, Item: { pk, sk: 'x', text: 'y'.repeat(1500) } }));

      // A reader has read the first 10 records only.
      const page = await small.streams.send(new GetRecordsCommand({ ShardIterator: await shardIterator(small.streams, streamArn!, 'TRIM_HORIZON'), Limit: 10 }));
      expect(keysOf(page.Records ?? [])).toEqual(pks.slice(0, 10));
      await small.server.sweepTtl();
      const afterFirstTrim = keysOf(await readStream(small.streams, streamArn!));
      // ~48 KB is over the cap, but only the 10 read records may go.
      expect(afterFirstTrim).toEqual(pks.slice(10));

      // The first reader reads on to the end: the oldest records go until the text fits the cap.
      expect(keysOf(await readAll(small.streams, page.NextShardIterator!))).toEqual(pks.slice(10));
      await small.server.sweepTtl();
      const afterSecondTrim = keysOf(await readStream(small.streams, streamArn!));
      expect(afterSecondTrim.length).toBeGreaterThan(5);
      expect(afterSecondTrim.length).toBeLessThan(13);
      expect(afterSecondTrim).toEqual(pks.slice(pks.length - afterSecondTrim.length));
    } finally {
      await small.close();
    }
  });
  /** 30 records of ~1.6 KB each, well over the 20 KB cap: [keys, sequence numbers]. */
  async function fillStream(harness: Harness, streamArn: string, name: string): Promise<[string[], string[]]> {
    const pks = Array.from({ length: 30 }, (_, i) => `item-${String(i).padStart(2, '0')}`);
    for (const pk of pks) await harness.doc.send(new PutCommand({ TableName: name, Item: { pk, sk: 'x', text: 'y'.repeat(1500) } }));
    const records = await readStream(harness.streams, streamArn);
    return [pks, records.map((r) => r.dynamodb!.SequenceNumber!)];
  }
  const noTimer = { ttlSweepIntervalMs: 3_600_000 };

  it('keeps every record after a consumer\'s checkpoint across a restart, even those a reader has read ahead', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'local-streams-'));
    let server = await startHarness({ dataDir, streamRetention: retention, ...noTimer });
    try {
      const { name, streamArn } = await createTable(server.ddb, { streamViewType: 'NEW_AND_OLD_IMAGES' });
      const [pks, sequenceNumbers] = await fillStream(server, streamArn!, name);
      await putConsumerCheckpoint(server.server.endpoint, streamArn!, 'poller', sequenceNumbers[4]!);
      // The consumer's reads went on to the end (fillStream read everything), then the cap was applied.
      await server.server.sweepTtl();
      await server.close();

      server = await startHarness({ dataDir, streamRetention: retention, ...noTimer });
      await server.server.sweepTtl();
      const again = await readAll(server.streams, await shardIterator(server.streams, streamArn!, 'AFTER_SEQUENCE_NUMBER', sequenceNumbers[4]));

      expect(keysOf(again)).toEqual(pks.slice(5));
    } finally {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('drops the oldest records every consumer has checkpointed once they are beyond the cap', async () => {
    const server = await startHarness({ streamRetention: retention, ...noTimer });
    try {
      const { name, streamArn } = await createTable(server.ddb, { streamViewType: 'NEW_AND_OLD_IMAGES' });
      const [pks, sequenceNumbers] = await fillStream(server, streamArn!, name);
      await putConsumerCheckpoint(server.server.endpoint, streamArn!, 'first', sequenceNumbers[29]!);
      await putConsumerCheckpoint(server.server.endpoint, streamArn!, 'second', sequenceNumbers[19]!);

      await server.server.sweepTtl();
      const kept = keysOf(await readStream(server.streams, streamArn!));

      expect(kept.length).toBeGreaterThan(5);
      expect(kept.length).toBeLessThan(13);
      expect(kept).toEqual(pks.slice(pks.length - kept.length));
    } finally {
      await server.close();
    }
  });

  it('stops holding records back for a consumer that has not reported for ten minutes', async () => {
    let clock = Date.now();
    const server = await startHarness({ streamRetention: retention, now: () => clock, ...noTimer });
    try {
      const { name, streamArn } = await createTable(server.ddb, { streamViewType: 'NEW_AND_OLD_IMAGES' });
      const [, sequenceNumbers] = await fillStream(server, streamArn!, name);
      await putConsumerCheckpoint(server.server.endpoint, streamArn!, 'removed-mapping', sequenceNumbers[0]!);
      await server.server.sweepTtl();
      const whileReporting = (await readStream(server.streams, streamArn!)).length;

      clock += 10 * 60 * 1000 + 1;
      await readStream(server.streams, streamArn!);
      await server.server.sweepTtl();
      const afterSilence = (await readStream(server.streams, streamArn!)).length;

      expect(whileReporting).toBe(29);
      expect(afterSilence).toBeLessThan(13);
    } finally {
      await server.close();
    }
  });

  it('refuses a checkpoint without a consumer name', async () => {
    const { streamArn } = await createTable(h.ddb, { streamViewType: 'KEYS_ONLY' });

    await expect(putConsumerCheckpoint(h.server.endpoint, streamArn!, '', '1')).rejects.toThrow(/ValidationException/);
  });
});
