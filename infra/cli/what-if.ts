/**
 * `npx dom simulate` (issue 15, what-if): a candidate rule set replayed over a period of recorded decisions, and the
 * shadow rule set's KPIs (the peak day is peak.ts). dom.ts parses the command line and points the adapters at a cloud
 * before it loads this module.
 */
import { runSimulation, shadowKpis, simulationRequestSchema } from '#application/routing/what-if';
import { dynamoDecisionRecords } from '#adapters/dynamodb/decision-record-store';
import { dynamoRoutingRulesStore } from '#adapters/dynamodb/fulfillment-store';

export class SimulationInputError extends Error {}

/**
 * The candidate rules file holds the rule sets as PUT /routing-rules takes them: `{ "ruleSets": [...] }` or the list
 * itself. The request is checked by the API's own schema, so the CLI refuses what POST /simulations refuses.
 */
export async function simulateNow(tenantId: string, options: { rules: unknown; from: string; to: string; channels?: string[]; skus?: string[]; firstAttemptOnly?: boolean; top?: number }) {
  const ruleSets = Array.isArray(options.rules) ? options.rules : (options.rules as { ruleSets?: unknown })?.ruleSets;
  const filter = {
    ...(options.channels ? { channels: options.channels } : {}),
    ...(options.skus ? { skus: options.skus } : {}),
    ...(options.firstAttemptOnly ? { firstAttemptOnly: true } : {}),
  };
  const parsed = simulationRequestSchema.safeParse({ rules: ruleSets, from: options.from, to: options.to, ...(Object.keys(filter).length ? { filter } : {}), ...(options.top !== undefined ? { top: options.top } : {}) });
  if (!parsed.success) throw new SimulationInputError(parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
  return runSimulation({ decisions: dynamoDecisionRecords, rules: dynamoRoutingRulesStore }, tenantId, parsed.data);
}

export function shadowKpisNow(tenantId: string, from: string, to: string) {
  return shadowKpis({ decisions: dynamoDecisionRecords }, tenantId, new Date(from).toISOString(), new Date(to).toISOString());
}
