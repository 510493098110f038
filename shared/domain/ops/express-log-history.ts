/**
 * An Express execution's history from its state machine's CloudWatch log group (pure). On AWS an Express workflow keeps
 * no history in Step Functions: each event of a run is one JSON log line instead, e.g.
 * `{"id":"3","type":"TaskStateEntered","details":{"name":"Fulfil"},"previous_event_id":"2","event_timestamp":"1764763200123",
 * "execution_arn":"arn:aws:states:...:express:<machine>:<name>:<uuid>","redrive_count":"0"}` (ids and epoch milliseconds
 * as strings). This turns the lines of one run into the events GetExecutionHistory would have listed, and the run's
 * status, start and stop into what DescribeExecution would have said. Only names, errors and causes are kept: a line's
 * input or output (present if someone turned includeExecutionData on) is never read.
 */
import { conciseCause, MAX_EVENTS, type ExecutionEvent } from './execution-history.ts';

/** An Express execution runs for at most five minutes (Step Functions quota): the window its log lines fall in. */
export const EXPRESS_MAX_DURATION_MS = 5 * 60_000;
/** Clocks and log timestamps may disagree by this much: the windows searched are widened by it. */
export const LOG_WINDOW_SLACK_MS = 60_000;

const TERMINAL: Readonly<Record<string, string>> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionAborted: 'ABORTED',
  ExecutionTimedOut: 'TIMED_OUT',
};

/** What the log lines of one run say of it (DescribeExecution's fields and GetExecutionHistory's events). */
export interface LoggedExecution {
  name: string;
  /** SUCCEEDED, FAILED, ABORTED, TIMED_OUT; RUNNING while within five minutes of its start; else UNKNOWN. */
  status: string;
  startDate: string;
  stopDate?: string;
  error?: string;
  cause?: string;
  /** Oldest first by event id, at most MAX_EVENTS. */
  events: ExecutionEvent[];
  /** Why the events listed may not be the whole run (lines missing, or more than MAX_EVENTS). */
  incomplete?: string;
}

