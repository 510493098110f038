import { describe, expect, it } from 'vitest';
import { decideFailure, MAX_RECORDED_RUNS, recordRun } from './attempts.ts';
import { decidePlanStart } from './planning.ts';
import { anOrder, FIXED_TIME } from './test-fixtures.ts';

const RUN = (n: number) => `arn:aws:states:us-east-1:000000000000:express:orderFulfillment:o_01abc-${n}:uuid-${n}`;

describe('the runs an order records (for the ops console)', () => {
  it('records the run that takes an attempt, once, and keeps the newest MAX_RECORDED_RUNS', () => {
    const order = anOrder();
    expect(recordRun(order, 1, undefined, FIXED_TIME)).toBe(order);
    const once = recordRun(order, 1, RUN(1), FIXED_TIME);
    expect(once.runs).toEqual([{ attempt: 1, execution: RUN(1), at: FIXED_TIME.toISOString() }]);
    expect(recordRun(once, 1, RUN(1), FIXED_TIME)).toBe(once);
    let many = order;
    for (let i = 1; i <= MAX_RECORDED_RUNS + 3; i++) many = recordRun(many, i, RUN(i), FIXED_TIME);
    expect(many.runs).toHaveLength(MAX_RECORDED_RUNS);
    expect(many.runs![0]!.execution).toBe(RUN(4));
  });

  it('is written by the plan step that takes the attempt, and by the failure of a run that never took it', () => {
    const start = decidePlanStart(anOrder(), 1, FIXED_TIME, RUN(1));
    expect(start.kind === 'continue' && start.change?.order.runs).toEqual([{ attempt: 1, execution: RUN(1), at: FIXED_TIME.toISOString() }]);
    const failed = decideFailure(anOrder(), 1, 'no carrier', FIXED_TIME, RUN(1));
    expect(failed.kind === 'fail' && failed.change.order.runs?.map((r) => r.execution)).toEqual([RUN(1)]);
  });
});
