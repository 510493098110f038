import { z } from 'zod';
import { BACKORDER_AGES } from '#domain/ops/kpis';
import { REDRIVABLE_QUEUES } from '#domain/ops/dead-letters';
import { ORDER_STATUSES } from '#domain/orders/order';
import { ValidationError } from './problem.ts';

/** Request and response schemas of the ops console's routes (operations.ts lists the routes). */

const executionEventSchema = z.object({
  id: z.number().int(),
  previousEventId: z.number().int().optional(),
  type: z.string(),
  timestamp: z.string(),
  stateName: z.string().optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
});

const executionStepSchema = z.object({
  state: z.string(),
  kind: z.string(),
  enteredAt: z.string(),
  exitedAt: z.string().optional(),
  durationMs: z.number().optional(),
  status: z.enum(['SUCCEEDED', 'CAUGHT', 'FAILED', 'RUNNING']),
  retries: z.number().int(),
  error: z.string().optional(),
  cause: z.string().optional(),
});

export const orderExecutionsSchema = z
  .object({
    orderId: z.string(),
    status: z.enum(ORDER_STATUSES),
    executions: z.array(
      z.object({
        attempt: z.number().int(),
        executionArn: z.string(),
        recordedAt: z.string(),
        name: z.string().optional(),
        status: z.string().describe('RUNNING, SUCCEEDED, FAILED, ... or UNKNOWN when no history could be read'),
        startDate: z.string().optional(),
        stopDate: z.string().optional(),
        error: z.string().optional(),
        cause: z.string().optional(),
        unavailable: z.string().optional().describe('Why no history could be read'),
        incomplete: z.string().optional().describe('Why the events listed may not be the whole run (an Express run\'s log lines missing on AWS, or more than 1,000 events)'),
        steps: z.array(executionStepSchema).describe('The states the run went through, in order'),
        events: z.array(executionEventSchema).describe('The execution history, without inputs and outputs'),
      }),
    ),
  })
  .meta({ id: 'OrderExecutions' });

export const deadLettersSchema = z
  .object({
    queues: z.array(
      z.object({
        queue: z.enum(REDRIVABLE_QUEUES),
        count: z.number().int(),
        complete: z.boolean().describe('False when the DLQ held more than one look reads: there may be more'),
        messages: z.array(
          z.object({
            messageId: z.string(),
            receiveCount: z.number().int(),
            sentAt: z.string().optional(),
            kind: z.string(),
            orderId: z.string().optional(),
            webhookId: z.string().optional(),
            eventId: z.string().optional(),
            adjustments: z.number().int().optional(),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'DeadLetters' });

export const redrivePathSchema = z.strictObject({ queue: z.enum(REDRIVABLE_QUEUES, { error: `must be one of ${REDRIVABLE_QUEUES.join(', ')}` }) });

export const redriveResultSchema = z
  .object({
    queue: z.enum(REDRIVABLE_QUEUES),
    moved: z.number().int().describe('Dead letters of yours sent back to the queue'),
    failed: z.number().int().describe('Dead letters that could not be moved now (they stay dead letters)'),
    complete: z.boolean().describe('False when the DLQ held more than one redrive reads: call again'),
  })
  .meta({ id: 'RedriveResult' });

/** At most a month per KPI request: the orders of a longer window are more than one request reads. */
export const MAX_KPI_WINDOW_DAYS = 31;

export const kpisQuerySchema = z
  .strictObject({
    from: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional().describe('Start of the window (default: 24 hours before `to`)'),
    to: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional().describe('End of the window, excluded (default: now)'),
  });

const nullableNumber = z.number().nullable();

export const kpisSchema = z
  .object({
    window: z.object({ from: z.string(), to: z.string(), bucketMinutes: z.number().int() }),
    truncated: z.boolean().describe('The window held more orders than one request reads: the newest were used'),
    orders: z.object({ total: z.number().int(), byStatus: z.record(z.string(), z.number().int()) }),
    perMinute: z.array(z.object({ at: z.string(), accepted: z.number(), allocated: z.number() })),
    timeToAllocate: z.object({ orders: z.number().int(), p50Ms: nullableNumber, p99Ms: nullableNumber }),
    parcelsPerOrder: z.object({ orders: z.number().int(), mean: nullableNumber, distribution: z.array(z.object({ parcels: z.number().int(), orders: z.number().int() })) }),
    shippingCostPerOrder: z.object({ orders: z.number().int(), mean: nullableNumber, total: z.number() }),
    co2PerOrder: z.object({ orders: z.number().int(), meanGrams: nullableNumber, totalGrams: z.number() }),
    onTime: z.object({ due: z.number().int(), onTime: z.number().int(), share: nullableNumber }),
    backorders: z.object({ orders: z.number().int(), units: z.number().int(), byAge: z.array(z.object({ age: z.enum(BACKORDER_AGES), orders: z.number().int(), units: z.number().int() })) }),
    stockOuts: z.object({
      items: z.array(z.object({ sku: z.string(), locationId: z.string() })),
      bySku: z.array(z.object({ sku: z.string(), locations: z.number().int(), backorderedUnits: z.number().int() })),
    }),
    reroutes: z.object({ total: z.number().int(), byReason: z.array(z.object({ reason: z.string(), count: z.number().int() })) }),
  })
  .meta({ id: 'Kpis' });

/** The KPI window from the query: defaults filled in, and refused (422 naming the field) when empty, reversed or too long. */
export function kpiWindow(query: z.output<typeof kpisQuerySchema>, now: Date): { from: Date; to: Date } {
  const to = query.to ? new Date(query.to) : now;
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - 24 * 3_600_000);
  if (from.getTime() >= to.getTime()) throw new ValidationError([{ field: 'query.from', message: 'must be before `to`' }]);
  if (to.getTime() - from.getTime() > MAX_KPI_WINDOW_DAYS * 86_400_000) throw new ValidationError([{ field: 'query.from', message: `must be at most ${MAX_KPI_WINDOW_DAYS} days before \`to\`` }]);
  return { from, to };
}
