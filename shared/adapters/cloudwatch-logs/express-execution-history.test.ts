import { ResourceNotFoundException, ThrottlingException, type FilterLogEventsCommand, type FilterLogEventsCommandInput } from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
import type { ExecutionHistoryReader } from '#application/ops/executions';
import { expressExecutionHistory, expressLogGroupsFromEnvironment, MAX_CONCURRENT_SEARCHES, MAX_PAGES_PER_WINDOW, SEARCH_BUDGET_MS, type LogSearch } from './express-execution-history.ts';

const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:OrderFulfillmentA1B2C3';
const ARN = 'arn:aws:states:eu-west-1:123456789012:express:OrderFulfillmentA1B2C3:o_9-1:1f0e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
const GROUP = 'DomStateless-WorkflowsOrderFulfillmentLogsD1E2F3-AbCdEf';
const T0 = Date.UTC(2026, 11, 3, 9, 30, 0, 0);
const recordedAt = new Date(T0 + 40).toISOString();
const now = () => new Date(T0 + 86_400_000);

const line = (id: number, type: string, ms: number, details: Record<string, unknown> = {}) =>
  ({ message: JSON.stringify({ id: String(id), type, details, previous_event_id: String(id - 1), event_timestamp: String(T0 + ms), execution_arn: ARN, redrive_count: '0' }) });
const run = [
  line(1, 'ExecutionStarted', 0),
  line(2, 'TaskStateEntered', 2, { name: 'Fulfil' }),
  line(3, 'TaskScheduled', 2, { resourceType: 'lambda', resource: 'invoke' }),
  line(4, 'TaskSucceeded', 90, { resourceType: 'lambda', resource: 'invoke' }),
  line(5, 'TaskStateExited', 91, { name: 'Fulfil' }),
  line(6, 'ExecutionSucceeded', 92),
];

/** A fake of FilterLogEvents: answers each call from `pages`, and records what was asked. */
function fakeLogs(pages: (input: FilterLogEventsCommandInput, call: number) => { events?: Array<{ message: string }>; nextToken?: string }) {
  const calls: FilterLogEventsCommandInput[] = [];
  const logs: LogSearch = {
    async send(command: FilterLogEventsCommand) {
      calls.push(command.input);
      return pages(command.input, calls.length);
    },
  };
  return { logs, calls };
}

const unused: ExecutionHistoryReader = { read: () => Promise.reject(new Error('the fallback should not be asked')) };

