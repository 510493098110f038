/**
 * What-if before go-live (issue 15): recorded decisions replayed under a candidate rule set, side by side with what
 * was decided, and the shadow rule set's decisions aggregated the same way. Pure: the replay is the fulfil step's own
 * routing (same preference resolution, same split override, same engine) on the input the decision recorded.
 */
import { routeOrder } from '../routing/route-order.ts';
import { selectRuleSet, type RoutingRules, type RuleSet } from '../routing/rules.ts';
import { candidatesFor, summariseDecision, type DecisionRecord, type DecisionSummary } from './decision-record.ts';
import { preferenceOf } from './planning.ts';

/** The replay's search bound: a node cap instead of the live path's 50 ms, so a replay is the same on any machine. */
export const REPLAY_MAX_NODES = 100_000;

export interface Replayed {
  summary: DecisionSummary;
  explanation: readonly string[];
}

/** Routes the recorded input again under `rules`, as the fulfil step would have. */
export function replayDecision(record: DecisionRecord, rules: RoutingRules, options: { explain?: boolean; budget?: { timeBudgetMs: number; now: () => number } } = {}): Replayed {
  const { request } = record;
  // Candidates are priced for the preference the fulfil step would price them with under these rules (planning.ts).
  const categories = [...new Set(request.lines.flatMap((l) => (l.category ? [l.category] : [])))];
  const pricing = preferenceOf({ orderId: request.orderId, channel: request.channel ?? '', preference: request.customer?.preference }, rules, {
    categories,
    scope: { destinationRegions: request.destination.regions ?? [], locationRegions: new Map(), ...(request.defaults ? { defaults: request.defaults } : {}) },
  });
  const decision = routeOrder({
    ...request,
    locations: candidatesFor(record, pricing),
    rules,
    budget: { maxNodes: REPLAY_MAX_NODES, ...options.budget },
    explain: options.explain !== false,
  });
  return { summary: summariseDecision(decision), explanation: decision.explanation.text };
}

/** Two decisions of one order allocate alike when every location ships the same units of the same SKUs. */
export function sameAllocation(a: DecisionSummary, b: DecisionSummary): boolean {
  if (a.alloc.length !== b.alloc.length) return false;
  return a.alloc.every((x, i) => x[0] === b.alloc[i]![0] && x[1] === b.alloc[i]![1] && x[2] === b.alloc[i]![2]);
}

export interface Figures {
  /** Money of the engine's cost model, all decisions together. */
  shippingCost: number;
  shippingCostPerOrder: number;
  parcelsPerOrder: number;
  co2KgPerOrder: number;
  /** Mean over decisions with a parcel of the latest parcel's promised days. */
  promisedDays: number;
  unitsUnfilled: number;
}

