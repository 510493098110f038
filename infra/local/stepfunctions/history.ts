import type { TaskSpec } from './definition.ts';
import { displayStateName } from './definition.ts';
import type { TaskEventSink } from './task-dispatch.ts';

/** One entry of GetExecutionHistory, in the shape the SFN API returns (timestamp in epoch milliseconds here). */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

/** The subset of aws-local-stepfunctions' EventLog this module reads (its union type is not exported). */
export interface RunnerEvent {
  type: string;
  timestamp: number;
  input?: unknown;
  output?: unknown;
  Error?: string;
  Cause?: unknown;
  index?: number;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  parentState?: { name: string; type: string };
}

function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}

function causeText(cause: unknown): string {
  return typeof cause === 'string' ? cause : cause instanceof Error ? cause.message : json(cause);
}

/** A resource as the TaskScheduled event names it: `lambda` + `invoke` for `arn:aws:states:::lambda:invoke`. */
function resourceParts(spec: TaskSpec): { resourceType: string; resource: string } {
  const match = /^arn:[^:]+:states:::([^:]+):(.+)$/.exec(spec.resource);
  return match ? { resourceType: match[1] ?? '', resource: match[2] ?? '' } : { resourceType: 'lambda', resource: spec.resource };
}

/** Told of every event appended; `resume` is the runner's name of a top-level state the event enters. */
export type HistoryListener = (event: HistoryEvent, resume?: string) => void;

export class ExecutionHistory {
  readonly events: HistoryEvent[];
  private closed = false;

  constructor(
    private readonly region: string,
    events: HistoryEvent[] = [],
    private readonly listener?: HistoryListener,
  ) {
    this.events = events;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.closed = true;
  }

  append(type: string, details: Record<string, unknown> = {}, timestamp = Date.now(), resume?: string): void {
    const id = this.events.length + 1;
    const event: HistoryEvent = { id, previousEventId: id - 1, timestamp, type, ...details };
    this.events.push(event);
    this.listener?.(event, resume);
  }

  /**
   * Translates one runner event into the events AWS records for it (none for runner-only events like StateRetried).
   * `topLevel` says the event belongs to a state of the machine's own `States`, not to a Map or Parallel branch.
   */
  fromRunner(event: RunnerEvent, topLevel = false): void {
    if (this.closed) return;
    const at = event.timestamp;
    const state = event.state;
    const name = state ? displayStateName(state.name) : '';
    switch (event.type) {
      case 'ExecutionStarted':
        // Recorded by the execution itself, with the role ARN and the raw input string.
        return;
      case 'StateEntered':
        if (!state) return;
        this.append(`${state.type}StateEntered`, { stateEnteredEventDetails: { name, input: json(state.input) } }, at, topLevel ? state.name : undefined);
        if (state.type === 'Parallel') this.append('ParallelStateStarted', {}, at);
        return;
      case 'StateExited':
        if (!state) return;
        if (state.type === 'Map') this.append('MapStateSucceeded', {}, at);
        if (state.type === 'Parallel') this.append('ParallelStateSucceeded', {}, at);
        this.append(`${state.type}StateExited`, { stateExitedEventDetails: { name, output: json(state.output) } }, at);
        return;
      case 'StateFailed':
        if (state?.type === 'Map') this.append('MapStateFailed', {}, at);
        if (state?.type === 'Parallel') this.append('ParallelStateFailed', {}, at);
        return;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const detailsKey = `mapIteration${event.type.slice('MapIteration'.length)}EventDetails`;
        this.append(event.type, { [detailsKey]: { name: displayStateName(event.parentState?.name ?? ''), index: event.index ?? 0 } }, at);
        return;
      }
      case 'ExecutionSucceeded':
      case 'ExecutionFailed':
      case 'ExecutionAborted':
      case 'ExecutionTimeout':
        // The execution records its own end, once, with the status it settles on.
        return;
      default:
        return;
    }
  }

  /** The sink a Task handler reports to. */
  taskSink(): TaskEventSink {
    return {
      isOpen: () => !this.closed,
      scheduled: (spec, parameters) => {
        if (this.closed) return;
        if (spec.task.kind === 'lambdaArn') {
          this.append('LambdaFunctionScheduled', { lambdaFunctionScheduledEventDetails: { resource: spec.resource, input: json(parameters) } });
          return;
        }
        this.append('TaskScheduled', {
          taskScheduledEventDetails: { ...resourceParts(spec), region: this.region, parameters: json(parameters) },
        });
      },
      started: (spec) => {
        if (this.closed) return;
        if (spec.task.kind === 'lambdaArn') this.append('LambdaFunctionStarted');
        else this.append('TaskStarted', { taskStartedEventDetails: resourceParts(spec) });
      },
      succeeded: (spec, output) => {
        if (this.closed) return;
        if (spec.task.kind === 'lambdaArn') this.append('LambdaFunctionSucceeded', { lambdaFunctionSucceededEventDetails: { output: json(output) } });
        else this.append('TaskSucceeded', { taskSucceededEventDetails: { ...resourceParts(spec), output: json(output) } });
      },
      failed: (spec, error, cause) => {
        if (this.closed) return;
        if (spec.task.kind === 'lambdaArn') this.append('LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: { error, cause } });
        else this.append('TaskFailed', { taskFailedEventDetails: { ...resourceParts(spec), error, cause } });
      },
    };
  }

  /** A Task the runner timed out (States.Timeout) has no handler result to report; AWS records TaskTimedOut. */
  recordTimeoutIfAny(event: RunnerEvent, tasks: Map<string, TaskSpec>): void {
    if (this.closed || event.type !== 'StateFailed' || event.Error !== 'States.Timeout' || event.state?.type !== 'Task') return;
    const spec = tasks.get(event.state.name);
    if (!spec) return;
    const details = { error: 'States.Timeout', cause: causeText(event.Cause) };
    if (spec.task.kind === 'lambdaArn') this.append('LambdaFunctionTimedOut', { lambdaFunctionTimedOutEventDetails: details }, event.timestamp);
    else this.append('TaskTimedOut', { taskTimedOutEventDetails: { ...resourceParts(spec), ...details } }, event.timestamp);
  }
}
