import { describe, expect, it } from 'vitest';
import { conciseCause, executionSteps, type ExecutionEvent } from './execution-history.ts';

let id = 0;
const at = (ms: number) => new Date(Date.UTC(2026, 11, 3, 12, 0, 0, ms)).toISOString();
const event = (type: string, ms: number, extra: Partial<ExecutionEvent> = {}): ExecutionEvent => ({ id: ++id, type, timestamp: at(ms), ...extra });

describe('executionSteps', () => {
  it('lists each state entered with its duration, in order', () => {
    const steps = executionSteps([
      event('ExecutionStarted', 0),
      event('PassStateEntered', 1, { stateName: 'FromStart' }),
      event('PassStateExited', 2, { stateName: 'FromStart' }),
      event('TaskStateEntered', 2, { stateName: 'Fulfil' }),
      event('TaskScheduled', 3),
      event('TaskSucceeded', 40),
      event('TaskStateExited', 41, { stateName: 'Fulfil' }),
      event('ExecutionSucceeded', 42),
    ]);
    expect(steps).toEqual([
      { state: 'FromStart', kind: 'Pass', enteredAt: at(1), exitedAt: at(2), durationMs: 1, status: 'SUCCEEDED', retries: 0 },
      { state: 'Fulfil', kind: 'Task', enteredAt: at(2), exitedAt: at(41), durationMs: 39, status: 'SUCCEEDED', retries: 0 },
    ]);
  });

  it('counts retries and forgets an error that a later attempt got past', () => {
    const [step] = executionSteps([
      event('TaskStateEntered', 0, { stateName: 'Fulfil' }),
      event('TaskScheduled', 1),
      event('TaskFailed', 2, { error: 'Lambda.TooManyRequestsException', cause: 'throttled' }),
      event('TaskScheduled', 10),
      event('TaskSucceeded', 20),
      event('TaskStateExited', 21, { stateName: 'Fulfil' }),
    ]);
    expect(step).toMatchObject({ state: 'Fulfil', status: 'SUCCEEDED', retries: 1 });
    expect(step).not.toHaveProperty('error');
  });

  it('marks a step whose error a Catch took as CAUGHT, and the state that ended the run as FAILED', () => {
    const steps = executionSteps([
      event('TaskStateEntered', 0, { stateName: 'Fulfil' }),
      event('TaskScheduled', 1),
      event('TaskFailed', 5, { error: 'UnroutableDestinationError', cause: 'No carrier service can ship 5000 lb' }),
      event('TaskStateExited', 6, { stateName: 'Fulfil' }),
      event('TaskStateEntered', 6, { stateName: 'MarkFailed' }),
      event('TaskStateExited', 9, { stateName: 'MarkFailed' }),
      event('FailStateEntered', 9, { stateName: 'Failed' }),
      event('ExecutionFailed', 10, { error: 'OrderFailed', cause: 'see the order' }),
    ]);
    expect(steps.map((s) => [s.state, s.status, s.error])).toEqual([
      ['Fulfil', 'CAUGHT', 'UnroutableDestinationError'],
      ['MarkFailed', 'SUCCEEDED', undefined],
      ['Failed', 'FAILED', 'OrderFailed'],
    ]);
  });

  it('leaves the state of a running execution RUNNING, and ignores events before the first state', () => {
    const steps = executionSteps([event('ExecutionStarted', 0), event('TaskStateEntered', 1, { stateName: 'Fulfil' }), event('TaskScheduled', 2)]);
    expect(steps).toEqual([{ state: 'Fulfil', kind: 'Task', enteredAt: at(1), status: 'RUNNING', retries: 0 }]);
    expect(executionSteps([])).toEqual([]);
  });
});

describe('conciseCause', () => {
  it('keeps a Lambda error\'s type and message, never its stack trace', () => {
    const cause = JSON.stringify({ errorMessage: 'No carrier service can ship 5000 lb', errorType: 'UnroutableDestinationError', trace: ['at /var/task/index.js:1:2'] });
    expect(conciseCause(cause)).toBe('UnroutableDestinationError: No carrier service can ship 5000 lb');
    expect(conciseCause(JSON.stringify({ errorMessage: 'boom' }))).toBe('boom');
  });

  it('keeps any other cause, cut at 1,000 characters', () => {
    expect(conciseCause('The order is FAILED')).toBe('The order is FAILED');
    expect(conciseCause('{"not":"lambda"}')).toBe('{"not":"lambda"}');
    expect(conciseCause('x'.repeat(1000))).toHaveLength(1000);
    expect(conciseCause('x'.repeat(1001))).toHaveLength(1000);
  });
});
