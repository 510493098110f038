import { putRoutingRules, putRoutingRulesSchema, RoutingRulesConflictError } from '#application/routing/routing-rules';
import { dynamoRoutingRulesStore } from '#adapters/dynamodb/fulfillment-store';
import { systemClock } from '#adapters/system/system';
import { httpHandler } from '#http/handler';
import { ConflictError, ValidationError } from '#http/problem';
import { fieldErrors, parseBody, tenantIdOf } from '#http/request';
import { json } from '#http/response';
import { ZodError } from 'zod';

const deps = { rules: dynamoRoutingRulesStore, clock: systemClock };

export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const body = parseBody(event, putRoutingRulesSchema);
  try {
    return json(200, await putRoutingRules(deps, tenantId, body));
  } catch (error) {
    if (error instanceof RoutingRulesConflictError) throw new ConflictError(error.message, [{ field: 'expectedVersion', message: `the current version is ${error.currentVersion}` }]);
    // Rules that are each valid but not as a document (the last rule set must be the catch-all, ids unique).
    if (error instanceof ZodError) throw new ValidationError(fieldErrors(error));
    throw error;
  }
});