export interface Comparison {
  decisions: number;
  changed: number;
  /** changed / decisions (0 without decisions). */
  shareChanged: number;
  before: Figures;
  after: Figures;
  /** after - before, figure by figure. */
  delta: Figures;
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

function figures(summaries: readonly DecisionSummary[]): Figures {
  let cost = 0;
  let parcels = 0;
  let co2 = 0;
  let days = 0;
  let withParcels = 0;
  let unfilled = 0;
  for (const s of summaries) {
    cost += s.cost;
    parcels += s.parcels;
    co2 += s.co2Kg;
    unfilled += s.unfilled;
    if (s.parcels > 0) {
      days += s.days;
      withParcels++;
    }
  }
  const n = summaries.length || 1;
  return {
    shippingCost: r4(cost),
    shippingCostPerOrder: r4(cost / n),
    parcelsPerOrder: r4(parcels / n),
    co2KgPerOrder: r4(co2 / n),
    promisedDays: r4(withParcels ? days / withParcels : 0),
    unitsUnfilled: unfilled,
  };
}

/** Side by side: what was decided and what the other rules decide, over the same decisions. */
export function compareDecisions(pairs: ReadonlyArray<{ before: DecisionSummary; after: DecisionSummary }>): Comparison {
  const before = figures(pairs.map((p) => p.before));
  const after = figures(pairs.map((p) => p.after));
  const changed = pairs.filter((p) => !sameAllocation(p.before, p.after)).length;
  const delta = Object.fromEntries(Object.keys(before).map((k) => [k, r4(after[k as keyof Figures] - before[k as keyof Figures])])) as unknown as Figures;
  return { decisions: pairs.length, changed, shareChanged: pairs.length ? r4(changed / pairs.length) : 0, before, after, delta };
}

export interface Change {
  orderId: string;
  attempt: number;
  decidedAt: string;
  before: DecisionSummary;
  after: DecisionSummary;
  delta: { cost: number; parcels: number; co2Kg: number; days: number; unfilled: number };
  /** The candidate rules' explanation of their decision (candidates, exclusions, costs, runner-up). */
  explanation: readonly string[];
}

export interface SimulationFilter {
  /** Only orders of these channels (as stored: lower case). */
  channels?: readonly string[];
  /** Only orders with a line of one of these SKUs. */
  skus?: readonly string[];
  /** Only each order's first routing attempt (re-routes after a rejection or a restock left out). */
  firstAttemptOnly?: boolean;
}

export interface SimulationReport {
  comparison: Comparison;
  /** Decided under these rule versions, with how many decisions each. */
  decidedUnder: Record<string, number>;
  /** Decisions whose live search stopped on its time budget: their replay may differ without a rule change. */
  decidedWithoutProof: number;
  /** Decisions whose input was too large to record (left out of the comparison). */
  notReplayable: number;
  /** The biggest changes, by absolute cost change, then unfilled units, parcels and days. */
  biggestChanges: Change[];
}

export const MAX_BIGGEST_CHANGES = 20;

export function matchesFilter(record: DecisionRecord, filter: SimulationFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.firstAttemptOnly && record.attempt !== 1) return false;
  const { channel, lines } = record.request;
  if (filter.channels && (channel === undefined || !filter.channels.includes(channel))) return false;
  if (filter.skus && !lines.some((l) => filter.skus!.includes(l.sku))) return false;
  return true;
}

const deltaOf = (before: DecisionSummary, after: DecisionSummary): Change['delta'] => ({
  cost: r4(after.cost - before.cost),
  parcels: after.parcels - before.parcels,
  co2Kg: r4(after.co2Kg - before.co2Kg),
  days: after.days - before.days,
  unfilled: after.unfilled - before.unfilled,
});

const magnitude = (d: Change['delta']): number[] => [Math.abs(d.cost), Math.abs(d.unfilled), Math.abs(d.parcels), Math.abs(d.days)];

function bigger(a: Change['delta'], b: Change['delta']): number {
  const x = magnitude(a);
  const y = magnitude(b);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return y[i]! - x[i]!;
  return 0;
}

/**
 * Replays every recorded decision (in `records` order) that passes the filter under `rules` and reports it side by
 * side with what was decided. Only the changes that make the top list are explained (routed again with the
 * runner-up): the replay itself skips the runner-up search.
 */
export function simulate(records: readonly DecisionRecord[], rules: RoutingRules, options: { filter?: SimulationFilter; top?: number } = {}): SimulationReport {
  const top = Math.min(options.top ?? MAX_BIGGEST_CHANGES, MAX_BIGGEST_CHANGES);
  const pairs: Array<{ before: DecisionSummary; after: DecisionSummary }> = [];
  const decidedUnder: Record<string, number> = {};
  let decidedWithoutProof = 0;
  let notReplayable = 0;
  let biggest: Array<{ record: DecisionRecord; after: DecisionSummary; delta: Change['delta'] }> = [];
  for (const record of records) {
    if (!matchesFilter(record, options.filter)) continue;
    if (record.inputOmitted) {
      notReplayable++;
      continue;
    }
    const before = record.decided;
    const { summary: after } = replayDecision(record, rules, { explain: false });
    pairs.push({ before, after });
    decidedUnder[before.ruleSet] = (decidedUnder[before.ruleSet] ?? 0) + 1;
    if (!before.optimal) decidedWithoutProof++;
    if (top > 0 && !sameAllocation(before, after)) {
      const delta = deltaOf(before, after);
      if (biggest.length < top || bigger(delta, biggest[biggest.length - 1]!.delta) < 0) {
        biggest.push({ record, after, delta });
        biggest.sort((a, b) => bigger(a.delta, b.delta));
        if (biggest.length > top) biggest = biggest.slice(0, top);
      }
    }
  }
  return {
    comparison: compareDecisions(pairs),
    decidedUnder,
    decidedWithoutProof,
    notReplayable,
    biggestChanges: biggest.map(({ record, after, delta }) => ({
      orderId: record.orderId,
      attempt: record.attempt,
      decidedAt: record.decidedAt,
      before: record.decided,
      after,
      delta,
      explanation: replayDecision(record, rules).explanation,
    })),
  };
}

