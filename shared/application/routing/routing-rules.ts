import { z } from 'zod';
import { MAX_RULE_SETS, routingRulesSchema, ruleSetSchema, type RoutingRules } from '#domain/routing/rules';
import type { Clock } from '../ports.ts';

/** A version is stored as one item (twice: current and history); DynamoDB items hold at most 400 KB. */
export const MAX_RULE_SETS_BYTES = 256 * 1024;

/** What a merchant sends: the rule sets, and optionally the version it edited (a stale one is a conflict). */
export const putRoutingRulesSchema = z
  .strictObject({
    ruleSets: z
      .array(ruleSetSchema)
      .min(1, 'must hold at least one rule set')
      .max(MAX_RULE_SETS, `must hold at most ${MAX_RULE_SETS} rule sets`)
      // Measured as stored, with the defaults filled in: that is what must fit in the item.
      .refine((ruleSets) => Buffer.byteLength(JSON.stringify(ruleSets)) <= MAX_RULE_SETS_BYTES, `must be at most ${MAX_RULE_SETS_BYTES} bytes as JSON, defaults filled in`)
      .describe(`At most ${MAX_RULE_SETS} rule sets, ${MAX_RULE_SETS_BYTES} bytes as JSON once defaults are filled in; the last must have an empty scope (the catch-all)`),
    expectedVersion: z.number().int().min(0).optional().describe('The version this edit started from; 0 when the tenant has none yet'),
  })
  .meta({ id: 'PutRoutingRules' });

export interface StoredRoutingRules {
  rules: RoutingRules;
  updatedAt: string;
  /** True when the tenant has stored none and these are the defaults. */
  isDefault: boolean;
}

export interface RoutingRulesStore {
  get(tenantId: string): Promise<StoredRoutingRules>;
  /** Stores `rules` (whose version is the previous + 1) if the stored version is still `previousVersion`, keeping every version. */
  put(rules: RoutingRules, previousVersion: number, updatedAt: string): Promise<boolean>;
}

export class RoutingRulesConflictError extends Error {
  override readonly name = 'RoutingRulesConflictError';
  constructor(readonly currentVersion: number) {
    super(`The routing rules changed meanwhile: the current version is ${currentVersion}; re-read them and edit that version`);
  }
}

/**
 * Replaces a tenant's routing rules with a new version. Versions only grow, every version is kept (a routing decision
 * records the version that made it), and the rule document is validated as a whole: the last rule set must be the
 * catch-all, ids unique. Running workflows pick the new version up within the settings cache (30 s).
 */
export async function putRoutingRules(
  deps: { rules: RoutingRulesStore; clock: Clock },
  tenantId: string,
  input: z.output<typeof putRoutingRulesSchema>,
): Promise<RoutingRules> {
  const current = await deps.rules.get(tenantId);
  const currentVersion = current.isDefault ? 0 : current.rules.version;
  if (input.expectedVersion !== undefined && input.expectedVersion !== currentVersion) throw new RoutingRulesConflictError(currentVersion);
  const next = routingRulesSchema.parse({ schemaVersion: 1, tenantId, version: currentVersion + 1, ruleSets: input.ruleSets });
  if (!(await deps.rules.put(next, currentVersion, deps.clock.now().toISOString()))) throw new RoutingRulesConflictError(currentVersion + 1);
  return next;
}
