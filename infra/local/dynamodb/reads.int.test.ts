// Conformance of range reads over the in-memory store: index projections, reverse pages, a deleted table's rows.
import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTable, startHarness, uniqueName, type Harness } from './test-support.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function tableWithIncludeIndex(): Promise<string> {
  const name = uniqueName('include');
  await h.ddb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'status', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byStatus',
          KeySchema: [
            { AttributeName: 'status', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['total', 'note'] },
        },
      ],
    }),
  );
  return name;
}

describe('range reads', () => {
  it('answer an INCLUDE index with the projected attributes an item has, and no others', async () => {
    const name = await tableWithIncludeIndex();
    await h.doc.send(new PutCommand({ TableName: name, Item: { pk: 'o1', sk: '1', status: 'NEW', total: 5, secret: 'x' } }));

    const { Items } = await h.doc.send(
      new QueryCommand({ TableName: name, IndexName: 'byStatus', KeyConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': 'NEW' } }),
    );

    expect(Items).toEqual([{ pk: 'o1', sk: '1', status: 'NEW', total: 5 }]);
  });

  it('page backwards through a partition with Limit and ExclusiveStartKey, newest first, while rows are added', async () => {
    const { name } = await createTable(h.ddb);
    for (let i = 0; i < 25; i++) await h.doc.send(new PutCommand({ TableName: name, Item: { pk: 'p', sk: String(i).padStart(3, '0') } }));

    const pages: string[][] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await h.doc.send(
        new QueryCommand({ TableName: name, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'p' }, ScanIndexForward: false, Limit: 10, ExclusiveStartKey: start }),
      );
      pages.push(page.Items!.map((item) => item.sk as string));
      start = page.LastEvaluatedKey;
      // A row added ahead of the reader (a lower sort key) is read; the reader never repeats one.
      if (pages.length === 1) await h.doc.send(new PutCommand({ TableName: name, Item: { pk: 'p', sk: '0005x' } }));
    } while (start);

    const all = pages.flat();
    expect(pages[0]).toEqual(['024', '023', '022', '021', '020', '019', '018', '017', '016', '015']);
    expect(all).toContain('0005x');
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(26);
  });

  it('find nothing of a table deleted and created again under the same name', async () => {
    const { name } = await createTable(h.ddb);
    await h.doc.send(new PutCommand({ TableName: name, Item: { pk: 'p', sk: 's' } }));
    await h.ddb.send(new DeleteTableCommand({ TableName: name }));
    await createTable(h.ddb, { name });

    const { Items } = await h.doc.send(new ScanCommand({ TableName: name }));

    expect(Items).toEqual([]);
  });
});
