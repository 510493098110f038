// Conformance of the expression memo: a remembered parse gets each request's own values, and what depends on the
// values (their format, BETWEEN bounds, attribute_type names) is still checked every time.
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTable, startHarness, type Harness } from './test-support.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('a repeated expression', () => {
  it('applies each request its own values', async () => {
    const { name } = await createTable(h.ddb);
    await h.doc.send(new PutCommand({ TableName: name, Item: { pk: 'a', sk: 's', available: 10 } }));
    const take = (q: number, note: string) =>
      h.doc.send(
        new UpdateCommand({
          TableName: name,
          Key: { pk: 'a', sk: 's' },
          UpdateExpression: 'SET available = available - :q, note = :note',
          ConditionExpression: 'available >= :q',
          ExpressionAttributeValues: { ':q': q, ':note': note },
        }),
      );

    await take(3, 'first');
    await take(5, 'second');
    const refused = await take(4, 'third').catch((error: Error) => error.name);
    const { Item } = await h.doc.send(new GetCommand({ TableName: name, Key: { pk: 'a', sk: 's' } }));

    expect(refused).toBe('ConditionalCheckFailedException');
    expect(Item).toMatchObject({ available: 2, note: 'second' });
  });

  it('still rejects a malformed number in its values', async () => {
    const { name } = await createTable(h.ddb);
    const raw = (n: string) =>
      h.ddb.send(new UpdateItemCommand({ TableName: name, Key: { pk: { S: 'b' }, sk: { S: 's' } }, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': { N: n } } }));

    await raw('1');
    const error = await raw('not-a-number').catch((e: Error) => e);

    expect((error as Error).name).toBe('ValidationException');
    expect((error as Error).message).toContain('ExpressionAttributeValues contains invalid value');
  });

  it('checks BETWEEN bounds of every request, not only the first', async () => {
    const { name } = await createTable(h.ddb);
    await h.doc.send(new PutCommand({ TableName: name, Item: { pk: 'c', sk: 's', n: 5 } }));
    const between = (lo: number, hi: number) =>
      h.doc.send(
        new UpdateCommand({
          TableName: name,
          Key: { pk: 'c', sk: 's' },
          UpdateExpression: 'SET seen = :t',
          ConditionExpression: 'n BETWEEN :lo AND :hi',
          ExpressionAttributeValues: { ':lo': lo, ':hi': hi, ':t': true },
        }),
      );

    await between(1, 9);
    const error = await between(9, 1).catch((e: Error) => e);

    expect((error as Error).name).toBe('ValidationException');
    expect((error as Error).message).toContain('upper bound to be greater than or equal to lower bound');
  });
});
