// Conformance: concurrent writers are serialised per item, so conditions protect invariants (no oversell), and the
// stream holds exactly the committed changes.
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTable, readStream, startHarness, type Harness } from './test-support.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const available = async (table: string, pk: string) =>
  (await h.doc.send(new GetCommand({ TableName: table, Key: { pk, sk: 'STOCK' } }))).Item?.available as number;

describe('concurrent writers', () => {
  it('let exactly 50 of 200 conditional decrements succeed on an item starting at 50', async () => {
    const { name } = await createTable(h.ddb);
    await h.doc.send(new PutCommand({ TableName: name, Item: { pk: 'SKU', sk: 'STOCK', available: 50 } }));

    const results = await Promise.allSettled(
      Array.from({ length: 200 }, () =>
        h.doc.send(
          new UpdateCommand({
            TableName: name,
            Key: { pk: 'SKU', sk: 'STOCK' },
            UpdateExpression: 'SET available = available - :one',
            ConditionExpression: 'available >= :one',
            ExpressionAttributeValues: { ':one': 1 },
          }),
        ),
      ),
    );

    const rejected = results.filter((r) => r.status === 'rejected');
    expect(results.length - rejected.length).toBe(50);
    expect(rejected.every((r) => r.reason instanceof ConditionalCheckFailedException)).toBe(true);
    expect(await available(name, 'SKU')).toBe(0);
  });

  it('never oversell with transactions over overlapping keys, and stream exactly the committed changes', async () => {
    const { name, streamArn } = await createTable(h.ddb, { streamViewType: 'NEW_AND_OLD_IMAGES' });
    const skus = ['A', 'B', 'C'];
    for (const sku of skus) await h.doc.send(new PutCommand({ TableName: name, Item: { pk: sku, sk: 'STOCK', available: 20 } }));
    // Each reservation takes one unit of two different SKUs and records itself; 120 reservations want 240 units of 60.
    const reservations = Array.from({ length: 120 }, (_, i) => ({ id: `R${i}`, skus: [skus[i % 3]!, skus[(i + 1) % 3]!] }));

    const results = await Promise.allSettled(
      reservations.map(({ id, skus: pair }) =>
        h.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              ...pair.map((sku) => ({
                Update: {
                  TableName: name,
                  Key: { pk: sku, sk: 'STOCK' },
                  UpdateExpression: 'SET available = available - :one',
                  ConditionExpression: 'available >= :one',
                  ExpressionAttributeValues: { ':one': 1 },
                },
              })),
              { Put: { TableName: name, Item: { pk: id, sk: 'RESERVATION', skus: pair } } },
            ],
          }),
        ),
      ),
    );

    const committed = reservations.filter((_, i) => results[i]!.status === 'fulfilled');
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected.every((r) => r.reason instanceof TransactionCanceledException)).toBe(true);
    const remaining = await Promise.all(skus.map((sku) => available(name, sku)));
    for (const [i, sku] of skus.entries()) {
      const taken = committed.filter((r) => r.skus.includes(sku)).length;
      expect(remaining[i]).toBeGreaterThanOrEqual(0);
      expect(remaining[i]).toBe(20 - taken);
    }
    expect(committed.length).toBeGreaterThan(0);

    const records = (await readStream(h.streams, streamArn!)).slice(skus.length);
    const inserted = records.filter((r) => r.eventName === 'INSERT').map((r) => r.dynamodb!.Keys!.pk!.S).sort();
    expect(inserted).toEqual(committed.map((r) => r.id).sort());
    expect(records.filter((r) => r.eventName === 'MODIFY')).toHaveLength(committed.length * 2);
    // Old and new images chain per SKU: every decrement starts where the previous one ended.
    for (const sku of skus) {
      const modifies = records.filter((r) => r.eventName === 'MODIFY' && r.dynamodb!.Keys!.pk!.S === sku);
      modifies.forEach((r, i) => {
        expect(Number(r.dynamodb!.OldImage!.available!.N)).toBe(20 - i);
        expect(Number(r.dynamodb!.NewImage!.available!.N)).toBe(19 - i);
      });
    }
  });
});
