import { redriveTenantDeadLetters } from '#application/ops/dead-letters';
import { sqsDeadLetterQueues } from '#adapters/sqs/dead-letter-queues';
import { httpHandler } from '#http/handler';
import { redrivePathSchema } from '#http/ops-schemas';
import { pathParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

const deps = { deadLetters: sqsDeadLetterQueues };

/** POST /ops/dead-letters/{queue}/redrive: moves the calling tenant's dead letters of the queue back to it. */
export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const { queue } = pathParameters(event, redrivePathSchema);
  return json(200, await redriveTenantDeadLetters(deps, tenantId, queue));
});
