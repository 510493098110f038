/**
 * What-if before go-live (issue 15): simulations of a candidate rule set over a tenant's recorded routing decisions,
 * shadow rule sets, and the shadow KPIs. The decisions are recorded by the fulfil step, in its one transaction.
 */
import { z } from 'zod';
import type { DecisionRecord } from '#domain/orders/decision-record';
import { aggregateShadowDeltas, simulate, withShadowDecision, type ShadowKpis, type ShadowRules, type SimulationReport } from '#domain/orders/what-if';
import { channelSchema, skuSchema } from '#domain/inventory/schemas';
import { routingRulesSchema, scopeSchema, type RoutingRules } from '#domain/routing/rules';
import type { Clock } from '../ports.ts';
import { putRoutingRulesSchema, type RoutingRulesStore } from './routing-rules.ts';

/** A simulation runs inside one API call (see docs/routing.md, "What-if"): at most this many decisions... */
export const MAX_SIMULATION_DECISIONS = 20_000;
/** ...over at most this many days. */
export const MAX_SIMULATION_DAYS = 31;

/** The tenant's recorded decisions, by the instant they were decided. */
export interface DecisionRecordReader {
  /** Decisions with `from <= decidedAt < to`, oldest first; at most `limit` (the caller asks one more to see if there are more). */
  list(tenantId: string, from: string, to: string, limit: number): Promise<DecisionRecord[]>;
}

export interface ShadowRulesStore {
  get(tenantId: string): Promise<ShadowRules | undefined>;
  /** Stores the shadow if the stored one still has `previousVersion` (0: none); false when it moved. */
  put(tenantId: string, shadow: ShadowRules, previousVersion: number): Promise<boolean>;
  remove(tenantId: string): Promise<void>;
}

/** The rule sets of a candidate or shadow document: the same bounds and whole-document checks as PUT /routing-rules. */
function ruleSetsField<K extends string>(key: K) {
  return putRoutingRulesSchema.shape.ruleSets.superRefine((ruleSets, ctx) => {
    // An empty list is refused by the list's own bound; the document's checks need a last rule set.
    if (ruleSets.length === 0) return;
    const whole = routingRulesSchema.safeParse({ schemaVersion: 1, tenantId: 'candidate', version: 1, ruleSets });
    if (whole.success) return;
    // The document's own checks (catch-all last, unique ids), re-pathed from `ruleSets...` onto this field.
    for (const issue of whole.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path.slice(1) as PropertyKey[] });
  }).describe(`The candidate rule sets, as PUT /routing-rules takes them (the last must be the catch-all); labelled with the version a PUT would give them (${key})`);
}

const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time, e.g. 2026-12-01T00:00:00Z' });