describe('expressExecutionHistory', () => {
  it('reads a whole run from one page of its log group, filtered on its execution ARN around the recorded moment', async () => {
    const { logs, calls } = fakeLogs(() => ({ events: [...run].reverse(), nextToken: 'more' }));
    const reader = expressExecutionHistory({ logGroups: [{ stateMachineArn: MACHINE, logGroupName: GROUP }], fallback: unused, logs, now });
    const lookup = await reader.read(ARN, { recordedAt });
    expect(calls).toEqual([{ logGroupName: GROUP, filterPattern: `{ $.execution_arn = "${ARN}" }`, startTime: T0 + 40 - 60_000, endTime: T0 + 40 + 60_000 }]);
    expect(lookup).toMatchObject({ found: true, execution: { executionArn: ARN, name: 'o_9-1', status: 'SUCCEEDED', startDate: new Date(T0).toISOString(), stopDate: new Date(T0 + 92).toISOString() } });
    expect(lookup.found && lookup.execution.events.map((e) => e.type)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    expect(lookup.found && lookup.execution).not.toHaveProperty('incomplete');
  });

  it('follows next tokens until the lines are the whole run', async () => {
    const { logs, calls } = fakeLogs((_, call) => (call === 1 ? { events: run.slice(0, 2), nextToken: 't1' } : call === 2 ? { events: [], nextToken: 't2' } : { events: run.slice(2), nextToken: 't3' }));
    const reader = expressExecutionHistory({ logGroups: [{ stateMachineArn: MACHINE, logGroupName: GROUP }], fallback: unused, logs, now });
    const lookup = await reader.read(ARN, { recordedAt });
    expect(calls.map((c) => c.nextToken)).toEqual([undefined, 't1', 't2']);
    expect(lookup.found && lookup.execution.events).toHaveLength(6);
  });

  it('widens the search to the five minutes either side when the narrow window does not hold the whole run', async () => {
    const { logs, calls } = fakeLogs((input) => ({ events: input.startTime === T0 + 40 - 60_000 ? run.slice(1) : run }));
    const reader = expressExecutionHistory({ logGroups: [{ stateMachineArn: MACHINE, logGroupName: GROUP }], fallback: unused, logs, now });
    const lookup = await reader.read(ARN, { recordedAt });
    expect(calls.map((c) => [c.startTime, c.endTime])).toEqual([[T0 + 40 - 60_000, T0 + 40 + 60_000], [T0 + 40 - 360_000, T0 + 40 + 360_000]]);
    expect(lookup).toMatchObject({ found: true, execution: { status: 'SUCCEEDED' } });
  });

  it('reads at most MAX_PAGES_PER_WINDOW pages a window, and says where it looked when no line was found', async () => {
    const { logs, calls } = fakeLogs(() => ({ events: [], nextToken: 'endless' }));
    const reader = expressExecutionHistory({ logGroups: [{ stateMachineArn: MACHINE, logGroupName: GROUP }], fallback: unused, logs, now });
    const lookup = await reader.read(ARN, { recordedAt });
    expect(calls).toHaveLength(2 * MAX_PAGES_PER_WINDOW);
    expect(lookup).toEqual({ found: false, reason: `No log line of this Express run in ${GROUP} between ${new Date(T0 + 40 - 360_000).toISOString()} and ${new Date(T0 + 40 + 360_000).toISOString()} (lines are kept 3 months and arrive within seconds)` });
  });

  it('stops paging when its time is up, showing what it has or saying it ran out of time', async () => {
    let clock = T0 + 86_400_000;
    const later = () => new Date(clock);
    // Each page takes 2.5 s: the budget allows three requests (0, 2.5, 5 s), not a fourth at 7.5 s.
    const slow = fakeLogs((_, call) => ((clock += 2_500), { events: call === 1 ? run.slice(0, 2) : [], nextToken: 'more' }));
    const reader = expressExecutionHistory({ logGroups: [{ stateMachineArn: MACHINE, logGroupName: GROUP }], fallback: unused, logs: slow.logs, now: later });
    const lookup = await reader.read(ARN, { recordedAt });
    expect(slow.calls).toHaveLength(Math.ceil(SEARCH_BUDGET_MS / 2_500));
    expect(lookup).toMatchObject({ found: true, execution: { incomplete: 'The log search ran out of time: this run may have more events (reload the page)' } });
    const empty = fakeLogs(() => ((clock += 2_500), { events: [], nextToken: 'more' }));
    const nothing = expressExecutionHistory({ logGroups: [{ stateMachineArn: MACHINE, logGroupName: GROUP }], fallback: unused, logs: empty.logs, now: later });
    expect(await nothing.read(ARN, { recordedAt })).toEqual({ found: false, reason: 'The log search ran out of time (this order has many runs): reload the page to read this one' });
  });

  it('shows what it found of a run whose lines are partly missing, saying so', async () => {
    const { logs } = fakeLogs(() => ({ events: run.filter((_, i) => i !== 2) }));
    const reader = expressExecutionHistory({ logGroups: [{ stateMachineArn: MACHINE, logGroupName: GROUP }], fallback: unused, logs, now });
    const lookup = await reader.read(ARN, { recordedAt });
    expect(lookup).toMatchObject({ found: true, execution: { status: 'SUCCEEDED', incomplete: '1 event(s) of this run are not in the log group (CloudWatch Logs delivery is best effort)' } });
  });

  it('answers a missing log group and a search still throttled as unavailable, and lets any other error fail the request', async () => {
    const missing = fakeLogs(() => {
      throw new ResourceNotFoundException({ message: 'The specified log group does not exist.', $metadata: {} });
    });
    const reader = expressExecutionHistory({ logGroups: [{ stateMachineArn: MACHINE, logGroupName: GROUP }], fallback: unused, logs: missing.logs, now });
    expect(await reader.read(ARN, { recordedAt })).toEqual({ found: false, reason: `The log group ${GROUP} does not exist` });
    const throttled = fakeLogs(() => {
      throw new ThrottlingException({ message: 'Rate exceeded', $metadata: {} });
    });
    const busy = expressExecutionHistory({ logGroups: [{ stateMachineArn: MACHINE, logGroupName: GROUP }], fallback: unused, logs: throttled.logs, now });
    expect(await busy.read(ARN, { recordedAt })).toEqual({ found: false, reason: 'CloudWatch Logs is throttling log searches (FilterLogEvents quota): reload the page in a moment' });
    const denied = fakeLogs(() => {
      throw new Error('AccessDeniedException');
    });
    const refused = expressExecutionHistory({ logGroups: [{ stateMachineArn: MACHINE, logGroupName: GROUP }], fallback: unused, logs: denied.logs, now });
    await expect(refused.read(ARN, { recordedAt })).rejects.toThrow('AccessDeniedException');
  });

  it('leaves Standard runs, other machines\' runs and every run without a configured log group (the local cloud) to Step Functions', async () => {
    const asked: Array<[string, unknown]> = [];
    const fallback: ExecutionHistoryReader = { read: async (arn, seen) => (asked.push([arn, seen]), { found: false, reason: 'from Step Functions' }) };
    const { logs, calls } = fakeLogs(() => ({ events: run }));
    const standard = 'arn:aws:states:eu-west-1:123456789012:execution:TenantOnboardingX:t_1';
    const otherMachine = ARN.replace('OrderFulfillmentA1B2C3', 'SomethingElse');
    await expressExecutionHistory({ logGroups: [{ stateMachineArn: MACHINE, logGroupName: GROUP }], fallback, logs, now }).read(standard, { recordedAt });
    await expressExecutionHistory({ logGroups: [{ stateMachineArn: MACHINE, logGroupName: GROUP }], fallback, logs, now }).read(otherMachine, { recordedAt });
    await expressExecutionHistory({ logGroups: [], fallback, logs, now }).read(ARN, { recordedAt });
    expect(asked).toEqual([[standard, { recordedAt }], [otherMachine, { recordedAt }], [ARN, { recordedAt }]]);
    expect(calls).toEqual([]);
  });

  it('runs at most MAX_CONCURRENT_SEARCHES searches at once, and every one of them', async () => {
    let inFlight = 0;
    let most = 0;
    const logs: LogSearch = {
      async send() {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight -= 1;
        return { events: run };
      },
    };
    const reader = expressExecutionHistory({ logGroups: [{ stateMachineArn: MACHINE, logGroupName: GROUP }], fallback: unused, logs, now });
    const lookups = await Promise.all(Array.from({ length: 7 }, () => reader.read(ARN, { recordedAt })));
    expect(most).toBe(MAX_CONCURRENT_SEARCHES);
    expect(lookups.every((l) => l.found)).toBe(true);
  });
});

describe('expressLogGroupsFromEnvironment', () => {
  it('pairs a machine\'s ARN with its log group only when both are set (never on the local cloud)', () => {
    expect(expressLogGroupsFromEnvironment(['orderFulfillment'], { ORDER_FULFILLMENT_STATE_MACHINE_ARN: MACHINE, ORDER_FULFILLMENT_LOG_GROUP_NAME: GROUP })).toEqual([{ stateMachineArn: MACHINE, logGroupName: GROUP }]);
    expect(expressLogGroupsFromEnvironment(['orderFulfillment'], { ORDER_FULFILLMENT_STATE_MACHINE_ARN: MACHINE })).toEqual([]);
    expect(expressLogGroupsFromEnvironment(['orderFulfillment'], { ORDER_FULFILLMENT_LOG_GROUP_NAME: GROUP, ORDER_FULFILLMENT_STATE_MACHINE_ARN: '' })).toEqual([]);
  });
});
