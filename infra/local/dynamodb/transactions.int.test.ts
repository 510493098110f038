// Conformance: transactions and single-item writes, as documented for DynamoDB.
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactGetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTable, startHarness, type Harness } from './test-support.ts';

let h: Harness;
let orders: string;
let stock: string;

beforeAll(async () => {
  h = await startHarness();
  orders = (await createTable(h.ddb, { gsi: true })).name;
  stock = (await createTable(h.ddb)).name;
});
afterAll(() => h.close());

const get = async (table: string, pk: string, sk: string) =>
  (await h.doc.send(new GetCommand({ TableName: table, Key: { pk, sk }, ConsistentRead: true }))).Item;

describe('TransactWriteItems', () => {
  it('commits puts, updates and deletes across two tables together', async () => {
    await h.doc.send(new PutCommand({ TableName: stock, Item: { pk: 'T1#SKU1', sk: 'STOCK', available: 5 } }));
    await h.doc.send(new PutCommand({ TableName: orders, Item: { pk: 'T1#O0', sk: 'ORDER', status: 'OLD' } }));

    await h.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: orders, Item: { pk: 'T1#O1', sk: 'ORDER', status: 'NEW' }, ConditionExpression: 'attribute_not_exists(pk)' } },
          {
            Update: {
              TableName: stock,
              Key: { pk: 'T1#SKU1', sk: 'STOCK' },
              UpdateExpression: 'SET available = available - :q',
              ConditionExpression: 'available >= :q',
              ExpressionAttributeValues: { ':q': 2 },
            },
          },
          { Delete: { TableName: orders, Key: { pk: 'T1#O0', sk: 'ORDER' } } },
        ],
      }),
    );

    expect(await get(orders, 'T1#O1', 'ORDER')).toEqual({ pk: 'T1#O1', sk: 'ORDER', status: 'NEW' });
    expect((await get(stock, 'T1#SKU1', 'STOCK'))?.available).toBe(3);
    expect(await get(orders, 'T1#O0', 'ORDER')).toBeUndefined();
  });

  it('writes nothing when one condition fails and reports a reason per item in order', async () => {
    await h.doc.send(new PutCommand({ TableName: stock, Item: { pk: 'T1#SKU2', sk: 'STOCK', available: 1 } }));

    const error = await h.ddb
      .send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: orders, Item: { pk: { S: 'T1#O2' }, sk: { S: 'ORDER' } } } },
            {
              Update: {
                TableName: stock,
                Key: { pk: { S: 'T1#SKU2' }, sk: { S: 'STOCK' } },
                UpdateExpression: 'SET available = available - :q',
                ConditionExpression: 'available >= :q',
                ExpressionAttributeValues: { ':q': { N: '2' } },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            { Put: { TableName: orders, Item: { pk: { S: 'T1#O3' }, sk: { S: 'ORDER' } } } },
          ],
        }),
      )
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransactionCanceledException);
    const reasons = (error as TransactionCanceledException).CancellationReasons!;
    expect(reasons.map((r) => r.Code)).toEqual(['None', 'ConditionalCheckFailed', 'None']);
    expect(reasons[1]!.Item).toEqual({ pk: { S: 'T1#SKU2' }, sk: { S: 'STOCK' }, available: { N: '1' } });
    expect(await get(orders, 'T1#O2', 'ORDER')).toBeUndefined();
    expect(await get(orders, 'T1#O3', 'ORDER')).toBeUndefined();
    expect((await get(stock, 'T1#SKU2', 'STOCK'))?.available).toBe(1);
  });

  it('cancels the whole transaction when a ConditionCheck fails', async () => {
    await h.doc.send(new PutCommand({ TableName: stock, Item: { pk: 'T1#TENANT', sk: 'META', state: 'SUSPENDED' } }));

    const error = await h.doc
      .send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: stock,
                Key: { pk: 'T1#TENANT', sk: 'META' },
                ConditionExpression: '#s = :active',
                ExpressionAttributeNames: { '#s': 'state' },
                ExpressionAttributeValues: { ':active': 'ACTIVE' },
              },
            },
            { Put: { TableName: orders, Item: { pk: 'T1#O4', sk: 'ORDER' } } },
          ],
        }),
      )
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransactionCanceledException);
    const reasons = (error as TransactionCanceledException).CancellationReasons!;
    expect(reasons.map((r) => r.Code)).toEqual(['ConditionalCheckFailed', 'None']);
    expect(reasons[0]!.Item).toBeUndefined();
    expect(await get(orders, 'T1#O4', 'ORDER')).toBeUndefined();
  });

  it('commits when a ConditionCheck passes', async () => {
    await h.doc.send(new PutCommand({ TableName: stock, Item: { pk: 'T1#TENANT2', sk: 'META', state: 'ACTIVE' } }));

    await h.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: stock,
              Key: { pk: 'T1#TENANT2', sk: 'META' },
              ConditionExpression: '#s = :active',
              ExpressionAttributeNames: { '#s': 'state' },
              ExpressionAttributeValues: { ':active': 'ACTIVE' },
            },
          },
          { Put: { TableName: orders, Item: { pk: 'T1#O5', sk: 'ORDER' } } },
        ],
      }),
    );

    expect(await get(orders, 'T1#O5', 'ORDER')).toBeDefined();
  });

  it('cancels with a ValidationError reason when an update meets an operand of the wrong type', async () => {
    await h.doc.send(new PutCommand({ TableName: stock, Item: { pk: 'T1#SKU9', sk: 'STOCK', available: 'many' } }));

    const error = await h.doc
      .send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: orders, Item: { pk: 'T1#O9', sk: 'ORDER' } } },
            {
              Update: {
                TableName: stock,
                Key: { pk: 'T1#SKU9', sk: 'STOCK' },
                UpdateExpression: 'SET available = available - :q',
                ExpressionAttributeValues: { ':q': 1 },
              },
            },
          ],
        }),
      )
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect((error as TransactionCanceledException).CancellationReasons?.map((r) => r.Code)).toEqual(['None', 'ValidationError']);
    expect(await get(orders, 'T1#O9', 'ORDER')).toBeUndefined();
  });

  it('rejects two operations on the same item with a ValidationException', async () => {
    const error = await h.doc
      .send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: orders, Item: { pk: 'T1#O6', sk: 'ORDER' } } },
            { Delete: { TableName: orders, Key: { pk: 'T1#O6', sk: 'ORDER' } } },
          ],
        }),
      )
      .catch((e: unknown) => e);

    expect((error as Error).name).toBe('ValidationException');
    expect(await get(orders, 'T1#O6', 'ORDER')).toBeUndefined();
  });

  it('applies a request once per ClientRequestToken and rejects the token with other parameters', async () => {
    await h.doc.send(new PutCommand({ TableName: stock, Item: { pk: 'T1#SKU3', sk: 'STOCK', available: 10 } }));
    const request = (quantity: number) =>
      new TransactWriteCommand({
        ClientRequestToken: 'reserve-order-7',
        TransactItems: [
          {
            Update: {
              TableName: stock,
              Key: { pk: 'T1#SKU3', sk: 'STOCK' },
              UpdateExpression: 'SET available = available - :q',
              ExpressionAttributeValues: { ':q': quantity },
            },
          },
        ],
      });

    await h.doc.send(request(3));
    await h.doc.send(request(3));
    const mismatch = await h.doc.send(request(4)).catch((e: unknown) => e);

    expect((await get(stock, 'T1#SKU3', 'STOCK'))?.available).toBe(7);
    expect((mismatch as Error).name).toBe('IdempotentParameterMismatchException');
  });
});

