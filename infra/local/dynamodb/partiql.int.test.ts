// Conformance of the PartiQL subset (ExecuteStatement, BatchExecuteStatement) through the SDK's document client.
import { BatchExecuteStatementCommand, ExecuteStatementCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTable, startHarness, type Harness } from './test-support.ts';

let h: Harness;
let table: string;

beforeAll(async () => {
  h = await startHarness();
  table = (await createTable(h.ddb)).name;
});
afterAll(() => h.close());

const run = (Statement: string, Parameters?: unknown[]) => h.doc.send(new ExecuteStatementCommand({ Statement, Parameters }));
const errorOf = (promise: Promise<unknown>) => promise.then(() => undefined, (error: Error) => error);
const read = async (pk: string) => (await h.doc.send(new GetCommand({ TableName: table, Key: { pk, sk: 's' }, ConsistentRead: true }))).Item;

describe('ExecuteStatement', () => {
  it('inserts an item once and answers DuplicateItem the second time', async () => {
    const insert = () => run(`INSERT INTO "${table}" VALUE {'pk': ?, 'sk': 's', 'n': ?, 'tags': ['a', 'b'], 'on': TRUE}`, ['ins', 1]);

    await insert();
    const again = await errorOf(insert());

    expect(again?.name).toBe('DuplicateItemException');
    expect(await read('ins')).toEqual({ pk: 'ins', sk: 's', n: 1, tags: ['a', 'b'], on: true });
  });

  it('updates only while the WHERE conditions hold, and never creates an item', async () => {
    await run(`INSERT INTO "${table}" VALUE {'pk': 'upd', 'sk': 's', 'version': 1, 'note': 'old'}`);
    const update = (pk: string, expected: number) =>
      run(`UPDATE "${table}" SET "note" = ? SET "version" = ? REMOVE "gone" WHERE "pk" = ? AND "sk" = 's' AND "version" = ?`, ['new', expected + 1, pk, expected]);

    await update('upd', 1);
    const stale = await errorOf(update('upd', 1));
    const missing = await errorOf(update('nobody', 0));

    expect(stale?.name).toBe('ConditionalCheckFailedException');
    expect(missing?.name).toBe('ConditionalCheckFailedException');
    expect(await read('upd')).toEqual({ pk: 'upd', sk: 's', version: 2, note: 'new' });
    expect(await read('nobody')).toBeUndefined();
  });

  it('selects one item by its full key', async () => {
    await run(`INSERT INTO "${table}" VALUE {'pk': 'sel', 'sk': 's', 'm': {'x': 1}}`);

    const found = await h.doc.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "${table}" WHERE "sk" = ? AND "pk" = ?`, Parameters: ['s', 'sel'], ConsistentRead: true }));
    const none = await run(`SELECT * FROM "${table}" WHERE "pk" = 'absent' AND "sk" = 's'`);

    expect(found.Items).toEqual([{ pk: 'sel', sk: 's', m: { x: 1 } }]);
    expect(none.Items).toEqual([]);
  });

  it('deletes under a condition', async () => {
    await run(`INSERT INTO "${table}" VALUE {'pk': 'del', 'sk': 's', 'state': 'open'}`);

    const refused = await errorOf(run(`DELETE FROM "${table}" WHERE "pk" = 'del' AND "sk" = 's' AND "state" = 'closed'`));
    const kept = await read('del');
    await run(`DELETE FROM "${table}" WHERE "pk" = 'del' AND "sk" = 's' AND "state" IS NOT MISSING`);

    expect(refused?.name).toBe('ConditionalCheckFailedException');
    expect(kept).toBeDefined();
    expect(await read('del')).toBeUndefined();
  });

  it.each([
    ['a statement outside the subset', `SELECT pk FROM "T" WHERE "pk" = 'a'`, [], "expected '*'"],
    ['a WHERE without the whole key', `UPDATE "{table}" SET "a" = 1 WHERE "pk" = 'a'`, [], 'missing: sk'],
    ['too few parameters', `UPDATE "{table}" SET "a" = ? WHERE "pk" = ? AND "sk" = ?`, ['x'], "Number of parameters in request and statement don't match"],
    ['too many parameters', `DELETE FROM "{table}" WHERE "pk" = 'a' AND "sk" = 's'`, ['x'], "Number of parameters in request and statement don't match"],
    ['an unterminated string', `DELETE FROM "{table}" WHERE "pk" = 'a`, [], 'unterminated string'],
    ['trailing words', `DELETE FROM "{table}" WHERE "pk" = 'a' AND "sk" = 's' RETURNING ALL OLD *`, [], 'RETURNING'],
  ])('refuses %s with a ValidationException', async (_case, statement, parameters, message) => {
    const error = await errorOf(run(statement.replace('{table}', table), parameters));

    expect(error?.name).toBe('ValidationException');
    expect(error?.message).toContain(message);
  });
});

