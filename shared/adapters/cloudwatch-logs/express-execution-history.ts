import { CloudWatchLogsClient, FilterLogEventsCommand, ResourceNotFoundException, ThrottlingException, type FilterLogEventsCommandOutput } from '@aws-sdk/client-cloudwatch-logs';
import type { ExecutionHistoryReader, ExecutionLookup } from '#application/ops/executions';
import { stateMachineArnEnv, stateMachineLogGroupEnv } from '#config/names';
import { executionLogFilterPattern, executionLogWindows, isExecutionOf, isWholeRun, loggedExecution } from '#domain/ops/express-log-history';

/** Pages read per window at most: a busy log group is scanned in slices, some of them empty, each a request. */
export const MAX_PAGES_PER_WINDOW = 5;
/**
 * Log searches of one container at once. FilterLogEvents has a low per-account rate quota (Service Quotas); an order
 * page asks for each of its runs at once, so they queue here instead of being throttled.
 */
export const MAX_CONCURRENT_SEARCHES = 2;
/**
 * Time a read may take from when it was asked, queueing included: the runs of one order page are asked at once, so all
 * of them are answered within it, inside the function's 10 s timeout. A search past it stops paging and shows what it has.
 */
export const SEARCH_BUDGET_MS = 6_000;

/** The log group an Express state machine writes its executions to. */
export interface ExpressLogGroup {
  stateMachineArn: string;
  logGroupName: string;
}

/** The one call this adapter makes of CloudWatch Logs (the SDK client, or a fake in tests). */
export interface LogSearch {
  send(command: FilterLogEventsCommand): Promise<Pick<FilterLogEventsCommandOutput, 'events' | 'nextToken'>>;
}

/**
 * Reads an Express execution of one of `logGroups`' state machines from its log group, where Step Functions keeps an
 * Express run's history on AWS; any other execution (Standard, or a machine without a log group here, as on the local
 * cloud) is read by `fallback`. The run's lines are found with a filter on their execution ARN, first in a narrow
 * window around the moment the order recorded the run, then across the five minutes it may have lasted either side;
 * paging stops as soon as the lines are the whole run, and after MAX_PAGES_PER_WINDOW pages per window.
 */
export function expressExecutionHistory(options: {
  logGroups: readonly ExpressLogGroup[];
  fallback: ExecutionHistoryReader;
  logs?: LogSearch;
  now?: () => Date;
}): ExecutionHistoryReader {
  const logs = options.logs ?? new CloudWatchLogsClient({});
  const now = options.now ?? (() => new Date());
  const limit = concurrency(MAX_CONCURRENT_SEARCHES);
  return {
    async read(executionArn, run): Promise<ExecutionLookup> {
      const group = options.logGroups.find((g) => isExecutionOf(executionArn, g.stateMachineArn));
      if (!group) return options.fallback.read(executionArn, run);
      if (!run) return { found: false, reason: 'The order did not record when this run took place: its log group cannot be searched' };
      const deadline = now().getTime() + SEARCH_BUDGET_MS;
      return limit(() => searchLogGroup(logs, group.logGroupName, executionArn, run.recordedAt, now, deadline));
    },
  };
}

async function searchLogGroup(logs: LogSearch, logGroupName: string, executionArn: string, recordedAt: string, now: () => Date, deadline: number): Promise<ExecutionLookup> {
  const messages: string[] = [];
  const windows = executionLogWindows(recordedAt, now());
  const filterPattern = executionLogFilterPattern(executionArn);
  let outOfTime = false;
  try {
    for (const window of windows) {
      let nextToken: string | undefined;
      let pages = 0;
      do {
        if (now().getTime() >= deadline) {
          outOfTime = true;
          break;
        }
        const page = await logs.send(new FilterLogEventsCommand({ logGroupName, filterPattern, ...window, ...(nextToken ? { nextToken } : {}) }));
        for (const event of page.events ?? []) if (event.message) messages.push(event.message);
        nextToken = page.nextToken;
        pages += 1;
      } while (nextToken && pages < MAX_PAGES_PER_WINDOW && !isWholeRun(executionArn, messages));
      if (outOfTime || isWholeRun(executionArn, messages)) break;
    }
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return { found: false, reason: `The log group ${logGroupName} does not exist` };
    // Still throttled after the SDK's own retries: this run is shown as unavailable, the order's other runs as read.
    if (error instanceof ThrottlingException) return { found: false, reason: 'CloudWatch Logs is throttling log searches (FilterLogEvents quota): reload the page in a moment' };
    throw error;
  }
  const run = loggedExecution(executionArn, messages, now());
  if (!run && outOfTime) return { found: false, reason: 'The log search ran out of time (this order has many runs): reload the page to read this one' };
  if (!run) {
    const last = windows.at(-1);
    const span = last ? ` between ${new Date(last.startTime).toISOString()} and ${new Date(last.endTime).toISOString()}` : '';
    return { found: false, reason: `No log line of this Express run in ${logGroupName}${span} (lines are kept 3 months and arrive within seconds)` };
  }
  const { events, ...rest } = run;
  const incomplete = outOfTime && !isWholeRun(executionArn, messages) ? 'The log search ran out of time: this run may have more events (reload the page)' : run.incomplete;
  return { found: true, execution: { executionArn, ...rest, events, ...(incomplete ? { incomplete } : {}) } };
}

/** The Express state machines of `stateMachineIds` whose log group this process was told (AWS only). */
export function expressLogGroupsFromEnvironment(stateMachineIds: readonly string[], env: NodeJS.ProcessEnv = process.env): ExpressLogGroup[] {
  return stateMachineIds.flatMap((id) => {
    const stateMachineArn = env[stateMachineArnEnv(id)];
    const logGroupName = env[stateMachineLogGroupEnv(id)];
    return stateMachineArn && logGroupName ? [{ stateMachineArn, logGroupName }] : [];
  });
}

function concurrency(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    // A finishing task hands its slot to the next waiting one, so no newcomer slips in between.
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    else running += 1;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
}
