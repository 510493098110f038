// Conformance of the local endpoint's own promise: with a dataDir, a restart keeps tables, items, unconsumed stream
// records and TTL settings.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DescribeTimeToLiveCommand, ListTablesCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTable, readStream, startHarness, type Harness } from './test-support.ts';

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'local-dynamodb-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe('a restart with the same dataDir', () => {
  it('keeps tables, items, stream records and TTL settings, and continues the sequence numbers', async () => {
    let h: Harness = await startHarness({ dataDir });
    const { name, streamArn } = await createTable(h.ddb, { streamViewType: 'NEW_AND_OLD_IMAGES', gsi: true });
    await h.ddb.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true } }));
    await h.doc.send(new PutCommand({ TableName: name, Item: { pk: 'T1#O1', sk: 'ORDER', gsi1pk: 'T1#NEW', gsi1sk: '1', amount: 5 } }));
    await h.doc.send(
      new UpdateCommand({ TableName: name, Key: { pk: 'T1#O1', sk: 'ORDER' }, UpdateExpression: 'SET amount = :t', ExpressionAttributeValues: { ':t': 7 } }),
    );
    const before = await readStream(h.streams, streamArn!);
    await h.close();

    h = await startHarness({ dataDir });
    try {
      const { TableNames } = await h.ddb.send(new ListTablesCommand({}));
      const { Table } = await h.ddb.send(new DescribeTableCommand({ TableName: name }));
      const { Item } = await h.doc.send(new GetCommand({ TableName: name, Key: { pk: 'T1#O1', sk: 'ORDER' } }));
      const { Items } = await h.doc.send(
        new QueryCommand({ TableName: name, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': 'T1#NEW' } }),
      );
      const ttl = await h.ddb.send(new DescribeTimeToLiveCommand({ TableName: name }));
      const after = await readStream(h.streams, streamArn!);
      await h.doc.send(new PutCommand({ TableName: name, Item: { pk: 'T1#O2', sk: 'ORDER' } }));
      const withNew = await readStream(h.streams, streamArn!);

      expect(TableNames).toContain(name);
      expect(Table?.LatestStreamArn).toBe(streamArn);
      expect(Item?.amount).toBe(7);
      expect(Items?.map((i) => i.pk)).toEqual(['T1#O1']);
      expect(ttl.TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'ttl' });
      expect(before.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY']);
      expect(after).toEqual(before);
      expect(withNew).toHaveLength(3);
      expect(BigInt(withNew[2]!.dynamodb!.SequenceNumber!)).toBeGreaterThan(BigInt(before[1]!.dynamodb!.SequenceNumber!));
    } finally {
      await h.close();
    }
  });
});
