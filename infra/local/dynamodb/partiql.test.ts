// The PartiQL subset's translation into item requests (pure: no server).
import { describe, expect, it } from 'vitest';
import { parseStatement, toItemRequest } from './partiql.ts';

const KEY = ['pk', 'sk'];
const translate = (statement: string, parameters: unknown[] = []) => toItemRequest(parseStatement(statement), parameters, KEY);

describe('PartiQL statements become item requests', () => {
  it('an UPDATE with nested paths, REMOVE and guards: names and values as placeholders, the key taken out of WHERE', () => {
    const { operation, request } = translate(
      `UPDATE "t" SET "locations"."DC-1" = ?, total = 3 REMOVE "locations"."DC-2" WHERE sk = 'S' AND "pk" = ? AND "version" = ? AND note IS MISSING`,
      [{ M: { n: { N: '1' } } }, { S: 'P' }, { N: '7' }],
    );

    expect(operation).toBe('UpdateItem');
    expect(request).toEqual({
      TableName: 't',
      Key: { sk: { S: 'S' }, pk: { S: 'P' } },
      UpdateExpression: 'SET #n2.#n3 = :v1, #n4 = :v2 REMOVE #n2.#n5',
      ConditionExpression: 'attribute_exists(#n6) AND #n0 = :v0 AND attribute_not_exists(#n1)',
      ExpressionAttributeNames: { '#n0': 'version', '#n1': 'note', '#n2': 'locations', '#n3': 'DC-1', '#n4': 'total', '#n5': 'DC-2', '#n6': 'pk' },
      ExpressionAttributeValues: { ':v0': { N: '7' }, ':v1': { M: { n: { N: '1' } } }, ':v2': { N: '3' } },
    });
  });

  it('an INSERT of a map literal with parameters, guarded against an existing item', () => {
    const { operation, request } = translate(`INSERT INTO "t" VALUE {'pk': ?, 'sk': 'S', 'on': TRUE, 'tags': ['a', 2], 'gone': NULL}`, [{ S: 'P' }]);

    expect(operation).toBe('PutItem');
    expect(request).toEqual({
      TableName: 't',
      Item: { pk: { S: 'P' }, sk: { S: 'S' }, on: { BOOL: true }, tags: { L: [{ S: 'a' }, { N: '2' }] }, gone: { NULL: true } },
      ConditionExpression: 'attribute_not_exists(#n0)',
      ExpressionAttributeNames: { '#n0': 'pk' },
    });
  });

  it('a SELECT by key, and a DELETE with or without guards', () => {
    expect(translate(`SELECT * FROM t WHERE pk = 'P' AND sk = 'S'`)).toEqual({ operation: 'GetItem', request: { TableName: 't', Key: { pk: { S: 'P' }, sk: { S: 'S' } } } });
    expect(translate(`DELETE FROM t WHERE pk = 'P' AND sk = 'S'`).request.ConditionExpression).toBeUndefined();
    expect(translate(`DELETE FROM t WHERE pk = 'P' AND sk = 'S' AND n >= 2`).request.ConditionExpression).toBe('#n0 >= :v0');
  });

  it('quoted identifiers and strings keep their doubled quotes as one', () => {
    const { request } = translate(`UPDATE "my""table" SET "it""s" = 'O''Brien' WHERE pk = 'P' AND sk = 'S'`);

    expect(request.TableName).toBe('my"table');
    expect(request.ExpressionAttributeNames).toMatchObject({ '#n0': 'it"s' });
    expect(request.ExpressionAttributeValues).toEqual({ ':v0': { S: "O'Brien" } });
  });

  it.each([
    ['SELECT of some attributes', `SELECT a FROM t WHERE pk = 'P' AND sk = 'S'`],
    ['an unknown verb', `UPSERT INTO t VALUE {'pk': 'P'}`],
    ['a RETURNING clause', `UPDATE t SET a = 1 WHERE pk = 'P' AND sk = 'S' RETURNING ALL NEW *`],
    ['an INSERT of a non-map', `INSERT INTO t VALUE 'x'`],
    ['an operator outside the subset', `DELETE FROM t WHERE pk = 'P' AND sk = 'S' AND a BETWEEN 1 AND 2`],
  ])('refuses %s', (_case, statement) => {
    expect(() => translate(statement)).toThrow(/Statement not supported by the local DynamoDB|wasn't well formed/);
  });
});
