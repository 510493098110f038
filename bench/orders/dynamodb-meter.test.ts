import { describe, expect, it } from 'vitest';
import { marshall } from '@aws-sdk/util-dynamodb';
import { randomBytes } from 'node:crypto';
import { callingFunction, functionOfStack, writeUnits, writtenItems } from './dynamodb-meter.ts';

const wire = (item: Record<string, unknown>) => marshall(item);

describe('the bench meter of DynamoDB write units', () => {
  it('bills a binary attribute by its bytes, not its JSON form', () => {
    // 1,500 bytes of deflated body: 2 KB with keys, so 2 units, x2 in a transaction. Its JSON form would be ~6 KB.
    const body = new Uint8Array(randomBytes(1500));
    const item = wire({ pk: 't#DECISIONS#2026-12-03#1', sk: '2026-12-03T00:00:00.000Z#o_1#1', entity: 'RoutingDecisionRecord', body });
    expect(writeUnits('PutItemCommand', { Item: item })).toBe(2);
    expect(writeUnits('TransactWriteItemsCommand', { TransactItems: [{ Put: { Item: item } }] })).toBe(4);
  });

  it('counts each item of a transaction by kind, summing to the command total', () => {
    const order = wire({ pk: 't#ORDER#o_1', sk: 'ORDER', entity: 'Order', note: 'x'.repeat(1500) });
    const input = {
      TransactItems: [
        { Put: { Item: order } },
        { Update: { Key: wire({ pk: 't#STOCK#SKU-1', sk: 'LOCATION#L1' }) } },
        { ConditionCheck: { Key: wire({ pk: 't#ORDER#o_1', sk: 'GUARD' }) } },
      ],
    };
    const items = writtenItems('TransactWriteItemsCommand', input);
    expect(items).toEqual([
      ['TransactWrite Put Order', 4],
      ['TransactWrite Update STOCK/LOCATION', 2],
      ['TransactWrite ConditionCheck ORDER/GUARD', 2],
    ]);
    expect(items.reduce((n, [, u]) => n + u, 0)).toBe(writeUnits('TransactWriteItemsCommand', input));
  });
});

describe('the bench meter telling calls by function', () => {
  it('names the innermost handler on the stack, async frames included, and (none) outside any handler', () => {
    const stack = [
      'Error',
      '    at meter (file:///work/main/bench/orders/dynamodb-meter.ts:190:7)',
      '    at async commit (file:///work/main/shared/adapters/dynamodb/order-store.ts:80:5)',
      '    at async Object.handler (file:///work/main/functions/plan-fulfillment/handler.ts:40:12)',
      '    at async invoke (file:///work/main/infra/local/lambda/lambda-runtime.ts:10:1)',
      '    at async Object.handler (file:///work/main/functions/place-order/handler.ts:22:3)',
    ].join('\n');
    expect(functionOfStack(stack)).toBe('planFulfillment');
    expect(functionOfStack(stack.replace('plan-fulfillment', 'no-such-function'))).toBe('(none)');
    expect(callingFunction()).toBe('(none)');
  });
});
