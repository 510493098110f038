import { randomUUID } from 'node:crypto';
import { ExecutionError, ExecutionTimeoutError, StateMachine, type RunOptions, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { checkDefinition, prepareDefinition, type TaskSpec } from './definition.ts';
import { ExecutionStore, type ExecutionRecord, type ExecutionStatus, type ResumePoint } from './execution-store.ts';
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
  /**
   * STANDARD (default): a name is one execution (a start with the name and input of a running one answers it, any
   * other start of a used name is ExecutionAlreadyExists). EXPRESS: as on AWS, names are not deduped: every start is a
   * new execution, `arn:...:express:<machine>:<name>:<uuid>`.
   */
  type?: 'STANDARD' | 'EXPRESS';
}

export interface LocalMachine extends MachineConfig {
  creationDate: number;
  roleArn: string;
  runner: StateMachine;
  /** What `runner` runs; a redrive runs a copy that starts elsewhere. */
  runtimeDefinition: Record<string, unknown>;
  /** The runner's names of the machine's own states (not those of Map processors or Parallel branches). */
  topLevelStates: Set<string>;
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
  /** See JsonlJournal. */
  compactMinBytes?: number;
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

/**
 * A redrive runs the machine from a Pass state of this name whose Result is the recorded input of the state it
 * re-enters: the runner then starts with the execution's own input, so `$$.Execution.Input` stays what it was.
 * The private-use character keeps it from colliding with a state of the definition.
 */
const REDRIVE_ENTRY = '\uE001Redrive';

type LocalTaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type LocalTaskHandler = LocalTaskHandlers[string];

interface Running {
  record: ExecutionRecord;
  history: ExecutionHistory;
  abort(): void;
  settled: Promise<void>;
  ended(): void;
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
  /** Executions started since the engine started, by state machine ARN (finished ones are kept only up to a limit). */
  readonly started = new Map<string, number>();
  private readonly slots = new Map<string, Slots>();
  /** Executions the journal showed running, waiting for `resumeInterrupted()`. */
  private interrupted: Running[] = [];
  private accepting = true;

