import './polyfills.ts';
import type { AddressInfo } from 'node:net';
import { Engine } from './engine.ts';
import { createSfnServer } from './server.ts';
import { createServiceClients, destroyServiceClients } from './task-dispatch.ts';

export { substituteDefinition } from './substitute-definition.ts';

export interface LocalStateMachine {
  name: string;
  arn: string;
  /** ASL JSON after `${}` substitution. */
  definition: string;
}

export interface LocalStepFunctionsOptions {
  /** Default 0: a free port (read `endpoint`). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default us-east-1. */
  region?: string;
  /** Default 000000000000 (state machine ARNs carry their own account). */
  accountId?: string;
  stateMachines: LocalStateMachine[];
  invokeFunction(functionArnOrName: string, payload: unknown): Promise<unknown>;
  /**
   * When set, executions are journaled to `<dataDir>/stepfunctions-executions.jsonl` and reloaded at start; those that
   * were running when the process stopped are redriven (see `resumeInterrupted`).
   */
  dataDir?: string;
  /**
   * Leave the redrive of interrupted executions to a call of `resumeInterrupted()`, e.g. once the environment their
   * Task handlers read is complete. Default false: they are redriven as soon as the endpoint listens.
   */
  deferResume?: boolean;
  /** The journal is rewritten once this many bytes (and as many as its last rewrite) were appended. Default 8 MiB. */
  journalCompactMinBytes?: number;
  /** Finished executions kept per state machine, in memory and in the journal (older ones are dropped). Default 1,000. */
  finishedExecutionsKept?: number;
  /** Multiplies Retry IntervalSeconds and MaxDelaySeconds. Default 0.01 (a 1 s interval waits 10 ms). */
  retryIntervalScale?: number;
  /** Multiplies Wait states' `Seconds`. Default: `retryIntervalScale`. */
  waitTimeScale?: number;
  /**
   * Executions of one state machine that run at once (default 64). More are accepted and RUNNING to every API, but
   * wait in start order with only their input in memory: a backlog costs its inputs, not thousands of live runs.
   */
  maxConcurrentRuns?: number;
  onExecutionFinished?(e: { stateMachineArn: string; executionArn: string; status: string; error?: string; cause?: string }): void;
}

export interface LocalStepFunctions {
  endpoint: string;
  /** Resolves when no execution runs. */
  idle(): Promise<void>;
  /** Executions of a state machine started since this service started (what Express bills per request). */
  executionsStarted(stateMachineArn: string): number;
  /** StartExecution from inside the local cloud (a bus rule's state machine target), without an HTTP round trip. */
  start(stateMachineArn: string, input: string, name?: string): { executionArn: string };
  /**
   * Redrives the executions the journal showed running at start (once; later calls return 0). Returns how many.
   */
  resumeInterrupted(): number;
  /**
   * Stops running executions, then the server. Without `dataDir` they end ABORTED (error States.Runtime, cause
   * 'local cloud stopped'); with it they stay RUNNING in the journal and are redriven by the next start.
   */
  close(): Promise<void>;
}

/** Keeps this many finished executions per state machine in memory (and in the journal), plus all running ones. */
const FINISHED_EXECUTIONS_KEPT = 1_000;


export async function startLocalStepFunctions(options: LocalStepFunctionsOptions): Promise<LocalStepFunctions> {
  const region = options.region ?? 'us-east-1';
  const retryIntervalScale = options.retryIntervalScale ?? 0.01;
  const clients = createServiceClients(region);
  let engine: Engine;
  try {
    engine = new Engine({
      region,
      accountId: options.accountId ?? '000000000000',
      stateMachines: options.stateMachines,
      dispatch: { clients, invokeFunction: options.invokeFunction },
      ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
      ...(options.journalCompactMinBytes !== undefined ? { compactMinBytes: options.journalCompactMinBytes } : {}),
      retryIntervalScale,
      waitTimeScale: options.waitTimeScale ?? retryIntervalScale,
      finishedLimit: options.finishedExecutionsKept ?? FINISHED_EXECUTIONS_KEPT,
      ...(options.maxConcurrentRuns !== undefined ? { maxConcurrentRuns: options.maxConcurrentRuns } : {}),
      ...(options.onExecutionFinished ? { onExecutionFinished: options.onExecutionFinished } : {}),
    });
  } catch (error) {
    destroyServiceClients(clients);
    throw error;
  }
  const server = createSfnServer(engine);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  if (!options.deferResume) engine.resumeInterrupted();
  return {
    endpoint: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    idle: () => engine.idle(),
    start: (stateMachineArn, input, name) => engine.start(stateMachineArn, name, input),
    executionsStarted: (stateMachineArn) => engine.started.get(stateMachineArn) ?? 0,
    resumeInterrupted: () => engine.resumeInterrupted(),
    close: () =>
      (closing ??= (async () => {
        engine.shutdown();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        destroyServiceClients(clients);
      })()),
  };
}
