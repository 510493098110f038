import { describe, expect, it } from 'vitest';
import { anOrder } from '#domain/orders/test-fixtures';
import { NotFoundError } from '#application/errors';
import { orderExecutions, type ExecutionHistoryReader, type ExecutionLookup } from './executions.ts';

const RUN_1 = 'arn:aws:states:us-east-1:123456789012:express:OrderFulfillment:o_01abc-1:aaaaaaaa-0000-4000-8000-000000000001';
const RUN_2 = 'arn:aws:states:us-east-1:123456789012:express:OrderFulfillment:o_01abc-2:aaaaaaaa-0000-4000-8000-000000000002';

const order = anOrder({
  status: 'ALLOCATED',
  attempt: 2,
  execution: RUN_2,
  runs: [{ attempt: 1, execution: RUN_1, at: '2026-11-26T12:00:01.000Z' }, { attempt: 2, execution: RUN_2, at: '2026-11-26T12:07:00.000Z' }],
});
const orders = { get: async (tenantId: string, orderId: string) => (tenantId === order.tenantId && orderId === order.orderId ? { order, shipments: [] } : undefined) };

describe('orderExecutions', () => {
  it('asks for each recorded run with the moment the order recorded it (where a log search looks), and shows what each answer says', async () => {
    const asked: Array<[string, unknown]> = [];
    const answers: Record<string, ExecutionLookup> = {
      [RUN_1]: { found: false, reason: 'No log line of this Express run' },
      [RUN_2]: {
        found: true,
        execution: {
          executionArn: RUN_2, name: 'o_01abc-2', status: 'SUCCEEDED', startDate: '2026-11-26T12:06:59.900Z', stopDate: '2026-11-26T12:07:00.300Z',
          events: [{ id: 1, type: 'ExecutionStarted', timestamp: '2026-11-26T12:06:59.900Z' }, { id: 3, type: 'ExecutionSucceeded', timestamp: '2026-11-26T12:07:00.300Z' }],
          incomplete: '1 event(s) of this run are not in the log group (CloudWatch Logs delivery is best effort)',
        },
      },
    };
    const executions: ExecutionHistoryReader = { read: async (arn, run) => (asked.push([arn, run]), answers[arn]!) };
    const result = await orderExecutions({ orders, executions }, order.tenantId, order.orderId);
    expect(asked).toEqual([[RUN_1, { recordedAt: '2026-11-26T12:00:01.000Z' }], [RUN_2, { recordedAt: '2026-11-26T12:07:00.000Z' }]]);
    expect(result.executions[0]).toEqual({ attempt: 1, executionArn: RUN_1, recordedAt: '2026-11-26T12:00:01.000Z', status: 'UNKNOWN', unavailable: 'No log line of this Express run', steps: [], events: [] });
    expect(result.executions[1]).toMatchObject({ attempt: 2, status: 'SUCCEEDED', incomplete: '1 event(s) of this run are not in the log group (CloudWatch Logs delivery is best effort)' });
  });

  it('is a NotFoundError for another tenant\'s order, without asking for any history', async () => {
    const executions: ExecutionHistoryReader = { read: () => Promise.reject(new Error('not asked')) };
    await expect(orderExecutions({ orders, executions }, 't_other000000', order.orderId)).rejects.toBeInstanceOf(NotFoundError);
  });
});
