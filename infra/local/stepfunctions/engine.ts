import { randomUUID } from 'node:crypto';
import { ExecutionError, ExecutionTimeoutError, StateMachine, type RunOptions, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { checkDefinition, prepareDefinition, type TaskSpec } from './definition.ts';
import { ExecutionStore, type ExecutionRecord, type ExecutionStatus } from './execution-store.ts';
import { ExecutionHistory, type RunnerEvent } from './history.ts';
import { dispatchTask, type DispatchDeps } from './task-dispatch.ts';

/** An error answered to the client as `{__type, message}`; `type` is the SFN exception name. */
export class SfnError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = type;
  }
}

export interface MachineConfig {
  name: string;
  arn: string;
  definition: string;
}

export interface LocalMachine extends MachineConfig {
  creationDate: number;
  roleArn: string;
  runner: StateMachine;
  tasks: Map<string, TaskSpec>;
}

export interface FinishedNotice {
  stateMachineArn: string;
  executionArn: string;
  status: string;
  error?: string;
  cause?: string;
}

export interface EngineOptions {
  region: string;
  accountId: string;
  stateMachines: MachineConfig[];
  dispatch: DispatchDeps;
  dataDir?: string;
  retryIntervalScale: number;
  waitTimeScale: number;
  finishedLimit: number;
  /**
   * Executions of one state machine that run at once; later ones are RUNNING to every API but wait, in start order,
   * with only their input in memory, until one ends. Default 64.
   */
  maxConcurrentRuns?: number;
  onExecutionFinished?(notice: FinishedNotice): void;
}

const DEFAULT_MAX_CONCURRENT_RUNS = 64;

type LocalTaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type LocalTaskHandler = LocalTaskHandlers[string];

interface Running {
  record: ExecutionRecord;
  history: ExecutionHistory;
  abort(): void;
  settled: Promise<void>;
  /** Holds one of its machine's run slots (false while it waits for one). */
  hasSlot: boolean;
}

/** A machine's run slots: how many are taken and the launches waiting for one, oldest first. */
interface Slots {
  taken: number;
  waiting: Array<() => void>;
}

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):stateMachine:([A-Za-z0-9_-]{1,80})$/;
// AWS: 1-80 characters, no whitespace, brackets, wildcards, special characters or control characters.
// eslint-disable-next-line no-control-regex
const INVALID_NAME_CHARS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u;

export function validateExecutionName(name: string): void {
  if (name.length < 1 || name.length > 80 || INVALID_NAME_CHARS.test(name)) {
    throw new SfnError('InvalidName', `Invalid Name: '${name}' (1-80 characters; no whitespace, brackets, wildcards, special or control characters)`);
  }
}

export class Engine {
  readonly machines = new Map<string, LocalMachine>();
  readonly store: ExecutionStore;
  private readonly running = new Map<string, Running>();
  private readonly slots = new Map<string, Slots>();
  private accepting = true;

