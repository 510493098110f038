import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { executionSteps, MAX_EVENTS } from './execution-history.ts';
import {
  eventOfLogLine,
  executionLogFilterPattern,
  executionLogWindows,
  executionNameOf,
  isExecutionOf,
  isExpressExecutionArn,
  isWholeRun,
  loggedExecution,
} from './express-log-history.ts';

const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:OrderFulfillmentE1A2B3C4-x9Yz';
const ARN = 'arn:aws:states:us-east-1:123456789012:express:OrderFulfillmentE1A2B3C4-x9Yz:o_01JDQ7-2:5b0f5a52-6c1e-4a39-9a2e-2b1d1f3c7e90';
const OTHER = 'arn:aws:states:us-east-1:123456789012:express:OrderFulfillmentE1A2B3C4-x9Yz:o_01JDQ7-2:0d8c4b1e-1111-4f00-8000-aaaaaaaaaaaa';
const T0 = Date.UTC(2026, 11, 3, 12, 0, 0, 0);
const iso = (ms: number) => new Date(T0 + ms).toISOString();

/** A log line as Step Functions writes it to the log group (strings for ids and epoch milliseconds). */
function line(id: number, type: string, ms: number, details: Record<string, unknown> = {}, arn = ARN): string {
  return JSON.stringify({ id: String(id), type, details, previous_event_id: String(id - 1), event_timestamp: String(T0 + ms), execution_arn: arn, redrive_count: '0' });
}

const lambdaCause = JSON.stringify({ errorType: 'UnroutableDestinationError', errorMessage: 'No carrier service can ship 5000 lb', trace: ['UnroutableDestinationError: No carrier service', '    at decide (/var/task/index.mjs:1:4242)'] });

/** A fulfilment run whose Fulfil step fails, is caught, marks the order FAILED and ends in the Fail state. */
const failedRun = [
  line(1, 'ExecutionStarted', 0, { roleArn: 'arn:aws:iam::123456789012:role/OrderFulfillmentRole' }),
  line(2, 'ChoiceStateEntered', 1, { name: 'Begin' }),
  line(3, 'ChoiceStateExited', 1, { name: 'Begin' }),
  line(4, 'PassStateEntered', 2, { name: 'FromStart' }),
  line(5, 'PassStateExited', 2, { name: 'FromStart' }),
  line(6, 'TaskStateEntered', 3, { name: 'Fulfil' }),
  line(7, 'TaskScheduled', 3, { resourceType: 'lambda', resource: 'invoke', region: 'us-east-1' }),
  line(8, 'TaskStarted', 4, { resourceType: 'lambda', resource: 'invoke' }),
  line(9, 'TaskFailed', 180, { resourceType: 'lambda', resource: 'invoke', error: 'UnroutableDestinationError', cause: lambdaCause }),
  line(10, 'TaskStateExited', 181, { name: 'Fulfil' }),
  line(11, 'TaskStateEntered', 181, { name: 'MarkFailed' }),
  line(12, 'TaskScheduled', 182, { resourceType: 'lambda', resource: 'invoke', region: 'us-east-1' }),
  line(13, 'TaskStarted', 183, { resourceType: 'lambda', resource: 'invoke' }),
  line(14, 'TaskSucceeded', 240, { resourceType: 'lambda', resource: 'invoke' }),
  line(15, 'TaskStateExited', 241, { name: 'MarkFailed' }),
  line(16, 'TaskStateEntered', 241, { name: 'RecordFailure' }),
  line(17, 'TaskScheduled', 242, { resourceType: 'sqs', resource: 'sendMessage', region: 'us-east-1' }),
  line(18, 'TaskStarted', 243, { resourceType: 'sqs', resource: 'sendMessage' }),
  line(19, 'TaskSucceeded', 270, { resourceType: 'sqs', resource: 'sendMessage' }),
  line(20, 'TaskStateExited', 271, { name: 'RecordFailure' }),
  line(21, 'FailStateEntered', 271, { name: 'FulfillmentFailed' }),
  line(22, 'ExecutionFailed', 272, { error: 'OrderFailed', cause: 'Order o_01JDQ7 could not be fulfilled: see the order' }),
];

