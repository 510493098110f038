import { REDRIVABLE_QUEUES, summarizeDeadLetter, tenantOfDeadLetter, type DeadLetterSummary, type RedrivableQueue } from '#domain/ops/dead-letters';

export interface DeadLetter {
  messageId: string;
  body: unknown;
  receiveCount: number;
  sentAt?: string;
}

/** Port: the DLQs of the redrivable queues (shared by all tenants: the use cases below pick a tenant's messages). */
export interface DeadLetterQueues {
  /** Reads up to `max` dead letters of a queue and leaves them all in place; `complete` when the DLQ was read to its end. */
  peek(queue: RedrivableQueue, max: number): Promise<{ messages: DeadLetter[]; complete: boolean }>;
  /**
   * Moves the dead letters `select` picks back to their queue (sent, then deleted from the DLQ; a message that could not
   * be sent stays) and leaves the others in place, reading at most `max`. Two redrives at once never move one message
   * twice: a message being read by one is hidden from the other.
   */
  redrive(queue: RedrivableQueue, select: (body: unknown) => boolean, max: number): Promise<{ moved: number; failed: number; complete: boolean }>;
}

/** Dead letters read per queue and call: a DLQ holding more is reported as not read to its end. */
export const MAX_DEAD_LETTERS_READ = 200;

export interface TenantDeadLetters {
  queue: RedrivableQueue;
  count: number;
  /** False when the DLQ held more messages than one look reads: there may be more of this tenant's. */
  complete: boolean;
  messages: Array<Omit<DeadLetter, 'body'> & DeadLetterSummary>;
}

/** The tenant's dead letters in every redrivable queue's DLQ, summarised (never the payload), left where they are. */
export async function listTenantDeadLetters(deps: { deadLetters: DeadLetterQueues }, tenantId: string): Promise<{ queues: TenantDeadLetters[] }> {
  const queues = await Promise.all(
    REDRIVABLE_QUEUES.map(async (queue): Promise<TenantDeadLetters> => {
      const { messages, complete } = await deps.deadLetters.peek(queue, MAX_DEAD_LETTERS_READ);
      const mine = messages.filter((m) => tenantOfDeadLetter(m.body) === tenantId).map(({ body, ...m }) => ({ ...m, ...summarizeDeadLetter(queue, body) }));
      return { queue, count: mine.length, complete, messages: mine };
    }),
  );
  return { queues };
}

/** Moves the tenant's dead letters of one queue back to it; other tenants' stay where they are. */
export async function redriveTenantDeadLetters(deps: { deadLetters: DeadLetterQueues }, tenantId: string, queue: RedrivableQueue) {
  const outcome = await deps.deadLetters.redrive(queue, (body) => tenantOfDeadLetter(body) === tenantId, 10 * MAX_DEAD_LETTERS_READ);
  return { queue, ...outcome };
}