describe('TransactGetItems', () => {
  it('returns the items in request order, an empty entry for a missing one, with projections', async () => {
    await h.doc.send(new PutCommand({ TableName: orders, Item: { pk: 'T2#O1', sk: 'ORDER', status: 'NEW', total: 10 } }));
    await h.doc.send(new PutCommand({ TableName: stock, Item: { pk: 'T2#SKU1', sk: 'STOCK', available: 4 } }));

    const { Responses } = await h.doc.send(
      new TransactGetCommand({
        TransactItems: [
          { Get: { TableName: stock, Key: { pk: 'T2#SKU1', sk: 'STOCK' } } },
          { Get: { TableName: orders, Key: { pk: 'T2#MISSING', sk: 'ORDER' } } },
          { Get: { TableName: orders, Key: { pk: 'T2#O1', sk: 'ORDER' }, ProjectionExpression: '#s', ExpressionAttributeNames: { '#s': 'status' } } },
        ],
      }),
    );

    expect(Responses?.map((r) => r.Item)).toEqual([
      { pk: 'T2#SKU1', sk: 'STOCK', available: 4 },
      undefined,
      { status: 'NEW' },
    ]);
  });
});

describe('single-item writes', () => {
  it('raise ConditionalCheckFailedException carrying the item when asked for ALL_OLD', async () => {
    await h.ddb.send(new PutItemCommand({ TableName: orders, Item: { pk: { S: 'T3#O1' }, sk: { S: 'ORDER' }, v: { N: '1' } } }));

    const error = await h.ddb
      .send(
        new PutItemCommand({
          TableName: orders,
          Item: { pk: { S: 'T3#O1' }, sk: { S: 'ORDER' }, v: { N: '2' } },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      )
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    expect((error as ConditionalCheckFailedException).Item).toEqual({ pk: { S: 'T3#O1' }, sk: { S: 'ORDER' }, v: { N: '1' } });
    const { Item } = await h.ddb.send(new GetItemCommand({ TableName: orders, Key: { pk: { S: 'T3#O1' }, sk: { S: 'ORDER' } } }));
    expect(Item?.v).toEqual({ N: '1' });
  });

  it('keep the global secondary index queryable (dynalite maintains it)', async () => {
    await h.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: orders, Item: { pk: 'T4#O1', sk: 'ORDER', gsi1pk: 'T4#NEW', gsi1sk: '2024-01-01' } } },
          { Put: { TableName: orders, Item: { pk: 'T4#O2', sk: 'ORDER', gsi1pk: 'T4#NEW', gsi1sk: '2024-01-02' } } },
        ],
      }),
    );
    await h.doc.send(new PutCommand({ TableName: orders, Item: { pk: 'T4#O1', sk: 'ORDER', gsi1pk: 'T4#SHIPPED', gsi1sk: '2024-01-01' } }));

    const { Items } = await h.doc.send(
      new QueryCommand({
        TableName: orders,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': 'T4#NEW' },
      }),
    );

    expect(Items?.map((i) => i.pk)).toEqual(['T4#O2']);
  });
});