describe('BatchExecuteStatement', () => {
  it('answers each statement on its own: the ones that pass are written, the others say why', async () => {
    await run(`INSERT INTO "${table}" VALUE {'pk': 'b1', 'sk': 's', 'version': 1}`);
    await run(`INSERT INTO "${table}" VALUE {'pk': 'b2', 'sk': 's', 'version': 5}`);
    await run(`INSERT INTO "${table}" VALUE {'pk': 'b4', 'sk': 's', 'version': 7}`);
    const update = `UPDATE "${table}" SET "version" = ? WHERE "pk" = ? AND "sk" = 's' AND "version" = ?`;

    const { Responses } = await h.doc.send(
      new BatchExecuteStatementCommand({
        Statements: [
          { Statement: update, Parameters: [2, 'b1', 1] },
          { Statement: update, Parameters: [2, 'b2', 1], ReturnValuesOnConditionCheckFailure: 'ALL_OLD' },
          { Statement: `INSERT INTO "${table}" VALUE {'pk': ?, 'sk': 's', 'version': 1}`, Parameters: ['b4'] },
          { Statement: `INSERT INTO "${table}" VALUE {'pk': ?, 'sk': 's', 'version': 1}`, Parameters: ['b3'] },
          { Statement: `UPSERT INTO "${table}"` },
        ],
      }),
    );

    expect(Responses?.map((r) => r.Error?.Code ?? 'OK')).toEqual(['OK', 'ConditionalCheckFailed', 'DuplicateItem', 'OK', 'ValidationError']);
    expect(Responses?.[1]?.Error?.Item).toEqual({ pk: 'b2', sk: 's', version: 5 });
    expect(await read('b1')).toMatchObject({ version: 2 });
    expect(await read('b2')).toMatchObject({ version: 5 });
    expect(await read('b3')).toMatchObject({ version: 1 });
    expect(await read('b4')).toMatchObject({ version: 7 });
  });

  it('reads several items in one call', async () => {
    await run(`INSERT INTO "${table}" VALUE {'pk': 'r1', 'sk': 's'}`);
    const select = `SELECT * FROM "${table}" WHERE "pk" = ? AND "sk" = 's'`;

    const { Responses } = await h.doc.send(new BatchExecuteStatementCommand({ Statements: [{ Statement: select, Parameters: ['r1'] }, { Statement: select, Parameters: ['r-none'] }] }));

    expect(Responses?.map((r) => r.Item)).toEqual([{ pk: 'r1', sk: 's' }, undefined]);
  });

  it.each([
    ['no statements', []],
    ['26 statements', Array.from({ length: 26 }, (_, i) => ({ Statement: `DELETE FROM "T" WHERE "pk" = 'x${i}' AND "sk" = 's'` }))],
  ])('refuses %s', async (_case, Statements) => {
    const error = await errorOf(h.doc.send(new BatchExecuteStatementCommand({ Statements })));

    expect(error?.name).toBe('ValidationException');
  });

  it('refuses reads and writes mixed, and two writes of one item', async () => {
    const mixed = await errorOf(
      h.doc.send(
        new BatchExecuteStatementCommand({
          Statements: [{ Statement: `SELECT * FROM "${table}" WHERE "pk" = 'a' AND "sk" = 's'` }, { Statement: `DELETE FROM "${table}" WHERE "pk" = 'a' AND "sk" = 's'` }],
        }),
      ),
    );
    const twice = await errorOf(
      h.doc.send(
        new BatchExecuteStatementCommand({
          Statements: [{ Statement: `DELETE FROM "${table}" WHERE "pk" = 'a' AND "sk" = 's'` }, { Statement: `DELETE FROM "${table}" WHERE "sk" = 's' AND "pk" = 'a'` }],
        }),
      ),
    );

    expect(mixed?.message).toContain('all be reads or all be writes');
    expect(twice?.message).toContain('duplicates');
  });
});
