import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  documentClient,
  GetCommand,
  PutCommand,
  queryAll,
  QueryCommand,
  tableName,
  TransactWriteCommand,
  UpdateCommand,
} from './client.ts';

useTestCloud();

// The document client's conversions against the local DynamoDB: plain values in, plain values out, for every command.
describe('the document client', () => {
  const pk = `client-test-${Date.now()}`;

  it('puts, gets, updates and deletes plain items, nested values and sets included', async () => {
    const item = { pk, sk: 'A', n: 1, s: 'x', nested: { list: [1, 'two', { three: true }] }, tags: new Set(['a', 'b']), gone: undefined };
    const put = await documentClient.send(new PutCommand({ TableName: tableName(), Item: item, ReturnValues: 'ALL_OLD' }));
    expect(put.Attributes).toBeUndefined();
    const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: { pk, sk: 'A' }, ConsistentRead: true }));
    expect(Item).toEqual({ pk, sk: 'A', n: 1, s: 'x', nested: { list: [1, 'two', { three: true }] }, tags: new Set(['a', 'b']) });

    const updated = await documentClient.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { pk, sk: 'A' },
        UpdateExpression: 'SET n = n + :one',
        ConditionExpression: 's = :s',
        ExpressionAttributeValues: { ':one': 1, ':s': 'x' },
        ReturnValues: 'ALL_NEW',
      }),
    );
    expect(updated.Attributes?.n).toBe(2);
    const deleted = await documentClient.send(new DeleteCommand({ TableName: tableName(), Key: { pk, sk: 'A' }, ReturnValues: 'ALL_OLD' }));
    expect(deleted.Attributes?.n).toBe(2);
    expect((await documentClient.send(new GetCommand({ TableName: tableName(), Key: { pk, sk: 'A' } }))).Item).toBeUndefined();
  });

  it('writes and reads in batches, and pages queries with plain keys', async () => {
    const items = Array.from({ length: 30 }, (_, i) => ({ pk, sk: `B#${String(i).padStart(2, '0')}`, i }));
    const written = await documentClient.send(new BatchWriteCommand({ RequestItems: { [tableName()]: items.slice(0, 25).map((Item) => ({ PutRequest: { Item } })) } }));
    expect(written.UnprocessedItems ?? {}).toEqual({});
    await documentClient.send(new BatchWriteCommand({ RequestItems: { [tableName()]: items.slice(25).map((Item) => ({ PutRequest: { Item } })) } }));

    const got = await documentClient.send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: [{ pk, sk: 'B#03' }, { pk, sk: 'B#29' }, { pk, sk: 'missing' }] } } }));
    expect(got.Responses?.[tableName()]?.map((i) => Number(i.i)).sort((a, b) => a - b)).toEqual([3, 29]);

    const page = await documentClient.send(new QueryCommand({ TableName: tableName(), KeyConditionExpression: 'pk = :pk AND begins_with(sk, :b)', ExpressionAttributeValues: { ':pk': pk, ':b': 'B#' }, Limit: 10 }));
    expect(page.Items).toHaveLength(10);
    expect(page.LastEvaluatedKey).toEqual({ pk, sk: 'B#09' });
    const all = await queryAll({ TableName: tableName(), KeyConditionExpression: 'pk = :pk AND begins_with(sk, :b)', ExpressionAttributeValues: { ':pk': pk, ':b': 'B#' }, Limit: 7 });
    expect(all.map((i) => i.i)).toEqual(items.map((i) => i.i));
  });

  it('runs transactions, and leaves a cancelled one\'s old items in attribute-value form', async () => {
    await documentClient.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: tableName(), Item: { pk, sk: 'T1', n: 5 }, ConditionExpression: 'attribute_not_exists(pk)' } },
          { Put: { TableName: tableName(), Item: { pk, sk: 'T2', n: 0 } } },
        ],
      }),
    );
    const failed = await documentClient
      .send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: { TableName: tableName(), Key: { pk, sk: 'T1' }, UpdateExpression: 'SET n = n - :q', ConditionExpression: 'n >= :q', ExpressionAttributeValues: { ':q': 9 }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
            { ConditionCheck: { TableName: tableName(), Key: { pk, sk: 'T2' }, ConditionExpression: 'n = :zero', ExpressionAttributeValues: { ':zero': 0 } } },
          ],
        }),
      )
      .catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(TransactionCanceledException);
    const reasons = (failed as TransactionCanceledException).CancellationReasons!;
    expect(reasons.map((r) => r.Code)).toEqual(['ConditionalCheckFailed', 'None']);
    expect(reasons[0]!.Item).toEqual({ pk: { S: pk }, sk: { S: 'T1' }, n: { N: '5' } });
  });
});
