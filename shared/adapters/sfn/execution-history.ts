import { DescribeExecutionCommand, ExecutionDoesNotExist, GetExecutionHistoryCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import type { ExecutionHistoryReader, ExecutionLookup } from '#application/ops/executions';
import { conciseCause, MAX_EVENTS, type ExecutionEvent } from '#domain/ops/execution-history';

const client = new SFNClient({});

function eventOf(event: HistoryEvent): ExecutionEvent {
  const details = Object.entries(event).filter(([key, value]) => key.endsWith('EventDetails') && value && typeof value === 'object').map(([, value]) => value as Record<string, unknown>);
  const named = details.find((d) => typeof d.name === 'string');
  const failed = details.find((d) => typeof d.error === 'string' || typeof d.cause === 'string');
  return {
    id: event.id ?? 0,
    ...(event.previousEventId !== undefined ? { previousEventId: event.previousEventId } : {}),
    type: String(event.type),
    timestamp: (event.timestamp ?? new Date(0)).toISOString(),
    ...(named ? { stateName: String(named.name) } : {}),
    ...(failed?.error !== undefined ? { error: String(failed.error) } : {}),
    ...(failed?.cause !== undefined ? { cause: conciseCause(String(failed.cause)) } : {}),
  };
}

/**
 * Step Functions' own record of an execution, without inputs and outputs (they carry tenant data). On AWS an Express
 * execution has no history in Step Functions (it is in the state machine's log group): that run is answered as
 * unavailable, with the reason, rather than failing the whole answer.
 */
export const sfnExecutionHistory: ExecutionHistoryReader = {
  async read(executionArn): Promise<ExecutionLookup> {
    try {
      const described = await client.send(new DescribeExecutionCommand({ executionArn }));
      const events: ExecutionEvent[] = [];
      let nextToken: string | undefined;
      do {
        const page = await client.send(new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false, maxResults: 500, ...(nextToken ? { nextToken } : {}) }));
        events.push(...(page.events ?? []).map(eventOf));
        nextToken = page.nextToken;
      } while (nextToken && events.length < MAX_EVENTS);
      return {
        found: true,
        execution: {
          executionArn,
          name: described.name ?? '',
          status: String(described.status),
          startDate: (described.startDate ?? new Date(0)).toISOString(),
          ...(described.stopDate ? { stopDate: described.stopDate.toISOString() } : {}),
          ...(described.error ? { error: described.error } : {}),
          ...(described.cause ? { cause: conciseCause(described.cause) } : {}),
          events,
        },
      };
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return { found: false, reason: 'Step Functions no longer knows this execution (its history expired)' };
      const name = error instanceof Error ? error.name : '';
      if (executionArn.includes(':express:') && /InvalidArn|Validation|UnsupportedOperation|AccessDenied/.test(name)) {
        return { found: false, reason: 'Express executions keep no history in Step Functions: see the state machine\'s log group' };
      }
      throw error;
    }
  },
};
