import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand, type BatchGetCommandInput, type BatchGetCommandOutput, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { ENV } from '#config/names';
import { envGetter } from '#config/env';

/**
 * One client per process. The endpoint comes from the environment (AWS_ENDPOINT_URL_DYNAMODB locally), never from code.
 */
export const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});

export const tableName = envGetter(ENV.tableName);

type Item = Record<string, unknown>;

/** Every item a query matches, following LastEvaluatedKey page after page. */
export async function queryAll(input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): Promise<Item[]> {
  const items: Item[] = [];
  let after: Item | undefined;
  do {
    const page = await documentClient.send(new QueryCommand({ ...input, ...(after ? { ExclusiveStartKey: after } : {}) }));
    items.push(...(page.Items ?? []));
    after = page.LastEvaluatedKey;
  } while (after);
  return items;
}

/** Reads the keys of this table 100 at a time, retrying unprocessed keys with a short backoff. */
export async function batchGetAll(keyList: Item[], options: { consistentRead?: boolean; projection?: string } = {}): Promise<Item[]> {
  const items: Item[] = [];
  for (let i = 0; i < keyList.length; i += 100) {
    let request: BatchGetCommandInput['RequestItems'] | undefined = {
      [tableName()]: {
        Keys: keyList.slice(i, i + 100),
        ...(options.consistentRead ? { ConsistentRead: true } : {}),
        ...(options.projection ? { ProjectionExpression: options.projection } : {}),
      },
    };
    for (let attempt = 0; request && Object.keys(request).length; attempt++) {
      if (attempt) await new Promise((resolve) => setTimeout(resolve, Math.min(500, 10 * 2 ** attempt)));
      const result: BatchGetCommandOutput = await documentClient.send(new BatchGetCommand({ RequestItems: request }));
      items.push(...(result.Responses?.[tableName()] ?? []));
      request = result.UnprocessedKeys;
    }
  }
  return items;
}
