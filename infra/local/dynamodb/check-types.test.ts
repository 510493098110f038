import { describe, expect, it } from 'vitest';
import { checkTypes } from './check-types.ts';
import { actionValidations, dynaliteValidations, OPERATIONS, type DynaliteOperation } from './dynalite.ts';

/** What a checker makes of a request: its result, or the error it throws (message, status and body). */
function outcome(check: typeof checkTypes, data: unknown, types: Record<string, unknown>) {
  try {
    return { result: check(structuredClone(data) as Record<string, unknown>, types as never) };
  } catch (error) {
    const e = error as Error & { statusCode?: number; body?: unknown };
    return { error: e.message, statusCode: e.statusCode, body: e.body };
  }
}

const item = {
  pk: { S: 't#ORDER#1' },
  n: { N: '12.50' },
  b: { B: 'aGVsbG8=' },
  flag: { BOOL: true },
  none: { NULL: true },
  tags: { SS: ['a', 'b'] },
  nums: { NS: ['1', '2.5'] },
  blobs: { BS: ['aGk='] },
  list: { L: [{ S: 'x' }, { M: { deep: { L: [{ N: '1' }, { NULL: true }] } } }] },
  map: { M: { a: { S: 'y' }, b: { BOOL: false } } },
};

// Requests for each kind of value and each way of getting a type wrong, all run through both checkers.
const cases: Array<[DynaliteOperation, unknown]> = [
  ['PutItem', { TableName: 't', Item: item, ConditionExpression: 'attribute_not_exists(pk)', ReturnValues: 'ALL_OLD' }],
  ['PutItem', { TableName: 't', Item: item, Unknown: 'dropped', Expected: null }],
  ['PutItem', { TableName: 't', Item: { pk: { S: 1 } } }],
  ['PutItem', { TableName: 't', Item: { pk: { S: 1.5 } } }],
  ['PutItem', { TableName: 't', Item: { pk: { S: true } } }],
  ['PutItem', { TableName: 't', Item: { pk: { S: ['x'] } } }],
  ['PutItem', { TableName: 't', Item: { pk: { S: { x: 1 } } } }],
  ['PutItem', { TableName: 't', Item: { pk: 'plain' } }],
  ['PutItem', { TableName: 't', Item: { pk: ['x'] } }],
  ['PutItem', { TableName: 't', Item: ['x'] }],
  ['PutItem', { TableName: 't', Item: 'x' }],
  ['PutItem', { TableName: 't', Item: { pk: { BOOL: 'yes' }, a: { BOOL: 'No' }, b: { NULL: '1' } } }],
  ['PutItem', { TableName: 't', Item: { pk: { BOOL: 'maybe' } } }],
  ['PutItem', { TableName: 't', Item: { pk: { BOOL: 1 } } }],
  ['PutItem', { TableName: 't', Item: { pk: { BOOL: [] } } }],
  ['PutItem', { TableName: 't', Item: { pk: { B: 'abc' } } }],
  ['PutItem', { TableName: 't', Item: { pk: { B: 'ab=c' } } }],
  ['PutItem', { TableName: 't', Item: { pk: { B: 5 } } }],
  ['PutItem', { TableName: 't', Item: { pk: { B: [] } } }],
  ['PutItem', { TableName: 't', Item: { pk: { SS: 'x' } } }],
  ['PutItem', { TableName: 't', Item: { pk: { SS: { a: 'x' } } } }],
  ['PutItem', { TableName: 't', Item: { pk: { NS: [1] } } }],
  ['PutItem', { TableName: 't', Item: { pk: { L: [{ S: 2 }] } } }],
  ['PutItem', { TableName: 't', Item: { pk: { L: [['x']] } } }],
  ['PutItem', { TableName: 't', Item: { pk: { M: [] } } }],
  ['PutItem', { TableName: 't', Item: { pk: { M: { a: 'x' } } } }],
  ['PutItem', { TableName: 5, Item: item }],
  ['UpdateItem', { TableName: 't', Key: { pk: { S: 'a' } }, UpdateExpression: 'SET a = :a', ExpressionAttributeValues: { ':a': { N: '1' } }, ExpressionAttributeNames: { '#a': 'a' } }],
  ['UpdateItem', { TableName: 't', Key: { pk: { S: 'a' } }, ExpressionAttributeNames: { '#a': 5 } }],
  ['UpdateItem', { TableName: 't', Key: { pk: { S: 'a' } }, ExpressionAttributeNames: ['a'] }],
  ['UpdateItem', { TableName: 't', Key: { pk: { S: 'a' } }, AttributeUpdates: { a: { Action: 'PUT', Value: { S: 'x' } } } }],
  ['Query', { TableName: 't', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'x' } }, Limit: 10.7, ScanIndexForward: 'false', ConsistentRead: 'TRUE' }],
  ['Query', { TableName: 't', Limit: '10' }],
  ['Query', { TableName: 't', Limit: true }],
  ['Query', { TableName: 't', Limit: [] }],
  ['Query', { TableName: 't', ExclusiveStartKey: { pk: { S: 'x' } }, AttributesToGet: ['a', 'b'] }],
  ['BatchGetItem', { RequestItems: { t: { Keys: [{ pk: { S: 'a' } }, { pk: { S: 'b' } }], ConsistentRead: true, ProjectionExpression: 'a' } } }],
  ['BatchGetItem', { RequestItems: { t: { Keys: 'x' } } }],
  ['BatchGetItem', { RequestItems: [] }],
  ['BatchWriteItem', { RequestItems: { t: [{ PutRequest: { Item: item } }, { DeleteRequest: { Key: { pk: { S: 'a' } } } }] } }],
  ['BatchWriteItem', { RequestItems: { t: [{ PutRequest: 'x' }] } }],
  ['BatchWriteItem', { RequestItems: { t: 'x' } }],
  ['BatchWriteItem', { RequestItems: { t: { PutRequest: {} } } }],
  ['CreateTable', { TableName: 't', ProvisionedThroughput: 5 }],
  ['CreateTable', { TableName: 't', ProvisionedThroughput: [5] }],
  ['DeleteItem', { TableName: 't', Key: { pk: { S: 'a' } }, ConditionExpression: 'attribute_exists(pk)', ReturnValues: 'ALL_OLD' }],
  ['DeleteItem', { TableName: 't', Key: { pk: { S: 7 } } }],
  ['GetItem', { TableName: 't', Key: { pk: { S: 'a' } }, ConsistentRead: 'yes', ProjectionExpression: '#a', ExpressionAttributeNames: { '#a': 'a' } }],
  ['GetItem', { TableName: 't', Key: 'x' }],
  ['CreateTable', { TableName: 't', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], ProvisionedThroughput: { ReadCapacityUnits: 5.9, WriteCapacityUnits: 5 } }],
  ['CreateTable', { TableName: 't', ProvisionedThroughput: { ReadCapacityUnits: 'x' } }],
  ['Scan', { TableName: 't', Segment: 1, TotalSegments: 2, ScanFilter: { a: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'x' }] } } }],
];

describe('checkTypes: the same answers as dynalite', () => {
  it.each(cases.map(([op, data], i) => [`${i} ${op}`, op, data] as const))('%s', (_, op, data) => {
    const types = actionValidations[op].types;
    const ours = outcome(checkTypes, data, types);
    expect(ours).toEqual(outcome(dynaliteValidations.checkTypes as typeof checkTypes, data, types));
  });

  it('covers requests that pass and requests that fail', () => {
    const outcomes = cases.map(([op, data]) => outcome(checkTypes, data, actionValidations[op].types));
    expect(outcomes.filter((o) => 'result' in o).length).toBeGreaterThan(10);
    expect(outcomes.filter((o) => 'error' in o).length).toBeGreaterThan(20);
  });

  it('knows every operation dynalite validates', () => {
    const validated = OPERATIONS.filter((op) => actionValidations[op]);
    expect(validated.length).toBeGreaterThan(10);
    for (const op of validated) expect(() => checkTypes({}, actionValidations[op].types as never)).not.toThrow();
  });
});
