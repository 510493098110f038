/**
 * A workflow execution's history as the Step Functions console shows it: the raw events, and the states the run went
 * through with when each was entered and left, its retries and the error that ended or was caught in it. Pure: the
 * adapter hands in the events as Step Functions lists them (GetExecutionHistory), oldest first.
 */

export interface ExecutionEvent {
  id: number;
  previousEventId?: number;
  /** `TaskStateEntered`, `LambdaFunctionFailed`, `ExecutionSucceeded`, ... */
  type: string;
  timestamp: string;
  /** The state an entered/exited event names. */
  stateName?: string;
  error?: string;
  cause?: string;
}

/** Events past this are not listed: a fulfilment run has a few dozen; a run looping on re-plans is cut, not the console. */
export const MAX_EVENTS = 1000;

export type StepStatus = 'SUCCEEDED' | 'CAUGHT' | 'FAILED' | 'RUNNING';

export interface ExecutionStep {
  state: string;
  /** Pass, Task, Choice, ... (from the entered event's type). */
  kind: string;
  enteredAt: string;
  exitedAt?: string;
  durationMs?: number;
  /** SUCCEEDED: left normally; CAUGHT: an error was raised and a Catch moved on; FAILED: the run ended in it. */
  status: StepStatus;
  /** Attempts of its task after the first (Retry). */
  retries: number;
  error?: string;
  cause?: string;
}

const SCHEDULED = /(?:TaskScheduled|LambdaFunctionScheduled|ActivityScheduled)$/;
const FAILED = /(?:Failed|TimedOut)$/;

/** The states of one run in the order they were entered (a state entered twice, e.g. on a re-plan, is two steps). */
export function executionSteps(events: readonly ExecutionEvent[]): ExecutionStep[] {
  const steps: ExecutionStep[] = [];
  let open: ExecutionStep | undefined;
  let scheduled = 0;
  for (const event of events) {
    if (event.type.endsWith('StateEntered')) {
      open = { state: event.stateName ?? '?', kind: event.type.slice(0, -'StateEntered'.length), enteredAt: event.timestamp, status: 'RUNNING', retries: 0 };
      scheduled = 0;
      steps.push(open);
      continue;
    }
    if (!open) continue;
    if (SCHEDULED.test(event.type)) {
      scheduled += 1;
      open.retries = Math.max(0, scheduled - 1);
    } else if (event.type.endsWith('StateExited')) {
      open.exitedAt = event.timestamp;
      open.durationMs = Date.parse(event.timestamp) - Date.parse(open.enteredAt);
      open.status = open.error !== undefined ? 'CAUGHT' : 'SUCCEEDED';
      open = undefined;
    } else if (event.type.startsWith('Execution') && FAILED.test(event.type)) {
      open.status = 'FAILED';
      open.exitedAt = event.timestamp;
      open.durationMs = Date.parse(event.timestamp) - Date.parse(open.enteredAt);
      if (event.error !== undefined) open.error = event.error;
      if (event.cause !== undefined) open.cause = event.cause;
      open = undefined;
    } else if (FAILED.test(event.type) && (event.error !== undefined || event.cause !== undefined)) {
      // A task attempt failed: a later attempt may succeed (Retry), in which case the error is not the step's.
      open.error = event.error ?? 'Error';
      if (event.cause !== undefined) open.cause = event.cause;
    } else if (/(?:TaskSucceeded|LambdaFunctionSucceeded|ActivitySucceeded)$/.test(event.type)) {
      delete open.error;
      delete open.cause;
    }
  }
  return steps;
}

/**
 * A cause as ops should read it: a Lambda error's `{ errorType, errorMessage, trace }` becomes `errorType: errorMessage`
 * (the stack trace names files and lines of the deployment, not something to show), anything else is kept, cut at
 * 1,000 characters.
 */
export function conciseCause(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as { errorType?: unknown; errorMessage?: unknown };
    if (parsed && typeof parsed === 'object' && typeof parsed.errorMessage === 'string') {
      return typeof parsed.errorType === 'string' ? `${parsed.errorType}: ${parsed.errorMessage}` : parsed.errorMessage;
    }
  } catch {
    // Not JSON: kept as it is.
  }
  return cause.length > 1000 ? `${cause.slice(0, 999)}…` : cause;
}
