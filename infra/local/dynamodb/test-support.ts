// Shared arrange helpers for the conformance tests: a server, SDK clients pointed at it, and tables with unique names.
import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DynamoDBClient,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type GlobalSecondaryIndex,
  type StreamViewType,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
  type GetRecordsCommandOutput,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import { startLocalDynamoDb, type LocalDynamoDb, type LocalDynamoDbOptions } from './index.ts';

export interface Harness {
  server: LocalDynamoDb;
  ddb: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  streams: DynamoDBStreamsClient;
  close(): Promise<void>;
}

export async function startHarness(options: LocalDynamoDbOptions = {}): Promise<Harness> {
  const server = await startLocalDynamoDb(options);
  const config = {
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  };
  const ddb = new DynamoDBClient(config);
  const doc = DynamoDBDocumentClient.from(ddb);
  const streams = new DynamoDBStreamsClient(config);
  return {
    server,
    ddb,
    doc,
    streams,
    async close() {
      ddb.destroy();
      streams.destroy();
      await server.close();
    },
  };
}

export const uniqueName = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

export interface TableOptions {
  name?: string;
  sortKey?: boolean;
  streamViewType?: StreamViewType;
  gsi?: boolean;
}

/** A single-table-design table (pk/sk, optional gsi1) as the DOM uses it. */
export async function createTable(ddb: DynamoDBClient, options: TableOptions = {}) {
  const name = options.name ?? uniqueName('tbl');
  const attributes: AttributeDefinition[] = [{ AttributeName: 'pk', AttributeType: 'S' }];
  if (options.sortKey !== false) attributes.push({ AttributeName: 'sk', AttributeType: 'S' });
  const gsis: GlobalSecondaryIndex[] = [];
  if (options.gsi) {
    attributes.push({ AttributeName: 'gsi1pk', AttributeType: 'S' }, { AttributeName: 'gsi1sk', AttributeType: 'S' });
    gsis.push({
      IndexName: 'gsi1',
      KeySchema: [
        { AttributeName: 'gsi1pk', KeyType: 'HASH' },
        { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    });
  }
  const input: CreateTableCommandInput = {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: attributes,
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      ...(options.sortKey !== false ? [{ AttributeName: 'sk', KeyType: 'RANGE' as const }] : []),
    ],
    ...(gsis.length ? { GlobalSecondaryIndexes: gsis } : {}),
    ...(options.streamViewType ? { StreamSpecification: { StreamEnabled: true, StreamViewType: options.streamViewType } } : {}),
  };
  const { TableDescription } = await ddb.send(new CreateTableCommand(input));
  return { name, streamArn: TableDescription?.LatestStreamArn, description: TableDescription! };
}

/** An iterator on the (single) shard of a stream. */
export async function shardIterator(
  streams: DynamoDBStreamsClient,
  streamArn: string,
  type: ShardIteratorType,
  sequenceNumber?: string,
): Promise<string> {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const shardId = StreamDescription!.Shards![0]!.ShardId!;
  const { ShardIterator } = await streams.send(
    new GetShardIteratorCommand({
      StreamArn: streamArn,
      ShardId: shardId,
      ShardIteratorType: type,
      ...(sequenceNumber ? { SequenceNumber: sequenceNumber } : {}),
    }),
  );
  return ShardIterator!;
}

/** Reads the stream from an iterator until a GetRecords call returns nothing new. */
export async function readAll(streams: DynamoDBStreamsClient, iterator: string, limit = 1000): Promise<_Record[]> {
  const records: _Record[] = [];
  let next: string | undefined = iterator;
  while (next) {
    const page: GetRecordsCommandOutput = await streams.send(new GetRecordsCommand({ ShardIterator: next, Limit: limit }));
    records.push(...(page.Records ?? []));
    if (!page.Records?.length) break;
    next = page.NextShardIterator;
  }
  return records;
}

export async function readStream(streams: DynamoDBStreamsClient, streamArn: string): Promise<_Record[]> {
  return readAll(streams, await shardIterator(streams, streamArn, 'TRIM_HORIZON'));
}

/** A consumer's checkpoint, as the local stream pollers report it (a local extension, not an AWS API). */
export async function putConsumerCheckpoint(endpoint: string, streamArn: string, consumer: string, sequenceNumber: string): Promise<void> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'LocalDynamoDBStreams.PutConsumerCheckpoint' },
    body: JSON.stringify({ StreamArn: streamArn, Consumer: consumer, SequenceNumber: sequenceNumber }),
  });
  if (response.status !== 200) throw new Error(`PutConsumerCheckpoint failed (${response.status}): ${await response.text()}`);
}