export const simulationRequestSchema = z
  .strictObject({
    rules: ruleSetsField('rules'),
    from: instant.describe('Start of the period (inclusive): decisions made at or after it'),
    to: instant.describe(`End of the period (exclusive); at most ${MAX_SIMULATION_DAYS} days after from`),
    filter: z
      .strictObject({
        channels: z.array(channelSchema).min(1).max(100, 'must hold at most 100 channels').optional(),
        skus: z.array(skuSchema).min(1).max(1000, 'must hold at most 1000 SKUs').optional(),
        firstAttemptOnly: z.boolean().optional().describe('Leave out re-routes (attempts after the first)'),
      })
      .optional(),
    top: z.number().int().min(0).max(20, 'must be <= 20').optional().describe('How many of the biggest changes to explain (default 20)'),
  })
  .superRefine((body, ctx) => {
    const from = Date.parse(body.from);
    const to = Date.parse(body.to);
    if (!(to > from)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    else if (to - from > MAX_SIMULATION_DAYS * 86_400_000) ctx.addIssue({ code: 'custom', path: ['to'], message: `must be at most ${MAX_SIMULATION_DAYS} days after from` });
  })
  .meta({ id: 'SimulationRequest' });
export type SimulationRequest = z.output<typeof simulationRequestSchema>;

export class TooManyDecisionsError extends Error {
  override readonly name = 'TooManyDecisionsError';
  constructor(readonly limit: number) {
    super(`The period holds more than ${limit} routing decisions: narrow from/to or the filter, or simulate the period in parts`);
  }
}

export interface SimulationResult extends SimulationReport {
  from: string;
  to: string;
  /** The version the candidate was labelled with: the one PUT /routing-rules would give it now. */
  candidateVersion: number;
  currentVersion: number;
  /** Decisions read for the period (before the filter). */
  recorded: number;
  /** Time spent replaying, and the rate: the figure that bounds a simulation's size in one call. */
  replayMs: number;
  replayedPerSecond: number;
}

/**
 * Replays the tenant's recorded decisions of [from, to) under the candidate rules and reports them side by side with
 * what was decided. Reads the decisions once; the replay is pure (domain/orders/what-if.ts).
 */
export async function runSimulation(
  deps: { decisions: DecisionRecordReader; rules: RoutingRulesStore; clockMs?: () => number },
  tenantId: string,
  input: SimulationRequest,
): Promise<SimulationResult> {
  const current = await deps.rules.get(tenantId);
  const currentVersion = current.isDefault ? 0 : current.rules.version;
  const candidate: RoutingRules = routingRulesSchema.parse({ schemaVersion: 1, tenantId, version: currentVersion + 1, ruleSets: input.rules });
  const from = new Date(input.from).toISOString();
  const to = new Date(input.to).toISOString();
  const records = await deps.decisions.list(tenantId, from, to, MAX_SIMULATION_DECISIONS + 1);
  if (records.length > MAX_SIMULATION_DECISIONS) throw new TooManyDecisionsError(MAX_SIMULATION_DECISIONS);
  const clock = deps.clockMs ?? (() => performance.now());
  const started = clock();
  const report = simulate(records, candidate, { ...(input.filter ? { filter: input.filter } : {}), ...(input.top !== undefined ? { top: input.top } : {}) });
  const replayMs = clock() - started;
  return {
    from,
    to,
    candidateVersion: candidate.version,
    currentVersion,
    recorded: records.length,
    ...report,
    replayMs: Math.round(replayMs),
    replayedPerSecond: replayMs > 0 ? Math.round((report.comparison.decisions / replayMs) * 1000) : 0,
  };
}

export const putShadowRulesSchema = z
  .strictObject({
    ruleSets: ruleSetsField('ruleSets'),
    scope: scopeSchema.optional().describe('The orders routed a second time under the shadow; absent: every order'),
    expectedVersion: z.number().int().min(0).optional().describe('The shadow version this edit replaces; 0 when none is installed'),
  })
  .meta({ id: 'PutShadowRules' });

export class ShadowRulesConflictError extends Error {
  override readonly name = 'ShadowRulesConflictError';
  constructor(readonly currentVersion: number) {
    super(`The shadow rules changed meanwhile: the current version is ${currentVersion}`);
  }
}

/**
 * Installs (or replaces) the tenant's shadow rule set: from the next routing on (within the router's 30 s settings
 * cache), every order in its scope is routed a second time under it, without reserving anything, and the difference is
 * stored on the decision's record.
 */
export async function installShadowRules(deps: { shadows: ShadowRulesStore; clock: Clock }, tenantId: string, input: z.output<typeof putShadowRulesSchema>): Promise<ShadowRules> {
  const current = await deps.shadows.get(tenantId);
  const currentVersion = current?.rules.version ?? 0;
  if (input.expectedVersion !== undefined && input.expectedVersion !== currentVersion) throw new ShadowRulesConflictError(currentVersion);
  const shadow: ShadowRules = {
    rules: routingRulesSchema.parse({ schemaVersion: 1, tenantId, version: currentVersion + 1, ruleSets: input.ruleSets }),
    scope: input.scope ?? {},
    installedAt: deps.clock.now().toISOString(),
  };
  if (!(await deps.shadows.put(tenantId, shadow, currentVersion))) throw new ShadowRulesConflictError(currentVersion + 1);
  return shadow;
}

export const shadowKpisQuerySchema = z
  .strictObject({ from: instant, to: instant })
  .superRefine((q, ctx) => {
    const span = Date.parse(q.to) - Date.parse(q.from);
    if (!(span > 0)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    else if (span > MAX_SIMULATION_DAYS * 86_400_000) ctx.addIssue({ code: 'custom', path: ['to'], message: `must be at most ${MAX_SIMULATION_DAYS} days after from` });
  });

/**
 * Shadow mode's KPI over a period: what the shadow rules would have changed (cost, parcels, CO2, promised days, share
 * of orders) against what was decided. For the ops console's KPI endpoint; the aggregation itself is the pure
 * `aggregateShadowDeltas` (domain/orders/what-if.ts), callable on any set of records.
 */
export async function shadowKpis(deps: { decisions: DecisionRecordReader }, tenantId: string, from: string, to: string): Promise<ShadowKpis & { from: string; to: string; truncated: boolean }> {
  const records = await deps.decisions.list(tenantId, from, to, MAX_SIMULATION_DECISIONS + 1);
  const truncated = records.length > MAX_SIMULATION_DECISIONS;
  return { from, to, ...aggregateShadowDeltas(records.slice(0, MAX_SIMULATION_DECISIONS)), truncated };
}

/** The live path's hook: the record with the shadow's decision, when a shadow is installed and takes the order. */
export { withShadowDecision };
