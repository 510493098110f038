import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENV } from '#config/names';
import { envGetter } from '#config/env';

/**
 * One client per process. The endpoint comes from the environment (AWS_ENDPOINT_URL_DYNAMODB locally), never from code.
 */
export const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});

export const tableName = envGetter(ENV.tableName);
