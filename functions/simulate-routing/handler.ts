import { runSimulation, simulationRequestSchema, TooManyDecisionsError } from '#application/routing/what-if';
import { dynamoDecisionRecords } from '#adapters/dynamodb/decision-record-store';
import { dynamoRoutingRulesStore } from '#adapters/dynamodb/fulfillment-store';
import { httpHandler } from '#http/handler';
import { ValidationError } from '#http/problem';
import { parseBody, tenantIdOf } from '#http/request';
import { json } from '#http/response';

const deps = { decisions: dynamoDecisionRecords, rules: dynamoRoutingRulesStore };

/**
 * POST /simulations: the tenant's recorded routing decisions of [from, to) replayed under candidate rule sets, side by
 * side with what was decided. Synchronous and read-only (docs/routing.md, "What-if"): nothing is stored.
 */
export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const body = parseBody(event, simulationRequestSchema);
  try {
    return json(200, await runSimulation(deps, tenantId, body));
  } catch (error) {
    if (error instanceof TooManyDecisionsError) throw new ValidationError([{ field: 'to', message: error.message }]);
    throw error;
  }
});