/** One log line of `executionArn` as an event, or undefined for a line that is not (another run's, not JSON, ...). */
export function eventOfLogLine(message: string, executionArn: string): ExecutionEvent | undefined {
  let line: unknown;
  try {
    line = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (!line || typeof line !== 'object') return undefined;
  const { id, type, previous_event_id: previous, event_timestamp: at, execution_arn: arn, details } = line as Record<string, unknown>;
  const eventId = Number(id);
  const epochMs = Number(at);
  if (arn !== executionArn || typeof type !== 'string' || !Number.isSafeInteger(eventId) || eventId < 1) return undefined;
  if (!Number.isFinite(epochMs) || Number.isNaN(new Date(epochMs).getTime())) return undefined;
  const previousEventId = Number(previous);
  const detail = details && typeof details === 'object' ? (details as Record<string, unknown>) : {};
  return {
    id: eventId,
    ...(previous !== undefined && Number.isSafeInteger(previousEventId) ? { previousEventId } : {}),
    type,
    timestamp: new Date(epochMs).toISOString(),
    ...(typeof detail.name === 'string' ? { stateName: detail.name } : {}),
    ...(typeof detail.error === 'string' ? { error: detail.error } : {}),
    ...(typeof detail.cause === 'string' ? { cause: conciseCause(detail.cause) } : {}),
  };
}

/**
 * The run as its log lines tell it, or undefined when none of them belongs to it. Lines may arrive in any order, from
 * several log streams, and twice (delivery is at least once): they are ordered by event id and the first of each id
 * kept. The status comes from the terminal event (read before the list is cut at MAX_EVENTS); without one the run is
 * RUNNING while it may still be (five minutes after its start) and UNKNOWN after.
 */
export function loggedExecution(executionArn: string, messages: Iterable<string>, now: Date): LoggedExecution | undefined {
  const byId = new Map<number, ExecutionEvent>();
  for (const message of messages) {
    const event = eventOfLogLine(message, executionArn);
    if (event && !byId.has(event.id)) byId.set(event.id, event);
  }
  if (byId.size === 0) return undefined;
  const all = [...byId.values()].sort((a, b) => a.id - b.id);
  const started = all.find((e) => e.type === 'ExecutionStarted');
  const end = all.find((e) => TERMINAL[e.type] !== undefined);
  const startDate = (started ?? all[0]!).timestamp;
  const status = end ? TERMINAL[end.type]! : now.getTime() - Date.parse(startDate) < EXPRESS_MAX_DURATION_MS ? 'RUNNING' : 'UNKNOWN';
  const missing = missingEvents(all, end);
  const incomplete = all.length > MAX_EVENTS
    ? `Only the first ${MAX_EVENTS} of ${all.length} events are listed`
    : missing > 0 ? `${missing} event(s) of this run are not in the log group (CloudWatch Logs delivery is best effort)` : undefined;
  return {
    name: executionNameOf(executionArn),
    status,
    startDate,
    ...(end ? { stopDate: end.timestamp } : {}),
    ...(end?.error !== undefined ? { error: end.error } : {}),
    ...(end?.cause !== undefined ? { cause: end.cause } : {}),
    events: all.slice(0, MAX_EVENTS),
    ...(incomplete ? { incomplete } : {}),
  };
}

/**
 * Whether the lines read so far are the whole run: it started (event 1), ended, and every id up to the end is there.
 * The reader stops paging then, instead of scanning the rest of its window.
 */
export function isWholeRun(executionArn: string, messages: Iterable<string>): boolean {
  const ids = new Set<number>();
  let end: ExecutionEvent | undefined;
  for (const message of messages) {
    const event = eventOfLogLine(message, executionArn);
    if (!event) continue;
    ids.add(event.id);
    if (TERMINAL[event.type] !== undefined) end = event;
  }
  if (!end || !ids.has(1)) return false;
  for (let id = 1; id <= end.id; id += 1) if (!ids.has(id)) return false;
  return true;
}

/** Ids below the last event's (or the terminal event's) that no line carried. */
function missingEvents(sorted: readonly ExecutionEvent[], end: ExecutionEvent | undefined): number {
  const last = end?.id ?? sorted[sorted.length - 1]!.id;
  return last - sorted.filter((e) => e.id <= last).length;
}

/** `o_123-2` of `arn:aws:states:us-east-1:123456789012:express:OrderFulfillment:o_123-2:3f1c...`. */
export function executionNameOf(executionArn: string): string {
  const parts = executionArn.split(':');
  return parts[5] === 'express' && parts.length >= 9 ? parts[7]! : parts[parts.length - 1]!;
}

/** Whether an execution ARN is an Express run's (`...:express:<machine>:<name>:<uuid>`). */
export function isExpressExecutionArn(executionArn: string): boolean {
  return /^arn:[\w-]+:states:[\w-]+:\d{12}:express:[^:\s"\\]+:[^:\s"\\]+:[^:\s"\\]+$/.test(executionArn);
}

/** Whether an Express execution belongs to a state machine (ARN `...:stateMachine:<machine>`). */
export function isExecutionOf(executionArn: string, stateMachineArn: string): boolean {
  const machine = stateMachineArn.split(':');
  const run = executionArn.split(':');
  return machine[5] === 'stateMachine' && run[5] === 'express' && machine.length === 7 && run.length === 9
    && machine.slice(0, 5).join(':') === run.slice(0, 5).join(':') && machine[6] === run[6];
}

/**
 * The CloudWatch Logs filter pattern that matches one run's lines and nothing else. Refuses an ARN that could break out
 * of the quoted value (execution names cannot hold quotes, backslashes or spaces; an ARN that does is not ours).
 */
export function executionLogFilterPattern(executionArn: string): string {
  if (!isExpressExecutionArn(executionArn)) throw new Error(`Not an Express execution ARN: ${executionArn}`);
  return `{ $.execution_arn = "${executionArn}" }`;
}

export interface LogWindow {
  startTime: number;
  endTime: number;
}

/**
 * Where in time to look for a run's lines, given when the order recorded the run (as the run took its attempt, or as
 * its failure was recorded: always while it ran). First a narrow window (a fulfilment run lasts seconds), then, if that
 * did not hold the whole run, every moment the run could have lasted: five minutes either side, widened by the slack.
 */
export function executionLogWindows(recordedAt: string, now: Date): LogWindow[] {
  const at = Date.parse(recordedAt);
  if (Number.isNaN(at)) return [];
  const clamp = (ms: number) => Math.min(ms, now.getTime() + LOG_WINDOW_SLACK_MS);
  return [
    { startTime: at - LOG_WINDOW_SLACK_MS, endTime: clamp(at + LOG_WINDOW_SLACK_MS) },
    { startTime: at - EXPRESS_MAX_DURATION_MS - LOG_WINDOW_SLACK_MS, endTime: clamp(at + EXPRESS_MAX_DURATION_MS + LOG_WINDOW_SLACK_MS) },
  ];
}
