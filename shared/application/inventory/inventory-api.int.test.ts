import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import type { LocalCloud } from '../../../infra/local/cloud.ts';
import { createTestTenant, eventually, startTestCloud } from '../../../infra/local/tools/testing.ts';
import type { CreatedTenant } from '../tenants/create-tenant.ts';
import { inventoryDeps as deps } from './test-support.ts';

let cloud: LocalCloud;
let a: CreatedTenant;
let b: CreatedTenant;

beforeAll(async () => {
  cloud = await startTestCloud();
  [a, b] = await Promise.all([createTestTenant('Shop A'), createTestTenant('Shop B')]);
});

afterAll(async () => {
  await cloud?.close();
});

const call = async (tenant: CreatedTenant, method: string, path: string, body?: unknown) => {
  const response = await fetch(`${cloud.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as any };
};

const warehouse = { name: 'East DC', type: 'warehouse', geo: { lat: 40.7, lon: -74 } };
const fields = (problem: { errors?: Array<{ field: string }> }) => (problem.errors ?? []).map((e) => e.field);

describe('locations', () => {
  it('are created, then replaced with a new version, with defaults filled in', async () => {
    const created = await call(a, 'PUT', '/locations/DC-1', warehouse);
    const replaced = await call(a, 'PUT', '/locations/DC-1', { ...warehouse, name: 'East DC (new)', handlingCost: 1.25, rank: 1 });

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ locationId: 'DC-1', handlingCost: 2.5, capabilities: { ship: true, pickup: false, curbside: false }, active: true, version: 1 });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ name: 'East DC (new)', handlingCost: 1.25, rank: 1, version: 2 });
    expect((await call(a, 'GET', '/locations/DC-1')).body).toMatchObject({ name: 'East DC (new)' });
  });

  it('are placed on the map from a US ZIP, offline', async () => {
    const response = await call(a, 'PUT', '/locations/STORE-NYC', { name: 'Chelsea', type: 'store', address: { postalCode: '10001', country: 'US' }, capabilities: { pickup: true } });
    expect(response.status).toBe(201);
    expect(response.body.geo.lat).toBeCloseTo(40.75, 1);
    expect(response.body).toMatchObject({ handlingCost: 5, capabilities: { ship: true, pickup: true, curbside: false } });
  });

  it('refuse an address that cannot be geocoded, naming the postal code', async () => {
    for (const address of [{ postalCode: '00000', country: 'US' }, { postalCode: 'SW1A 1AA', country: 'GB' }]) {
      const response = await call(a, 'PUT', '/locations/NOWHERE', { name: 'Nowhere', type: 'store', address });
      expect(response.status).toBe(422);
      expect(fields(response.body)).toEqual(['address.postalCode']);
    }
  });

  it('refuse bad fields, naming each', async () => {
    const response = await call(a, 'PUT', '/locations/BAD', { name: '', type: 'castle', geo: { lat: 91, lon: 'x' }, dailyCapacity: 0, acceptanceHours: 0 });
    expect(response.status).toBe(422);
    expect(response.type).toBe('application/problem+json');
    expect(fields(response.body)).toEqual(expect.arrayContaining(['name', 'type', 'geo.lat', 'geo.lon', 'dailyCapacity', 'acceptanceHours']));
  });

  it('refuse an unsafe or over-long id', async () => {
    expect(fields((await call(a, 'PUT', `/locations/${'x'.repeat(129)}`, warehouse)).body)).toEqual(['path.locationId']);
    expect((await call(a, 'PUT', '/locations/a%23b', warehouse)).status).toBe(422);
  });

  it('are listed page by page', async () => {
    await Promise.all(['L-1', 'L-2', 'L-3'].map((id) => call(b, 'PUT', `/locations/${id}`, warehouse)));
    const first = await call(b, 'GET', '/locations?limit=2');
    const second = await call(b, 'GET', `/locations?limit=2&cursor=${first.body.nextCursor}`);
    expect(first.body.items.map((l: { locationId: string }) => l.locationId)).toEqual(['L-1', 'L-2']);
    expect(second.body.items.map((l: { locationId: string }) => l.locationId)).toEqual(['L-3']);
    expect(second.body.nextCursor).toBeUndefined();
  });
});

describe('SKUs', () => {
  it('are created and read back; an unknown one is a 404', async () => {
    const put = await call(a, 'PUT', '/skus/TEE-M', { name: 'Tee M', weightLb: 0.4, dims: { lengthIn: 10, widthIn: 8, heightIn: 1 } });
    expect(put.status).toBe(201);
    expect((await call(a, 'GET', '/skus/TEE-M')).body).toMatchObject({ sku: 'TEE-M', weightLb: 0.4, version: 1 });
    expect((await call(a, 'GET', '/skus/NOPE')).status).toBe(404);
    expect(fields((await call(a, 'PUT', '/skus/TEE-L', { weightLb: -1 })).body)).toEqual(['weightLb']);
  });
});

describe('inventory adjustments', () => {
  it('apply per item, reporting unknown locations and stock promised to orders', async () => {
    await call(a, 'PUT', '/locations/ADJ', warehouse);
    const response = await call(a, 'POST', '/inventory/adjustments', {
      adjustments: [
        { locationId: 'ADJ', sku: 'S-1', set: 10, safetyStock: 2 },
        { locationId: 'GHOST', sku: 'S-1', set: 5 },
        { locationId: 'ADJ', sku: 'S-1', delta: -3, reason: 'damaged' },
        { locationId: 'ADJ', sku: 'S-2', delta: -1 },
      ],
    });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      applied: 2,
      ignored: [],
      errors: [
        { index: 1, field: 'adjustments[1].locationId', code: 'UNKNOWN_LOCATION', message: expect.any(String) },
        { index: 3, field: 'adjustments[3].delta', code: 'NEGATIVE_ON_HAND', message: expect.any(String) },
      ],
    });
    const inventory = await call(a, 'GET', '/inventory/S-1');
    expect(inventory.body).toEqual({ sku: 'S-1', available: 5, locations: [{ locationId: 'ADJ', onHand: 7, reserved: 0, safetyStock: 2, available: 5 }] });
  });

  it.each([
    ['an empty list', { adjustments: [] }, ['adjustments']],
    ['a negative set', { adjustments: [{ locationId: 'ADJ', sku: 'S-9', set: 4 }, { locationId: 'ADJ', sku: 'S-9', set: -1 }] }, ['adjustments[1].set']],
    ['a non-integer', { adjustments: [{ locationId: 'ADJ', sku: 'S-9', delta: 1.5 }] }, ['adjustments[0].delta']],
    ['a wrong type', { adjustments: [{ locationId: 'ADJ', sku: 42, set: '5' }] }, ['adjustments[0].sku', 'adjustments[0].set']],
    ['a huge string', { adjustments: [{ locationId: 'x'.repeat(100_000), sku: 'S-9', set: 1 }] }, ['adjustments[0].locationId']],
    ['501 items', { adjustments: Array.from({ length: 501 }, (_, i) => ({ locationId: 'ADJ', sku: `S-${i}`, set: 1 })) }, ['adjustments']],
    ['no list at all', { adjustment: [] }, ['adjustments', '']],
  ])('refuse %s as a whole, naming the field, and apply nothing', async (_, body, expected) => {
    const response = await call(a, 'POST', '/inventory/adjustments', body);
    expect(response.status).toBe(422);
    expect(response.type).toBe('application/problem+json');
    expect(fields(response.body)).toEqual(expect.arrayContaining(expected));
    expect((await call(a, 'GET', '/inventory/S-9')).body.locations).toEqual([]);
  });

  it('refuse malformed JSON and bodies over 1 MB', async () => {
    expect((await call(a, 'POST', '/inventory/adjustments', '{"adjustments": [')).status).toBe(400);
    expect((await call(a, 'POST', '/inventory/adjustments', JSON.stringify({ adjustments: [], pad: 'x'.repeat(1_100_000) }))).status).toBe(413);
  });

  it('end in the newest state when sequenced counts arrive out of order, reporting the stale ones', async () => {
    const send = (adjustments: unknown[]) => call(a, 'POST', '/inventory/adjustments', { adjustments });
    await send([{ locationId: 'ADJ', sku: 'SEQ', set: 30, sequence: 3 }]);
    const stale = await send([{ locationId: 'ADJ', sku: 'SEQ', set: 10, sequence: 1 }, { locationId: 'ADJ', sku: 'SEQ', set: 20, sequence: 2 }]);
    await send([{ locationId: 'ADJ', sku: 'SEQ', set: 50, sequence: 5 }, { locationId: 'ADJ', sku: 'SEQ', set: 40, sequence: 4 }]);

    expect(stale.body).toMatchObject({ applied: 0, ignored: [{ index: 0, reason: 'STALE_SEQUENCE', sequence: 1, lastSequence: 3 }, { index: 1, sequence: 2 }] });
    expect((await call(a, 'GET', '/inventory/SEQ')).body.available).toBe(50);
  });
});

describe('inventory reads', () => {
  it('page a location and apply a channel hold-back', async () => {
    await call(a, 'PUT', '/locations/PAGE', warehouse);
    await call(a, 'POST', '/inventory/adjustments', { adjustments: ['P-1', 'P-2', 'P-3'].map((sku) => ({ locationId: 'PAGE', sku, set: 10 })) });
    await call(a, 'PUT', '/channels/marketplace', { holdBack: { units: 4 }, skus: { 'P-2': { share: 0.5 } } });

    const first = await call(a, 'GET', '/inventory?locationId=PAGE&limit=2&channel=marketplace');
    const second = await call(a, 'GET', `/inventory?locationId=PAGE&limit=2&cursor=${first.body.nextCursor}`);

    expect(first.body.items.map((i: { sku: string; available: number }) => [i.sku, i.available])).toEqual([['P-1', 6], ['P-2', 5]]);
    expect(second.body.items.map((i: { sku: string; available: number }) => [i.sku, i.available])).toEqual([['P-3', 10]]);
    expect((await call(a, 'GET', '/channels')).body.items).toEqual([expect.objectContaining({ channel: 'marketplace', holdBack: { units: 4 } })]);
  });

  it('answer 404 for an unknown location and 422 without one', async () => {
    expect((await call(a, 'GET', '/inventory?locationId=GHOST')).status).toBe(404);
    expect(fields((await call(a, 'GET', '/inventory')).body)).toEqual(['query.locationId']);
  });
});

describe('tenant isolation', () => {
  it('keeps every location, SKU and count of tenant A out of tenant B\'s reach', async () => {
    await call(a, 'PUT', '/locations/SECRET', warehouse);
    await call(a, 'PUT', '/skus/SECRET-SKU', { weightLb: 1 });
    await call(a, 'POST', '/inventory/adjustments', { adjustments: [{ locationId: 'SECRET', sku: 'SECRET-SKU', set: 9 }] });
    const aPage = await call(a, 'GET', '/locations?limit=1');

    expect((await call(b, 'GET', '/locations/SECRET')).status).toBe(404);
    expect((await call(b, 'GET', '/skus/SECRET-SKU')).status).toBe(404);
    expect((await call(b, 'GET', '/inventory/SECRET-SKU')).body).toEqual({ sku: 'SECRET-SKU', available: 0, locations: [] });
    expect((await call(b, 'GET', '/inventory?locationId=SECRET')).status).toBe(404);
    expect((await call(b, 'GET', `/locations?cursor=${aPage.body.nextCursor}`)).status).toBe(400);
    const forged = Buffer.from(JSON.stringify({ pk: `${b.tenantId}#LOCATIONS`, sk: 7 })).toString('base64url');
    expect((await call(b, 'GET', `/locations?cursor=${forged}`)).status).toBe(400);
    const write = await call(b, 'POST', '/inventory/adjustments', { adjustments: [{ locationId: 'SECRET', sku: 'SECRET-SKU', set: 0 }] });
    expect(write.body.errors).toEqual([expect.objectContaining({ code: 'UNKNOWN_LOCATION' })]);
    expect((await call(b, 'PUT', '/locations/SECRET', { ...warehouse, name: 'B\'s own' })).status).toBe(201);

    expect((await call(a, 'GET', '/locations/SECRET')).body).toMatchObject({ name: 'East DC', version: 1 });
    expect((await call(a, 'GET', '/inventory/SECRET-SKU')).body.available).toBe(9);
  });
});