  constructor(private readonly options: EngineOptions) {
    this.store = new ExecutionStore({
      finishedLimit: options.finishedLimit,
      dataDir: options.dataDir,
      ...(options.compactMinBytes !== undefined ? { compactMinBytes: options.compactMinBytes } : {}),
    });
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
          runtimeDefinition: prepared.runtimeDefinition,
          topLevelStates: new Set(Object.keys(prepared.runtimeDefinition.States as Record<string, unknown>)),
          tasks: prepared.tasks,
        });
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    if (problems.length > 0) throw new Error(`Local Step Functions cannot start:\n${problems.join('\n')}`);
    this.store.load();
    for (const record of this.store.running()) {
      if (!this.machines.has(record.stateMachineArn)) continue;
      const entry = this.track(record);
      this.interrupted.push(entry);
    }
  }

  /** A running execution's place in `running`, with the history that journals what it appends. */
  private track(record: ExecutionRecord): Running {
    const history = new ExecutionHistory(this.options.region, record.events, (event, resume) => this.store.event(record, event, resume));
    let ended!: () => void;
    const settled = new Promise<void>((resolve) => (ended = resolve));
    const entry: Running = { record, history, abort: () => undefined, settled, ended: () => ended(), hasSlot: false };
    this.running.set(record.executionArn, entry);
    return entry;
  }

  /**
   * Redrives every execution that was running when the process stopped, as Step Functions' RedriveExecution does:
   * same name and ARN, `ExecutionRedriven` in the history and `redriveCount` + 1, re-entering the top-level state it
   * was in with the input it entered it with (a Map or Parallel state runs again whole). Without a recorded state it
   * runs again from the start with its input. Returns how many were redriven.
   */
  resumeInterrupted(): number {
    const entries = this.interrupted.splice(0).filter((entry) => entry.record.status === 'RUNNING');
    for (const entry of entries) {
      const { record } = entry;
      const redriveCount = (record.redriveCount ?? 0) + 1;
      record.redriveCount = redriveCount;
      record.redriveDate = Date.now();
      entry.history.append('ExecutionRedriven', { executionRedrivenEventDetails: { redriveCount } });
      const machine = this.machines.get(record.stateMachineArn)!;
      this.whenSlotFree(machine.arn, () => this.launchWhenSlotFree(machine, entry, JSON.parse(record.input) as unknown, record.resumeFrom));
    }
    return entries.length;
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

  /** Idempotent as on AWS for STANDARD: same name and input as a RUNNING execution answers that execution. */
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
    const executionArn =
      machine.type === 'EXPRESS' ? `${machine.arn.replace(':stateMachine:', ':express:')}:${name}:${randomUUID()}` : `${machine.arn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.running.get(executionArn)?.record ?? this.store.get(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return { executionArn, startDate: existing.startDate };
      throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }

    const startDate = Date.now();
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: machine.arn,
      name,
      status: 'RUNNING',
      input,
      startDate,
      events: [{ id: 1, previousEventId: 0, timestamp: startDate, type: 'ExecutionStarted', executionStartedEventDetails: { input, roleArn: machine.roleArn } }],
    };
    // Journaled whole with its first event, before StartExecution answers.
    this.store.add(record);
    this.started.set(machine.arn, (this.started.get(machine.arn) ?? 0) + 1);
    const entry = this.track(record);
    this.whenSlotFree(machine.arn, () => this.launchWhenSlotFree(machine, entry, inputValue));
    return { executionArn, startDate: record.startDate };
  }

  private launchWhenSlotFree(machine: LocalMachine, entry: Running, inputValue: unknown, resumeFrom?: ResumePoint): void {
    // Stopped (or the cloud shut down) while it waited: nothing to run, and the slot goes to the next one.
    if (entry.record.status !== 'RUNNING' || !this.running.has(entry.record.executionArn)) {
      entry.ended();
      return this.releaseSlot(machine.arn);
    }
    entry.hasSlot = true;
    this.launch(machine, entry, inputValue, resumeFrom).then(entry.ended, entry.ended);
  }

  /** The runner and input of a redrive that re-enters `resumeFrom`. */
  private redriveRun(machine: LocalMachine, inputValue: unknown, resumeFrom: ResumePoint): { runner: StateMachine; input: unknown } {
    const definition = machine.runtimeDefinition;
    const states = definition.States as Record<string, unknown>;
    const stateInput = JSON.parse(resumeFrom.input) as unknown;
    const options = { validationOptions: { noValidate: true } };
    // A falsy Pass Result is ignored by the runner: start at the state itself, with its input as the execution's.
    if (!stateInput) {
      return { runner: new StateMachine({ ...definition, StartAt: resumeFrom.state } as unknown as StateMachineDefinition, options), input: stateInput };
    }
    const entry = { Type: 'Pass', Result: stateInput, Next: resumeFrom.state };
    const redrive = { ...definition, StartAt: REDRIVE_ENTRY, States: { ...states, [REDRIVE_ENTRY]: entry } };
    return { runner: new StateMachine(redrive as unknown as StateMachineDefinition, options), input: inputValue };
  }

  private launch(machine: LocalMachine, entry: Running, inputValue: unknown, resumeFrom?: ResumePoint): Promise<void> {
    const { record, history } = entry;
    const { executionArn, name } = record;
    const sink = history.taskSink();
    const handlers: LocalTaskHandlers = {};
    for (const spec of machine.tasks.values()) {
      const handler = (taskInput: unknown) => dispatchTask(spec, taskInput, this.options.dispatch, sink);
      handlers[spec.runtimeName] = handler as LocalTaskHandler;
    }
    const usable = resumeFrom && machine.topLevelStates.has(resumeFrom.state) ? resumeFrom : undefined;
    const { runner, input } = usable ? this.redriveRun(machine, inputValue, usable) : { runner: machine.runner, input: inputValue };
    const run = runner.run(input as Parameters<StateMachine['run']>[0], {
      overrides: { taskResourceLocalHandlers: handlers },
      noThrowOnAbort: true,
      context: {
        Execution: { Id: executionArn, Name: name, RoleArn: machine.roleArn, RedriveCount: record.redriveCount ?? 0 },
        StateMachine: { Id: machine.arn, Name: machine.name },
      },
    });
    entry.abort = run.abort;
    const consumeEvents = (async () => {
      for await (const raw of run.eventLogs) {
        const event = raw as RunnerEvent;
        const stateName = event.state?.name;
        if (stateName === REDRIVE_ENTRY) continue;
        // Nested events carry an index (Map) or come from a branch's own States (Parallel); state names are unique.
        const topLevel = stateName !== undefined && event.index === undefined && machine.topLevelStates.has(stateName);
        history.recordTimeoutIfAny(event, machine.tasks);
        history.fromRunner(event, topLevel);
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

  /**
   * Stops what still runs (a Task handler already called finishes in the background, its result unrecorded). In
   * memory they end ABORTED. With a journal they are left RUNNING in it, as a crash would leave them, so the next
   * start redrives them: stopping the local cloud must not strand orders that a kill would not.
   */
  shutdown(): void {
    this.accepting = false;
    if (this.options.dataDir === undefined) {
      for (const arn of [...this.running.keys()]) {
        this.finish(arn, { status: 'ABORTED', error: 'States.Runtime', cause: 'local cloud stopped' });
      }
      return;
    }
    this.store.close();
    for (const entry of [...this.running.values()]) {
      this.running.delete(entry.record.executionArn);
      entry.history.close();
      entry.abort();
      entry.ended();
    }
    this.interrupted = [];
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
