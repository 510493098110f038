import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { topology, type FunctionId } from '../../topology.ts';
import { ACCOUNT_ID, REGION, REPO_ROOT, localName } from '../constants.ts';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** Where invocations can run besides this thread (a HandlerThread of handler-threads.ts). */
export interface InvocationTarget {
  /** Invocations sent and not answered yet. */
  inFlight: number;
  invoke(id: FunctionId, event: unknown): Promise<unknown>;
}

/** The target with the fewest invocations in flight (the first on a tie). */
export function leastBusy<T extends InvocationTarget>(targets: T[]): T | undefined {
  let best: T | undefined;
  for (const target of targets) if (!best || target.inFlight < best.inFlight) best = target;
  return best;
}

/**
 * Concurrent executions per function, as Lambda's concurrency limit would cap them: beyond it invocations wait their
 * turn (the local cloud queues them instead of throttling). Keeps an overloaded local cloud's work in flight bounded.
 */
export const LOCAL_CONCURRENCY_PER_FUNCTION = 32;

/** How a handler failure looks to its caller, as Lambda reports it (`errorType` is what Step Functions matches on). */
export class LambdaInvocationError extends Error {
  constructor(
    readonly errorType: string,
    readonly errorMessage: string,
    readonly trace: string[],
  ) {
    super(errorMessage);
    this.name = errorType;
  }
}

export function functionName(id: FunctionId): string {
  return localName(id);
}

export function functionArn(id: FunctionId): string {
  return `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${functionName(id)}`;
}

/**
 * Runs the topology's handlers in this process, as Lambda would: one module load per function (cold start on first
 * use), a Context with the function's name and remaining time, the function's timeout enforced, and errors turned
 * into Lambda's error shape. Handlers are found only through the topology's entries.
 */
export class LocalLambdaRuntime {
  private readonly loaded = new Map<FunctionId, Promise<Handler>>();
  private readonly slots = new Map<FunctionId, { running: number; waiting: Array<() => void> }>();
  private readonly byName = new Map<string, FunctionId>();
  readonly invocations = new Map<FunctionId, { count: number; errors: number }>();
  private threads: InvocationTarget[] = [];
  private offloaded = new Set<FunctionId>();

  constructor() {
    for (const id of Object.keys(topology.functions) as FunctionId[]) {
      this.byName.set(functionName(id), id);
      this.byName.set(functionArn(id), id);
      this.invocations.set(id, { count: 0, errors: 0 });
    }
  }

  /** Resolves a function name, ARN (qualified or not) or topology id. */
  resolve(nameOrArn: string): FunctionId {
    const unqualified = nameOrArn.replace(/:(\$LATEST|\d+)$/, '');
    const id = this.byName.get(unqualified) ?? (unqualified in topology.functions ? (unqualified as FunctionId) : undefined);
    if (!id) throw new LambdaInvocationError('ResourceNotFoundException', `Function not found: ${nameOrArn}`, []);
    return id;
  }

  /** Loads every handler now, so the first request does not pay for the imports. */
  async warm(ids: FunctionId[] = Object.keys(topology.functions) as FunctionId[]): Promise<void> {
    await Promise.all(ids.map((id) => this.load(id)));
  }

  /**
   * From now on, invocations of `ids` run on `threads` (the one with the fewest in flight), each of which runs them
   * with its own runtime, limits and timeouts; this runtime still counts them.
   */
  runOn(threads: InvocationTarget[], ids: Iterable<FunctionId>): void {
    this.threads = threads;
    this.offloaded = new Set(ids);
  }

  /** Whether invocations of `id` run on other threads (see runOn). */
  runsElsewhere(id: FunctionId): boolean {
    return this.threads.length > 0 && this.offloaded.has(id);
  }

  async invoke(id: FunctionId, event: unknown): Promise<unknown> {
    if (this.threads.length > 0 && this.offloaded.has(id)) return this.invokeElsewhere(id, event);
    await this.acquire(id);
    try {
      return await this.run(id, event);
    } finally {
      this.release(id);
    }
  }

  private async invokeElsewhere(id: FunctionId, event: unknown): Promise<unknown> {
    const stats = this.invocations.get(id)!;
    stats.count++;
    try {
      return await leastBusy(this.threads)!.invoke(id, event);
    } catch (error) {
      stats.errors++;
      throw error;
    }
  }

  private async acquire(id: FunctionId): Promise<void> {
    const slot = this.slots.get(id) ?? this.slots.set(id, { running: 0, waiting: [] }).get(id)!;
    if (slot.running < LOCAL_CONCURRENCY_PER_FUNCTION) {
      slot.running++;
      return;
    }
    await new Promise<void>((resolve) => slot.waiting.push(resolve));
  }

  private release(id: FunctionId): void {
    const slot = this.slots.get(id)!;
    const next = slot.waiting.shift();
    // The slot passes straight to the next waiter; only when nobody waits does the count go down.
    if (next) next();
    else slot.running--;
  }

  private async run(id: FunctionId, event: unknown): Promise<unknown> {
    const spec = topology.functions[id];
    const handler = await this.load(id);
    const stats = this.invocations.get(id)!;
    stats.count++;
    const deadline = Date.now() + spec.timeoutSeconds * 1000;
    const context = lambdaContext(id, deadline);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new LambdaInvocationError('Sandbox.Timedout', `Task timed out after ${spec.timeoutSeconds.toFixed(2)} seconds`, [])),
        spec.timeoutSeconds * 1000,
      );
      timer.unref();
    });
    try {
      return await Promise.race([handler(event, context), timeout]);
    } catch (error) {
      stats.errors++;
      if (error instanceof LambdaInvocationError) throw error;
      const err = error instanceof Error ? error : new Error(String(error));
      throw new LambdaInvocationError(err.name || 'Error', err.message, (err.stack ?? '').split('\n').slice(1).map((l) => l.trim()));
    } finally {
      clearTimeout(timer);
    }
  }

  private load(id: FunctionId): Promise<Handler> {
    let loading = this.loaded.get(id);
    if (!loading) {
      const url = pathToFileURL(resolve(REPO_ROOT, topology.functions[id].entry)).href;
      loading = import(url).then((module: { handler?: Handler }) => {
        if (typeof module.handler !== 'function') throw new Error(`${topology.functions[id].entry} does not export a handler`);
        return module.handler;
      });
      this.loaded.set(id, loading);
    }
    return loading;
  }
}

function lambdaContext(id: FunctionId, deadline: number): Context {
  const name = functionName(id);
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn(id),
    memoryLimitInMB: String(topology.functions[id].memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: `local/${requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
