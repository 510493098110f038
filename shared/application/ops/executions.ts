import { NotFoundError } from '#application/errors';
import type { OrderStore } from '#application/orders/ports';
import { executionSteps, type ExecutionEvent, type ExecutionStep } from '#domain/ops/execution-history';
import type { LoggedExecution } from '#domain/ops/express-log-history';
import type { Order } from '#domain/orders/order';

/**
 * What Step Functions says of one execution (DescribeExecution + GetExecutionHistory), or, for an Express run on AWS,
 * what its state machine's log group says of it.
 */
export type ExecutionRecord = LoggedExecution & { executionArn: string };

export type ExecutionLookup = { found: true; execution: ExecutionRecord } | { found: false; reason: string };

/**
 * Port: the history of one execution, by its ARN (the adapter reads Step Functions, or an Express run's log group).
 * `recordedAt` is when the order recorded the run, always while it ran: where in time a log search looks.
 */
export interface ExecutionHistoryReader {
  read(executionArn: string, run?: { recordedAt: string }): Promise<ExecutionLookup>;
}

export interface OrderExecution {
  attempt: number;
  executionArn: string;
  /** When the order recorded the run (it took its attempt, or its failure was recorded). */
  recordedAt: string;
  name?: string;
  status: string;
  startDate?: string;
  stopDate?: string;
  error?: string;
  cause?: string;
  /** Why no history could be read (expired, an Express run whose log lines are gone or not found, ...). */
  unavailable?: string;
  /** Why the history shown may not be the whole run (an Express run's log lines missing, or the list cut). */
  incomplete?: string;
  steps: ExecutionStep[];
  events: ExecutionEvent[];
}

/** The runs an order knows of, oldest first: its recorded runs, and the run that owns its attempt if not among them. */
export function knownRuns(order: Pick<Order, 'runs' | 'execution' | 'attempt' | 'updatedAt'>): Array<{ attempt: number; execution: string; at: string }> {
  const runs = [...(order.runs ?? [])];
  if (order.execution && !runs.some((r) => r.execution === order.execution)) runs.push({ attempt: order.attempt, execution: order.execution, at: order.updatedAt });
  return runs;
}

/**
 * Each workflow run of a tenant's order with its state-by-state history. The execution ARNs come from the order itself
 * (read under the tenant's key), so a tenant can only ever reach its own orders' executions.
 */
export async function orderExecutions(deps: { orders: Pick<OrderStore, 'get'>; executions: ExecutionHistoryReader }, tenantId: string, orderId: string): Promise<{ orderId: string; status: Order['status']; executions: OrderExecution[] }> {
  const found = await deps.orders.get(tenantId, orderId);
  if (!found) throw new NotFoundError(`Order ${orderId} does not exist`);
  const runs = knownRuns(found.order);
  const lookups = await Promise.all(runs.map((run) => deps.executions.read(run.execution, { recordedAt: run.at })));
  const executions = runs.map((run, i): OrderExecution => {
    const lookup = lookups[i]!;
    if (!lookup.found) return { attempt: run.attempt, executionArn: run.execution, recordedAt: run.at, status: 'UNKNOWN', unavailable: lookup.reason, steps: [], events: [] };
    const { executionArn, events, ...rest } = lookup.execution;
    return { attempt: run.attempt, executionArn, recordedAt: run.at, ...rest, steps: executionSteps(events), events };
  });
  return { orderId, status: found.order.status, executions };
}