describe('the bulk feed', () => {
  it('applies a message from the queue', async () => {
    await call(a, 'PUT', '/locations/FEED', warehouse);
    await new SQSClient({}).send(
      new SendMessageCommand({
        QueueUrl: cloud.queueUrls.inventoryFeed.url,
        MessageBody: JSON.stringify({ tenantId: a.tenantId, adjustments: [{ locationId: 'FEED', sku: 'F-1', set: 12, sequence: 1 }] }),
      }),
    );
    const inventory = await eventually(async () => {
      const body = (await call(a, 'GET', '/inventory/F-1')).body;
      return body.available === 12 ? body : undefined;
    });
    expect(inventory.locations).toHaveLength(1);
  });

  it('reports only the malformed message of a batch as failed', async () => {
    const record = (messageId: string, body: string) => ({ messageId, receiptHandle: messageId, body, attributes: {}, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn', awsRegion: 'us-east-1' });
    const response = await cloud.runtime.invoke('consumeInventoryFeed', {
      Records: [
        record('good', JSON.stringify({ tenantId: a.tenantId, adjustments: [{ locationId: 'FEED', sku: 'F-2', set: 3 }] })),
        record('bad', JSON.stringify({ tenantId: a.tenantId, adjustments: [{ locationId: 'FEED', sku: 'F-2', set: -3 }] })),
      ],
    });
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
    expect((await call(a, 'GET', '/inventory/F-2')).body.available).toBe(3);
  });
});

describe('the SKU network projection', () => {
  it('is left unchanged by a replay of the whole stream, in any order', async () => {
    await call(a, 'PUT', '/locations/REPLAY-2', warehouse);
    await call(a, 'POST', '/inventory/adjustments', { adjustments: [{ locationId: 'ADJ', sku: 'R-1', set: 5 }, { locationId: 'REPLAY-2', sku: 'R-1', set: 7 }] });
    await call(a, 'POST', '/inventory/adjustments', { adjustments: [{ locationId: 'ADJ', sku: 'R-1', delta: -1 }, { locationId: 'REPLAY-2', sku: 'R-1', safetyStock: 2 }] });
    await cloud.settle();
    const before = (await deps.networks.getMany(a.tenantId, ['R-1'])).get('R-1');
    expect(before).toMatchObject({ available: 9 });

    const records = await allStreamRecords();
    const shuffled = records.map((r) => ({ r, k: Math.random() })).sort((x, y) => x.k - y.k).map(({ r }) => r);
    await cloud.runtime.invoke('handleInventoryChanges', { Records: shuffled.map(lambdaRecord) });

    expect((await deps.networks.getMany(a.tenantId, ['R-1'])).get('R-1')).toEqual(before);
  });
});

/** Every record of the table's stream so far, read as the pollers read it. */
async function allStreamRecords(): Promise<_Record[]> {
  const table = await new DynamoDBClient({}).send(new DescribeTableCommand({ TableName: cloud.tableName }));
  const streams = new DynamoDBStreamsClient({});
  const stream = await streams.send(new DescribeStreamCommand({ StreamArn: table.Table!.LatestStreamArn! }));
  let iterator = (
    await streams.send(new GetShardIteratorCommand({ StreamArn: table.Table!.LatestStreamArn!, ShardId: stream.StreamDescription!.Shards![0]!.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))
  ).ShardIterator;
  const records: _Record[] = [];
  while (iterator) {
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
    records.push(...(page.Records ?? []));
    if (!page.Records?.length) break;
    iterator = page.NextShardIterator;
  }
  return records;
}

function lambdaRecord(record: _Record) {
  const created = record.dynamodb?.ApproximateCreationDateTime;
  return { ...record, dynamodb: { ...record.dynamodb, ApproximateCreationDateTime: created instanceof Date ? created.getTime() / 1000 : created } };
}
