import { listTenantDeadLetters } from '#application/ops/dead-letters';
import { sqsDeadLetterQueues } from '#adapters/sqs/dead-letter-queues';
import { httpHandler } from '#http/handler';
import { tenantIdOf } from '#http/request';
import { json } from '#http/response';

const deps = { deadLetters: sqsDeadLetterQueues };

/** GET /ops/dead-letters: the calling tenant's dead letters in each redrivable queue, summarised and left in place. */
export const handler = httpHandler(async (event) => json(200, await listTenantDeadLetters(deps, tenantIdOf(event))));
