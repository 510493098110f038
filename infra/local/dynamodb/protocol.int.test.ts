// Conformance of the wire protocol: unsigned requests are served, unknown targets get AWS's error shape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTable, startHarness, type Harness } from './test-support.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const post = (target: string, body: unknown) =>
  fetch(h.server.endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': target },
    body: JSON.stringify(body),
  });

describe('the wire protocol', () => {
  it('serves requests without a SigV4 signature', async () => {
    const { name } = await createTable(h.ddb);

    const put = await post('DynamoDB_20120810.PutItem', { TableName: name, Item: { pk: { S: 'a' }, sk: { S: 'b' } } });
    const get = await post('DynamoDB_20120810.GetItem', { TableName: name, Key: { pk: { S: 'a' }, sk: { S: 'b' } } });

    expect(put.status).toBe(200);
    expect(await get.json()).toEqual({ Item: { pk: { S: 'a' }, sk: { S: 'b' } } });
  });

  it('answers an unknown operation with UnknownOperationException', async () => {
    const res = await post('DynamoDB_20120810.ExecuteTransaction', { TransactStatements: [] });

    expect(res.status).toBe(400);
    expect(((await res.json()) as { __type: string }).__type).toMatch(/#UnknownOperationException$/);
  });

  it('answers a missing table with ResourceNotFoundException on both APIs', async () => {
    const table = await post('DynamoDB_20120810.DescribeTable', { TableName: 'no-such-table' });
    const stream = await post('DynamoDBStreams_20120810.DescribeStream', { StreamArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/x/stream/y' });

    expect(((await table.json()) as { __type: string }).__type).toMatch(/#ResourceNotFoundException$/);
    expect(((await stream.json()) as { __type: string }).__type).toMatch(/#ResourceNotFoundException$/);
  });
});
