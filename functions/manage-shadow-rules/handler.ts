import { installShadowRules, putShadowRulesSchema, shadowKpis, shadowKpisQuerySchema, ShadowRulesConflictError } from '#application/routing/what-if';
import { dynamoDecisionRecords, dynamoShadowRulesStore } from '#adapters/dynamodb/decision-record-store';
import { systemClock } from '#adapters/system/system';
import { httpHandler } from '#http/handler';
import { ConflictError, NotFoundError } from '#http/problem';
import { parseBody, queryParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

const deps = { shadows: dynamoShadowRulesStore, decisions: dynamoDecisionRecords, clock: systemClock };

/**
 * The shadow rule set (what-if, issue 15): PUT installs it, GET shows it, DELETE removes it (idempotent), and
 * GET /routing-rules/shadow/kpis?from&to reports what it would have changed over a period.
 */
export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  if (event.resource.endsWith('/kpis')) {
    const { from, to } = queryParameters(event, shadowKpisQuerySchema);
    return json(200, await shadowKpis(deps, tenantId, new Date(from).toISOString(), new Date(to).toISOString()));
  }
  switch (event.httpMethod) {
    case 'PUT':
      try {
        return json(200, await installShadowRules(deps, tenantId, parseBody(event, putShadowRulesSchema)));
      } catch (error) {
        if (error instanceof ShadowRulesConflictError) throw new ConflictError(error.message, [{ field: 'expectedVersion', message: `the current version is ${error.currentVersion}` }]);
        throw error;
      }
    case 'DELETE':
      await deps.shadows.remove(tenantId);
      return { statusCode: 204, headers: {}, body: '' };
    default: {
      const shadow = await deps.shadows.get(tenantId);
      if (!shadow) throw new NotFoundError('No shadow rule set is installed');
      return json(200, shadow);
    }
  }
});
