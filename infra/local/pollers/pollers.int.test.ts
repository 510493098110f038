// The stream poller reads the local endpoint's GetRecords pages record by record: records no filter can match are kept
// only for their place in the stream, the others arrive exactly as the Streams API serves them.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTable, readStream, shardIterator, startHarness, type Harness } from '../dynamodb/test-support.ts';
import { prefilter, readPage } from './index.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('a GetRecords page of the local endpoint', () => {
  it('is read record by record, parsing only the records a filter may match', async () => {
    const { name, streamArn } = await createTable(h.ddb, { streamViewType: 'NEW_AND_OLD_IMAGES' });
    for (const entity of ['Stock', 'Order', 'Stock']) await h.doc.send(new PutCommand({ TableName: name, Item: { pk: `${entity}#${Math.random()}`, sk: 'x', entity } }));
    const expected = await readStream(h.streams, streamArn!);
    const iterator = await shardIterator(h.streams, streamArn!, 'TRIM_HORIZON');
    const response = await fetch(h.server.endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'DynamoDBStreams_20120810.GetRecords' },
      body: JSON.stringify({ ShardIterator: iterator }),
    });
    const text = await response.text();

    const page = readPage(text, prefilter([{ dynamodb: { NewImage: { entity: { S: ['Stock'] } } } }]));

    expect(page.NextShardIterator).toEqual(expect.any(String));
    expect(page.Records!.map((r) => ('filteredOut' in r ? 'skipped' : (r.dynamodb?.NewImage as Record<string, { S: string }>).entity!.S))).toEqual(['Stock', 'skipped', 'Stock']);
    expect(page.Records!.map((r) => r.dynamodb?.SequenceNumber)).toEqual(expected.map((r) => r.dynamodb?.SequenceNumber));
    expect(JSON.parse(text)).toEqual({ Records: expect.any(Array), NextShardIterator: page.NextShardIterator });
  });
});