  constructor(private readonly options: EngineOptions) {
    this.store = new ExecutionStore(options.finishedLimit, options.dataDir);
    const names = new Set<string>();
    const problems: string[] = [];
    for (const config of options.stateMachines) {
      const arnMatch = STATE_MACHINE_ARN.exec(config.arn);
      if (!arnMatch || arnMatch[3] !== config.name) {
        problems.push(`State machine '${config.name}': ARN '${config.arn}' must be arn:aws:states:<region>:<account>:stateMachine:${config.name}`);
        continue;
      }
      if (this.machines.has(config.arn) || names.has(config.name)) {
        problems.push(`State machine '${config.name}' is configured twice`);
        continue;
      }
      names.add(config.name);
      try {
        const definition = checkDefinition(config.name, config.definition);
        const prepared = prepareDefinition(definition, {
          retryIntervalScale: options.retryIntervalScale,
          waitTimeScale: options.waitTimeScale,
        });
        // Validated above against the original; the runtime copy has scaled (fractional) intervals and renamed states.
        const runner = new StateMachine(prepared.runtimeDefinition as unknown as StateMachineDefinition, {
          validationOptions: { noValidate: true },
        });
        this.machines.set(config.arn, {
          ...config,
          creationDate: Date.now(),
          roleArn: `arn:aws:iam::${arnMatch[2]}:role/local-stepfunctions`,
          runner,
          tasks: prepared.tasks,
        });
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    if (problems.length > 0) throw new Error(`Local Step Functions cannot start:\n${problems.join('\n')}`);
    this.store.load();
  }

  machine(stateMachineArn: unknown): LocalMachine {
    if (typeof stateMachineArn !== 'string' || !stateMachineArn.startsWith('arn:')) {
      throw new SfnError('InvalidArn', `Invalid Arn: '${String(stateMachineArn)}'`);
    }
    const machine = this.machines.get(stateMachineArn);
    if (!machine) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    return machine;
  }

  execution(executionArn: unknown): ExecutionRecord {
    if (typeof executionArn !== 'string' || !executionArn.startsWith('arn:')) {
      throw new SfnError('InvalidArn', `Invalid Arn: '${String(executionArn)}'`);
    }
    const record = this.running.get(executionArn)?.record ?? this.store.get(executionArn);
    if (!record) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return record;
  }

  /** Idempotent as on AWS: same name and input as a RUNNING execution answers that execution. */
  start(stateMachineArn: unknown, nameArg: unknown, inputArg: unknown): { executionArn: string; startDate: number } {
    if (!this.accepting) throw new SfnError('ServiceUnavailable', 'The local Step Functions service is shutting down', 503);
    const machine = this.machine(stateMachineArn);
    const name = nameArg === undefined || nameArg === null ? randomUUID() : String(nameArg);
    validateExecutionName(name);
    const input = inputArg === undefined || inputArg === null ? '{}' : String(inputArg);
    let inputValue: unknown;
    try {
      inputValue = JSON.parse(input);
    } catch {
      throw new SfnError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${input.slice(0, 100)}'`);
    }
    const executionArn = `${machine.arn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.running.get(executionArn)?.record ?? this.store.get(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return { executionArn, startDate: existing.startDate };
      throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }

    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: machine.arn,
      name,
      status: 'RUNNING',
      input,
      startDate: Date.now(),
      events: [],
    };
    const history = new ExecutionHistory(this.options.region, record.events);
    history.append('ExecutionStarted', { executionStartedEventDetails: { input, roleArn: machine.roleArn } }, record.startDate);
    this.store.add(record);

    let ended!: () => void;
    const entry: Running = { record, history, abort: () => undefined, settled: new Promise<void>((resolve) => (ended = resolve)), hasSlot: false };
    this.running.set(executionArn, entry);
    this.whenSlotFree(machine.arn, () => {
      // Stopped (or the cloud shut down) while it waited: nothing to run, and the slot goes to the next one.
      if (record.status !== 'RUNNING') {
        ended();
        return this.releaseSlot(machine.arn);
      }
      entry.hasSlot = true;
      this.launch(machine, entry, inputValue).then(ended, ended);
    });
    return { executionArn, startDate: record.startDate };
  }

  private launch(machine: LocalMachine, entry: Running, inputValue: unknown): Promise<void> {
    const { record, history } = entry;
    const { executionArn, name } = record;
    const sink = history.taskSink();
    const handlers: LocalTaskHandlers = {};
    for (const spec of machine.tasks.values()) {
      const handler = (taskInput: unknown) => dispatchTask(spec, taskInput, this.options.dispatch, sink);
      handlers[spec.runtimeName] = handler as LocalTaskHandler;
    }
    const run = machine.runner.run(inputValue as Parameters<StateMachine['run']>[0], {
      overrides: { taskResourceLocalHandlers: handlers },
      noThrowOnAbort: true,
      context: {
        Execution: { Id: executionArn, Name: name, RoleArn: machine.roleArn, RedriveCount: 0 },
        StateMachine: { Id: machine.arn, Name: machine.name },
      },
    });
    entry.abort = run.abort;
    const consumeEvents = (async () => {
      for await (const event of run.eventLogs) {
        history.recordTimeoutIfAny(event as RunnerEvent, machine.tasks);
        history.fromRunner(event as RunnerEvent);
      }
    })();
    return run.result.then(
      async (output) => {
        await consumeEvents;
        this.finish(executionArn, { status: 'SUCCEEDED', output: JSON.stringify(output ?? null) });
      },
      async (error: unknown) => {
        await consumeEvents.catch(() => undefined);
        this.finish(executionArn, failureOf(error));
      },
    );
  }

  private whenSlotFree(machineArn: string, launch: () => void): void {
    let slots = this.slots.get(machineArn);
    if (!slots) this.slots.set(machineArn, (slots = { taken: 0, waiting: [] }));
    if (slots.taken < (this.options.maxConcurrentRuns ?? DEFAULT_MAX_CONCURRENT_RUNS)) {
      slots.taken++;
      launch();
    } else {
      slots.waiting.push(launch);
    }
  }

  /** A run ended: its slot goes to the oldest waiting execution, if any. */
  private releaseSlot(machineArn: string): void {
    const slots = this.slots.get(machineArn)!;
    const next = slots.waiting.shift();
    if (next) queueMicrotask(next);
    else slots.taken--;
  }

  stop(executionArn: unknown, error: unknown, cause: unknown): number {
    const record = this.execution(executionArn);
    if (record.status === 'RUNNING') {
      this.finish(record.executionArn, {
        status: 'ABORTED',
        ...(typeof error === 'string' ? { error } : {}),
        ...(typeof cause === 'string' ? { cause } : {}),
      });
    }
    return record.stopDate ?? Date.now();
  }

  private finish(executionArn: string, outcome: { status: ExecutionStatus; output?: string; error?: string; cause?: string }): void {
    const running = this.running.get(executionArn);
    if (!running || running.record.status !== 'RUNNING') return;
    this.running.delete(executionArn);
    const { record, history } = running;
    if (outcome.status === 'ABORTED') running.abort();
    if (running.hasSlot) this.releaseSlot(record.stateMachineArn);
    Object.assign(record, outcome, { stopDate: Date.now() });
    const errorDetails = { ...(outcome.error !== undefined ? { error: outcome.error } : {}), ...(outcome.cause !== undefined ? { cause: outcome.cause } : {}) };
    if (outcome.status === 'SUCCEEDED') history.append('ExecutionSucceeded', { executionSucceededEventDetails: { output: outcome.output } });
    if (outcome.status === 'FAILED') history.append('ExecutionFailed', { executionFailedEventDetails: errorDetails });
    if (outcome.status === 'TIMED_OUT') history.append('ExecutionTimedOut', { executionTimedOutEventDetails: errorDetails });
    if (outcome.status === 'ABORTED') history.append('ExecutionAborted', { executionAbortedEventDetails: errorDetails });
    history.close();
    this.store.finished(record);
    try {
      this.options.onExecutionFinished?.({
        stateMachineArn: record.stateMachineArn,
        executionArn,
        status: record.status,
        ...errorDetails,
      });
    } catch (error) {
      console.error(`[local-stepfunctions] onExecutionFinished threw for ${executionArn}:`, error);
    }
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()].map((r) => r.settled));
  }

  /** Aborts what still runs (a Task handler already called finishes in the background, its result unrecorded). */
  shutdown(): void {
    this.accepting = false;
    for (const arn of [...this.running.keys()]) {
      this.finish(arn, { status: 'ABORTED', error: 'States.Runtime', cause: 'local cloud stopped' });
    }
  }
}

function failureOf(error: unknown): { status: ExecutionStatus; error?: string; cause?: string } {
  if (error instanceof ExecutionTimeoutError) {
    return { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution timed out (TimeoutSeconds)' };
  }
  const original = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : error;
  if (!(original instanceof Error)) return { status: 'FAILED', error: 'States.Runtime', cause: String(original) };
  const cause = typeof original.cause === 'string' ? original.cause : original.message;
  // A Fail state without Error surfaces from the runner as FailStateError; AWS reports no error name then.
  if (original.name === 'FailStateError') return { status: 'FAILED', cause };
  return { status: 'FAILED', error: original.name, cause };
}