/** A shadow rule set: every real order in its scope is routed a second time under it (no reservation). */
export interface ShadowRules {
  rules: RoutingRules;
  /** The orders it shadows (the rule sets' scope semantics); empty: every order. */
  scope: RuleSet['scope'];
  installedAt: string;
}

const scopeProbes = new WeakMap<ShadowRules, RoutingRules>();

/** Whether the shadow's scope takes the order, decided by the rule engine's own scope matching. */
export function shadowApplies(shadow: ShadowRules, { request }: Pick<DecisionRecord, 'request'>): boolean {
  let probe = scopeProbes.get(shadow);
  if (!probe) {
    // Two rule sets: the shadow's scope, then the catch-all; selectRuleSet reads nothing but their scopes.
    probe = { ...shadow.rules, ruleSets: [{ id: 'shadow', scope: shadow.scope } as RuleSet, { id: 'rest', scope: {} } as RuleSet] };
    scopeProbes.set(shadow, probe);
  }
  // The context routeOrder gives selectRuleSet for the same request.
  const picked = selectRuleSet(probe, {
    ...(request.channel !== undefined ? { channel: request.channel } : {}),
    ...(request.destination.region !== undefined ? { region: request.destination.region } : {}),
    regions: request.destination.regions ?? [],
    categories: request.lines.flatMap((l) => (l.category ? [l.category] : [])),
    // A rollout share in the shadow's scope picks the same orders a live rule set with that share would.
    orderId: request.orderId,
  });
  return picked.id === 'shadow';
}

/**
 * The record with the shadow's decision on the same input, when the shadow's scope takes the order. On the live path
 * pass the clock: the shadow gets the live search's time budget, so it can never hold an order up longer.
 */
export function withShadowDecision(record: DecisionRecord, shadow: ShadowRules | undefined, clockMs?: () => number): DecisionRecord {
  if (!shadow || !shadowApplies(shadow, record)) return record;
  const budget = clockMs ? { budget: { timeBudgetMs: LIVE_TIME_BUDGET_MS, now: clockMs } } : {};
  return { ...record, shadow: replayDecision(record, shadow.rules, { explain: false, ...budget }).summary };
}

/** The live search's time budget (planning.ts gives the engine 50 ms). */
const LIVE_TIME_BUDGET_MS = 50;

export interface ShadowKpis extends Comparison {
  /** The shadow rule versions the decisions were shadowed with, and how many each. */
  shadowedUnder: Record<string, number>;
}

/**
 * The KPI of shadow mode: over decision records (any period, any tenant's slice), what the shadow rules would have
 * changed against what was decided. Records without a shadow decision are left out.
 */
export function aggregateShadowDeltas(records: Iterable<Pick<DecisionRecord, 'decided' | 'shadow'>>): ShadowKpis {
  const pairs: Array<{ before: DecisionSummary; after: DecisionSummary }> = [];
  const shadowedUnder: Record<string, number> = {};
  for (const r of records) {
    if (!r.shadow) continue;
    pairs.push({ before: r.decided, after: r.shadow });
    shadowedUnder[r.shadow.ruleSet] = (shadowedUnder[r.shadow.ruleSet] ?? 0) + 1;
  }
  return { ...compareDecisions(pairs), shadowedUnder };
}