const succeededRun = [
  line(1, 'ExecutionStarted', 0, {}),
  line(2, 'TaskStateEntered', 3, { name: 'Fulfil' }),
  line(3, 'TaskScheduled', 3, { resourceType: 'lambda', resource: 'invoke' }),
  line(4, 'TaskFailed', 50, { resourceType: 'lambda', resource: 'invoke', error: 'Lambda.TooManyRequestsException', cause: 'Rate exceeded' }),
  line(5, 'TaskScheduled', 1050, { resourceType: 'lambda', resource: 'invoke' }),
  line(6, 'TaskSucceeded', 1100, { resourceType: 'lambda', resource: 'invoke' }),
  line(7, 'TaskStateExited', 1101, { name: 'Fulfil' }),
  line(8, 'SucceedStateEntered', 1102, { name: 'Done' }),
  line(9, 'SucceedStateExited', 1102, { name: 'Done' }),
  line(10, 'ExecutionSucceeded', 1103, {}),
];

const now = new Date(T0 + 3_600_000);

describe('loggedExecution', () => {
  it('tells a failed run as DescribeExecution and GetExecutionHistory would: status, dates, error and concise cause', () => {
    const run = loggedExecution(ARN, failedRun, now)!;
    expect(run).toMatchObject({
      name: 'o_01JDQ7-2',
      status: 'FAILED',
      startDate: iso(0),
      stopDate: iso(272),
      error: 'OrderFailed',
      cause: 'Order o_01JDQ7 could not be fulfilled: see the order',
    });
    expect(run.events).toHaveLength(22);
    expect(run.events[8]).toEqual({ id: 9, previousEventId: 8, type: 'TaskFailed', timestamp: iso(180), error: 'UnroutableDestinationError', cause: 'UnroutableDestinationError: No carrier service can ship 5000 lb' });
    expect(run).not.toHaveProperty('incomplete');
  });

  it('gives the steps the console shows: the caught Fulfil, the failure path and the Fail state', () => {
    const steps = executionSteps(loggedExecution(ARN, failedRun, now)!.events);
    expect(steps.map((s) => [s.state, s.kind, s.status, s.durationMs])).toEqual([
      ['Begin', 'Choice', 'SUCCEEDED', 0],
      ['FromStart', 'Pass', 'SUCCEEDED', 0],
      ['Fulfil', 'Task', 'CAUGHT', 178],
      ['MarkFailed', 'Task', 'SUCCEEDED', 60],
      ['RecordFailure', 'Task', 'SUCCEEDED', 30],
      ['FulfillmentFailed', 'Fail', 'FAILED', 1],
    ]);
    expect(steps[2]!.cause).toBe('UnroutableDestinationError: No carrier service can ship 5000 lb');
  });

  it('orders lines by event id whatever order the log streams gave them in, and keeps one of each id', () => {
    const shuffled = [...failedRun].reverse();
    const twice = [...failedRun.slice(10), ...failedRun, ...failedRun.slice(0, 5)];
    expect(loggedExecution(ARN, shuffled, now)).toEqual(loggedExecution(ARN, failedRun, now));
    expect(loggedExecution(ARN, twice, now)).toEqual(loggedExecution(ARN, failedRun, now));
    expect(loggedExecution(ARN, shuffled, now)!.events.map((e) => e.id)).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
  });

  it('counts a retried task once with its retry, the throttling forgotten once it succeeded', () => {
    const run = loggedExecution(ARN, succeededRun, now)!;
    expect(run).toMatchObject({ status: 'SUCCEEDED', startDate: iso(0), stopDate: iso(1103) });
    expect(run).not.toHaveProperty('error');
    expect(executionSteps(run.events)[0]).toMatchObject({ state: 'Fulfil', status: 'SUCCEEDED', retries: 1 });
  });

  it('never carries a line\'s input or output, even if execution data were logged', () => {
    const withData = [
      line(1, 'ExecutionStarted', 0, { input: '{"customer":{"email":"ada@example.com"}}', inputDetails: { truncated: false } }),
      line(2, 'TaskStateExited', 5, { name: 'Fulfil', output: '{"address":"1 Secret Lane"}', outputDetails: { truncated: false } }),
      line(3, 'ExecutionSucceeded', 6, { output: '{"address":"1 Secret Lane"}' }),
    ];
    const text = JSON.stringify(loggedExecution(ARN, withData, now));
    expect(text).not.toContain('ada@example.com');
    expect(text).not.toContain('Secret Lane');
  });

  it('ignores other runs\' lines (another run of the same name), lines that are not JSON and malformed events', () => {
    const noise = [
      line(23, 'ExecutionStarted', 0, {}, OTHER),
      'START RequestId: 1234',
      '[1,2,3]',
      JSON.stringify({ id: 'x', type: 'TaskStateEntered', event_timestamp: String(T0), execution_arn: ARN }),
      JSON.stringify({ id: '0', type: 'TaskStateEntered', event_timestamp: String(T0), execution_arn: ARN }),
      JSON.stringify({ id: '30', type: 'TaskStateEntered', event_timestamp: 'later', execution_arn: ARN }),
      JSON.stringify({ id: '31', event_timestamp: String(T0), execution_arn: ARN }),
    ];
    expect(loggedExecution(ARN, [...noise, ...failedRun], now)).toEqual(loggedExecution(ARN, failedRun, now));
    expect(loggedExecution(ARN, noise, now)).toBeUndefined();
    expect(loggedExecution(ARN, [], now)).toBeUndefined();
  });

  it('cuts the list at MAX_EVENTS but still takes the status from the terminal event past the cut', () => {
    const lines = [line(1, 'ExecutionStarted', 0)];
    for (let id = 2; id < 1200; id += 2) {
      lines.push(line(id, 'TaskStateEntered', id, { name: 'ReserveAndConfirm' }), line(id + 1, 'TaskStateExited', id + 1, { name: 'ReserveAndConfirm' }));
    }
    lines.push(line(1200, 'ExecutionSucceeded', 1200));
    const run = loggedExecution(ARN, lines, now)!;
    expect(run.events).toHaveLength(MAX_EVENTS);
    expect(run.events.at(-1)!.id).toBe(MAX_EVENTS);
    expect(run).toMatchObject({ status: 'SUCCEEDED', stopDate: iso(1200), incomplete: `Only the first ${MAX_EVENTS} of 1200 events are listed` });
  });

  it('keeps exactly MAX_EVENTS events whole', () => {
    const lines = Array.from({ length: MAX_EVENTS - 1 }, (_, i) => line(i + 1, i === 0 ? 'ExecutionStarted' : 'PassStateEntered', i, { name: 'FromStart' }));
    lines.push(line(MAX_EVENTS, 'ExecutionSucceeded', MAX_EVENTS));
    const run = loggedExecution(ARN, lines, now)!;
    expect(run.events).toHaveLength(MAX_EVENTS);
    expect(run).not.toHaveProperty('incomplete');
  });

  it('says how many lines are missing, and calls a run without its end RUNNING for five minutes, UNKNOWN after', () => {
    const partial = failedRun.filter((_, i) => i !== 4 && i !== 5 && i < 15);
    expect(loggedExecution(ARN, partial, new Date(T0 + 60_000))).toMatchObject({ status: 'RUNNING', incomplete: '2 event(s) of this run are not in the log group (CloudWatch Logs delivery is best effort)' });
    const late = loggedExecution(ARN, partial, new Date(T0 + 5 * 60_000))!;
    expect(late.status).toBe('UNKNOWN');
    expect(late).not.toHaveProperty('stopDate');
  });

  it('dates a run whose ExecutionStarted line is missing from its first event', () => {
    expect(loggedExecution(ARN, failedRun.slice(3), now)).toMatchObject({ startDate: iso(2), status: 'FAILED', incomplete: '3 event(s) of this run are not in the log group (CloudWatch Logs delivery is best effort)' });
  });

  it('maps every terminal event to DescribeExecution\'s status', () => {
    for (const [type, status] of [['ExecutionAborted', 'ABORTED'], ['ExecutionTimedOut', 'TIMED_OUT'], ['ExecutionSucceeded', 'SUCCEEDED'], ['ExecutionFailed', 'FAILED']] as const) {
      expect(loggedExecution(ARN, [line(1, 'ExecutionStarted', 0), line(2, type, 300_000, { error: 'States.Timeout' })], now)!.status).toBe(status);
    }
  });

  it('is the same run however its lines are shuffled and repeated (property)', () => {
    const expected = loggedExecution(ARN, failedRun, now);
    fc.assert(
      fc.property(fc.shuffledSubarray(failedRun, { minLength: failedRun.length, maxLength: failedRun.length }), fc.array(fc.constantFrom(...failedRun), { maxLength: 30 }), (shuffled, repeats) => {
        expect(loggedExecution(ARN, [...shuffled, ...repeats], now)).toEqual(expected);
      }),
    );
  });
});

describe('eventOfLogLine', () => {
  it('reads ids and epoch milliseconds written as strings, and names from details', () => {
    expect(eventOfLogLine(line(6, 'TaskStateEntered', 3, { name: 'Fulfil' }), ARN)).toEqual({ id: 6, previousEventId: 5, type: 'TaskStateEntered', timestamp: iso(3), stateName: 'Fulfil' });
  });
});

describe('isWholeRun', () => {
  it('is true once every event from the start to the end has been read, whatever the order', () => {
    expect(isWholeRun(ARN, [...failedRun].reverse())).toBe(true);
    expect(isWholeRun(ARN, failedRun.slice(0, -1))).toBe(false);
    expect(isWholeRun(ARN, failedRun.slice(1))).toBe(false);
    expect(isWholeRun(ARN, failedRun.filter((_, i) => i !== 10))).toBe(false);
    expect(isWholeRun(OTHER, failedRun)).toBe(false);
  });
});

describe('ARNs, filter pattern and windows', () => {
  it('names the run and the machine it belongs to', () => {
    expect(executionNameOf(ARN)).toBe('o_01JDQ7-2');
    expect(isExpressExecutionArn(ARN)).toBe(true);
    expect(isExpressExecutionArn('arn:aws:states:us-east-1:123456789012:execution:TenantOnboarding:t_1')).toBe(false);
    expect(isExecutionOf(ARN, MACHINE)).toBe(true);
    expect(isExecutionOf(ARN, 'arn:aws:states:us-east-1:123456789012:stateMachine:OrderFulfillmentE1A2B3C4')).toBe(false);
    expect(isExecutionOf(ARN, MACHINE.replace('123456789012', '210987654321'))).toBe(false);
    expect(isExecutionOf(ARN.replace(':express:', ':execution:'), MACHINE)).toBe(false);
  });

  it('matches one run\'s execution_arn exactly, and refuses an ARN that could break out of the quotes', () => {
    expect(executionLogFilterPattern(ARN)).toBe(`{ $.execution_arn = "${ARN}" }`);
    expect(() => executionLogFilterPattern(`${ARN}" || $.id = "1`)).toThrow(/Not an Express execution ARN/);
    expect(() => executionLogFilterPattern(ARN.replace('o_01JDQ7-2', 'o_1\\x'))).toThrow();
  });

  it('looks a minute around the recorded moment first, then across the five minutes a run may last either side', () => {
    const at = iso(0);
    expect(executionLogWindows(at, now)).toEqual([
      { startTime: T0 - 60_000, endTime: T0 + 60_000 },
      { startTime: T0 - 360_000, endTime: T0 + 360_000 },
    ]);
    expect(executionLogWindows(at, new Date(T0 + 1_000))[1]!.endTime).toBe(T0 + 61_000);
    expect(executionLogWindows('not a date', now)).toEqual([]);
  });
});
