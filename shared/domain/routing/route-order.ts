// The routing decision for one order: select the rule set, apply the rules, solve, explain.
// Pure: the caller passes the rated candidate locations (costs already priced for this destination)
// and, if it wants a wall-clock budget, a clock.
import { applyRules, type AppliedRules, type CandidateLocation, type Customer, type OrderLine } from './apply-rules.ts';
import { selectRuleSet, type DefaultSource, type Preference, type ResolvedSplit, type RoutingDefaults, type RoutingRules, type SplitPolicyName } from './rules.ts';
import { solveRouting, type SolveOptions, type SolverLocation, type SolverResult } from './solver.ts';

export interface Destination {
  readonly region?: string;
  /** Every region of the destination (country, US state, custom regions); `region` alone is a list of one. */
  readonly regions?: readonly string[];
  readonly postalCode?: string;
  readonly lat?: number;
  readonly lon?: number;
}

export interface RoutingBudget {
  readonly maxNodes?: number;
  readonly timeBudgetMs?: number;
  readonly now?: () => number;
}

export interface RouteRequest {
  readonly orderId: string;
  readonly channel?: string;
  readonly destination: Destination;
  readonly customer?: Customer;
  readonly lines: readonly OrderLine[];
  readonly locations: readonly CandidateLocation[];
  readonly rules: RoutingRules;
  /** The order's own split policy: it comes before the rule set's. */
  readonly splitPolicy?: SplitPolicyName;
  /** The tenant's defaults: after the order's and the selected rule set's own preference and split policy. */
  readonly defaults?: RoutingDefaults;
  readonly budget?: RoutingBudget;
  /** Also find the runner-up plan for the explanation (a few extra solves). Default true. */
  readonly explain?: boolean;
}

export interface LineAllocation {
  readonly lineId: string;
  readonly sku: string;
  readonly locationId: string;
  readonly quantity: number;
}

export interface Parcel {
  readonly locationId: string;
  readonly locationType: string;
  readonly lines: readonly { readonly lineId: string; readonly sku: string; readonly quantity: number }[];
  readonly weightLb: number;
  /** Money: the parcel's fixed cost and its per-weight cost. */
  readonly shipmentCost: number;
  readonly weightCost: number;
  readonly cost: number;
  /** What the solver minimised for this parcel: money plus preference and ranking terms. */
  readonly objective: number;
  readonly promisedDays?: number;
  readonly co2Kg?: number;
}

export interface PlanSummary {
  readonly locationIds: readonly string[];
  readonly cost: number;
  readonly objective: number;
}

export interface RoutingExplanation {
  readonly ruleSet: string;
  readonly preference: Preference;
  readonly split: ResolvedSplit;
  /** Where the preference and the split policy came from: the order, the rule set, the tenant or the built-in default. */
  readonly preferenceFrom: DefaultSource;
  readonly splitFrom: DefaultSource;
  readonly notes: readonly string[];
  readonly considered: number;
  readonly excluded: readonly { readonly reason: string; readonly locationIds: readonly string[] }[];
  readonly chosen: PlanSummary | null;
  /** The best plan shipping from a different set of locations, and what it would cost on top. */
  readonly runnerUp: (PlanSummary & { readonly extraCost: number; readonly extraObjective: number }) | null;
  readonly text: readonly string[];
}

export interface RoutingDecision {
  readonly orderId: string;
  /** routed: every line filled; partial: some units have no eligible stock; hold: the split policy says wait. */
  readonly status: 'routed' | 'partial' | 'hold';
  readonly holdReason?: string;
  readonly ruleSet: { readonly id: string; readonly version: number };
  readonly allocations: readonly LineAllocation[];
  readonly parcels: readonly Parcel[];
  readonly cost: { readonly shipment: number; readonly weight: number; readonly total: number; readonly objective: number };
  readonly optimal: boolean;
  readonly unfilled: readonly { readonly lineId: string; readonly sku: string; readonly quantity: number }[];
  readonly explanation: RoutingExplanation;
}

export function routeOrder(req: RouteRequest): RoutingDecision {
  const ruleSet = selectRuleSet(req.rules, {
    channel: req.channel,
    ...(req.destination.regions ? { regions: req.destination.regions } : {}),
    region: req.destination.region,
    categories: req.lines.flatMap((l) => (l.category ? [l.category] : [])),
    orderId: req.orderId,
  });
  const applied = applyRules(ruleSet, req.lines, req.locations, {
    channel: req.channel,
    region: req.destination.region,
    ...(req.destination.regions ? { regions: req.destination.regions } : {}),
    customer: req.customer,
    ...(req.splitPolicy ? { splitPolicy: req.splitPolicy } : {}),
    ...(req.defaults ? { defaults: req.defaults } : {}),
  });
  const bySku = mergeLinesBySku(req.lines);
  const main = makeSolver(applied, bySku, req.budget, req.explain !== false)();

  const ruleSetRef = { id: ruleSet.id, version: req.rules.version };
  const ruleSetLabel = `${ruleSet.id}@v${req.rules.version}`;
  const excludedGroups = groupExclusions(applied);
  const base = {
    ruleSet: ruleSetLabel,
    preference: applied.preference,
    split: applied.split,
    preferenceFrom: applied.preferenceFrom,
    splitFrom: applied.splitFrom,
    notes: applied.notes,
    considered: req.locations.length,
    excluded: excludedGroups,
  };

  if (main.kind === 'hold') {
    const text = [...headerText(base), `hold: ${main.reason}`];
    return {
      orderId: req.orderId,
      status: 'hold',
      holdReason: main.reason,
      ruleSet: ruleSetRef,
      allocations: [],
      parcels: [],
      cost: { shipment: 0, weight: 0, total: 0, objective: 0 },
      optimal: main.optimal,
      unfilled: req.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity })),
      explanation: { ...base, chosen: null, runnerUp: null, text },
    };
  }

  const { result } = main;
  const allocations = splitToLines(result, req.lines);
  const parcels = buildParcels(allocations, req.lines, applied, main.parcelObjective);
  const shipment = sum(parcels.map((p) => p.shipmentCost));
  const weight = sum(parcels.map((p) => p.weightCost));
  const objective = sum(parcels.map((p) => p.objective));
  const chosen: PlanSummary = { locationIds: result.locationIds, cost: shipment + weight, objective };

  let runnerUp: RoutingExplanation['runnerUp'] = null;
  if (main.runnerUp) {
    const altParcels = buildParcels(splitToLines(main.runnerUp, req.lines), req.lines, applied, main.parcelObjective);
    const altObjective = sum(altParcels.map((p) => p.objective));
    const altCost = sum(altParcels.map((p) => p.cost));
    runnerUp = {
      locationIds: main.runnerUp.locationIds,
      cost: round(altCost),
      objective: round(altObjective),
      extraCost: round(altCost - chosen.cost),
      extraObjective: round(altObjective - objective),
    };
  }

  const unfilled = unfilledByLine(result, req.lines);
  const text = [
    ...headerText(base),
    ...parcels.map(
      (p) =>
        `ship from ${p.locationId} (${p.locationType}): ${p.lines.map((l) => `${l.sku} x${l.quantity}`).join(', ')}; ` +
        `parcel ${fmt(p.shipmentCost)} + weight ${fmt(p.weightCost)} = ${fmt(p.cost)}` +
        (Math.abs(p.objective - p.cost) > 1e-9 ? ` (objective ${fmt(p.objective)})` : ''),
    ),
    `total ${fmt(chosen.cost)}${Math.abs(objective - chosen.cost) > 1e-9 ? `, objective ${fmt(objective)}` : ''}, ${parcels.length} parcel(s), ${result.optimal ? 'proven optimal' : `best found (search stopped by ${result.stoppedBy})`}`,
    runnerUp
      ? `runner-up: ${runnerUp.locationIds.join(' + ')} = ${fmt(runnerUp.cost)} (${sign(runnerUp.extraCost)} money, ${sign(runnerUp.extraObjective)} objective)`
      : 'runner-up: none (no other eligible plan)',
    ...(unfilled.length ? [`unfilled: ${unfilled.map((u) => `${u.sku} x${u.quantity}`).join(', ')}`] : []),
  ];

  return {
    orderId: req.orderId,
    status: unfilled.length > 0 ? 'partial' : 'routed',
    ruleSet: ruleSetRef,
    allocations,
    parcels,
    cost: { shipment: round(shipment), weight: round(weight), total: round(shipment + weight), objective: round(objective) },
    optimal: result.optimal,
    unfilled,
    explanation: { ...base, chosen, runnerUp, text },
  };
}

type SolveOutcome =
  | {
      kind: 'plan';
      result: SolverResult;
      optimal: boolean;
      parcelObjective: ReadonlyMap<string, SolverLocation>;
      runnerUp: AlternativePlan | null;
    }
  | { kind: 'hold'; reason: string; optimal: boolean };

// The split policy decides how the solver is called.
function makeSolver(applied: AppliedRules, bySku: SkuLine[], budget: RoutingBudget | undefined, runnerUp: boolean) {
  const split = applied.split;
  const lines = bySku.map((l) => ({ sku: l.sku, quantity: l.quantity, weightLb: l.weightLb }));
  const options: SolveOptions = { ...budget, maxParcels: split.policy === 'single' ? 1 : split.maxParcels };
  const objectiveById = new Map(applied.solverLocations.map((l) => [l.id, l]));

  let locations = applied.solverLocations;
  if (split.policy === 'single') {
    // One location ships the whole order, or the order waits.
    locations = locations.filter((l) => lines.every((line) => (l.inventory[line.sku] ?? 0) >= line.quantity));
  } else if (split.policy === 'minimize') {
    // Fewest parcels first: a parcel surcharge larger than any plan's whole cost makes the parcel count
    // the first key of the objective and cost the second.
    let surcharge = 1;
    for (const l of locations) surcharge += l.shipmentCost;
    const maxUnit = Math.max(0, ...locations.map((l) => l.unitCost));
    for (const line of lines) surcharge += line.quantity * line.weightLb * maxUnit;
    locations = locations.map((l) => ({ ...l, shipmentCost: l.shipmentCost + surcharge }));
  }

  return (): SolveOutcome => {
    if (split.policy === 'single' && locations.length === 0) {
      return { kind: 'hold', reason: 'split policy single: no eligible location holds the whole order', optimal: true };
    }
    const result = solveRouting({ lines, locations }, options);
    if (!result.found) {
      return { kind: 'hold', reason: `no plan within ${options.maxParcels} parcel(s) fills the order`, optimal: result.optimal };
    }
    return {
      kind: 'plan',
      result,
      optimal: result.optimal,
      parcelObjective: objectiveById,
      runnerUp: runnerUp ? findRunnerUp(lines, locations, result, options) : null,
    };
  };
}

type AlternativePlan = { readonly locationIds: readonly string[]; readonly allocations: SolverResult['allocations']; readonly cost: number };

// The runner-up is the cheapest plan that differs from the chosen one by dropping one of its
// locations (re-solved exactly without it) or by adding one more location to it. That covers every
// alternative a merchant asks about ("why not X?", "why not also Y?"); the solver's exact `runnerUp`
// mode also covers multi-location swaps but prunes far less, so it is not used on the hot path.
function findRunnerUp(
  lines: readonly SkuLine[],
  locations: readonly SolverLocation[],
  chosen: SolverResult,
  options: SolveOptions,
): AlternativePlan | null {
  let best: AlternativePlan | null = null;
  const consider = (alt: AlternativePlan | null) => {
    if (alt && (best === null || alt.cost < best.cost - 1e-9)) best = alt;
  };
  for (const id of chosen.locationIds) {
    const r = solveRouting({ lines, locations }, { ...options, excludeLocationIds: new Set([id]) });
    if (r.found) consider({ locationIds: r.locationIds, allocations: r.allocations, cost: r.cost });
  }
  if (chosen.locationIds.length + 1 <= (options.maxParcels ?? Infinity)) {
    const skuIndex = new Map(lines.map((l, k) => [l.sku, k]));
    const stockOf = (loc: SolverLocation): number[] | null => {
      let row: number[] | null = null;
      for (const sku in loc.inventory) {
        const k = skuIndex.get(sku);
        const units = Math.floor(loc.inventory[sku]!);
        if (k === undefined || !(units > 0)) continue;
        row ??= lines.map(() => 0);
        row[k] = units;
      }
      return row;
    };
    const rows = locations.map(stockOf);
    const demand = lines.map((_, k) => Math.min(lines[k]!.quantity, sum(rows.map((r) => r?.[k] ?? 0))));
    const chosenIdx = locations.flatMap((l, i) => (chosen.locationIds.includes(l.id) ? [i] : []));
    locations.forEach((extra, e) => {
      if (!rows[e] || chosenIdx.includes(e)) return;
      const alt = priceSet(lines, demand, [...chosenIdx, e], locations, rows);
      // An extra location that ships nothing is the chosen plan again.
      if (alt && alt.locationIds.includes(extra.id)) consider(alt);
    });
  }
  return best;
}

// Fills every line from a fixed set of locations (indices), cheapest per lb first (ties by input order).
function priceSet(
  lines: readonly SkuLine[],
  demand: readonly number[],
  set: readonly number[],
  locations: readonly SolverLocation[],
  rows: readonly (number[] | null)[],
): AlternativePlan | null {
  const sorted = [...set].sort((a, b) => locations[a]!.unitCost - locations[b]!.unitCost || a - b);
  const allocations: { locationId: string; sku: string; quantity: number }[] = [];
  const used = new Set<number>();
  let cost = 0;
  for (let k = 0; k < lines.length; k++) {
    let need = demand[k]!;
    for (const i of sorted) {
      if (need === 0) break;
      const q = Math.min(need, rows[i]?.[k] ?? 0);
      if (q > 0) {
        allocations.push({ locationId: locations[i]!.id, sku: lines[k]!.sku, quantity: q });
        cost += q * locations[i]!.unitCost * lines[k]!.weightLb;
        used.add(i);
        need -= q;
      }
    }
    if (need > 0) return null;
  }
  for (const i of used) cost += locations[i]!.shipmentCost;
  return { locationIds: sorted.filter((i) => used.has(i)).map((i) => locations[i]!.id), allocations, cost };
}

interface SkuLine {
  readonly sku: string;
  readonly quantity: number;
  readonly weightLb: number;
}

// Stock is per sku, so lines of the same sku are solved as one; the unit weight is taken from the
// first such line (weight is a property of the sku).
function mergeLinesBySku(lines: readonly OrderLine[]): SkuLine[] {
  const out = new Map<string, { sku: string; quantity: number; weightLb: number }>();
  for (const l of lines) {
    const prev = out.get(l.sku);
    if (prev) prev.quantity += l.quantity;
    else out.set(l.sku, { sku: l.sku, quantity: l.quantity, weightLb: l.weightLb });
  }
  return [...out.values()];
}

// Hands each sku's allocations back to its lines in order.
function splitToLines(result: Pick<SolverResult, 'allocations'>, lines: readonly OrderLine[]): LineAllocation[] {
  const out: LineAllocation[] = [];
  const pools = new Map<string, { locationId: string; left: number }[]>();
  for (const a of result.allocations) {
    const pool = pools.get(a.sku) ?? [];
    pool.push({ locationId: a.locationId, left: a.quantity });
    pools.set(a.sku, pool);
  }
  for (const line of lines) {
    let need = line.quantity;
    for (const p of pools.get(line.sku) ?? []) {
      if (need === 0) break;
      const q = Math.min(need, p.left);
      if (q > 0) {
        out.push({ lineId: line.lineId, sku: line.sku, locationId: p.locationId, quantity: q });
        p.left -= q;
        need -= q;
      }
    }
  }
  return out;
}

function unfilledByLine(result: SolverResult, lines: readonly OrderLine[]): RoutingDecision['unfilled'] {
  const short = new Map(result.unfilled.map((u) => [u.sku, u.quantity]));
  const out: { lineId: string; sku: string; quantity: number }[] = [];
  // The shortfall lands on the last lines of a sku, mirroring splitToLines filling the first ones.
  for (const line of [...lines].reverse()) {
    const left = short.get(line.sku) ?? 0;
    const q = Math.min(left, line.quantity);
    if (q > 0) {
      out.unshift({ lineId: line.lineId, sku: line.sku, quantity: q });
      short.set(line.sku, left - q);
    }
  }
  return out;
}

function buildParcels(
  allocations: readonly LineAllocation[],
  lines: readonly OrderLine[],
  applied: AppliedRules,
  objectiveById: ReadonlyMap<string, SolverLocation>,
): Parcel[] {
  const weightOf = new Map(lines.map((l) => [l.lineId, l.weightLb]));
  const groups = new Map<string, LineAllocation[]>();
  for (const a of allocations) groups.set(a.locationId, [...(groups.get(a.locationId) ?? []), a]);
  return [...groups].map(([locationId, items]) => {
    const loc = applied.byId.get(locationId)!;
    const obj = objectiveById.get(locationId)!;
    const weightLb = sum(items.map((a) => a.quantity * weightOf.get(a.lineId)!));
    const weightCost = weightLb * loc.unitCostPerLb;
    const co2 =
      loc.co2KgPerParcel !== undefined || loc.co2KgPerLb !== undefined
        ? (loc.co2KgPerParcel ?? 0) + weightLb * (loc.co2KgPerLb ?? 0)
        : undefined;
    return {
      locationId,
      locationType: loc.type,
      lines: items.map((a) => ({ lineId: a.lineId, sku: a.sku, quantity: a.quantity })),
      weightLb: round(weightLb),
      shipmentCost: loc.shipmentCost,
      weightCost: round(weightCost),
      cost: round(loc.shipmentCost + weightCost),
      objective: round(obj.shipmentCost + weightLb * obj.unitCost),
      ...(loc.promisedDays !== undefined ? { promisedDays: loc.promisedDays } : {}),
      ...(co2 !== undefined ? { co2Kg: round(co2) } : {}),
    };
  });
}

function groupExclusions(applied: AppliedRules): RoutingExplanation['excluded'] {
  const groups = new Map<string, string[]>();
  for (const e of applied.excluded) {
    const ids = groups.get(e.reason);
    if (ids) ids.push(e.locationId);
    else groups.set(e.reason, [e.locationId]);
  }
  return [...groups].map(([reason, locationIds]) => ({ reason, locationIds }));
}

function headerText(base: Pick<RoutingExplanation, 'ruleSet' | 'preference' | 'split' | 'preferenceFrom' | 'splitFrom' | 'notes' | 'considered' | 'excluded'>): string[] {
  const excludedCount = sum(base.excluded.map((g) => g.locationIds.length));
  return [
    `rule set ${base.ruleSet}: preference ${base.preference} (${base.preferenceFrom}), split ${base.split.policy} (${base.splitFrom})${base.split.maxParcels ? ` (max ${base.split.maxParcels} parcels)` : ''}`,
    ...base.notes,
    `considered ${base.considered} location(s), ${base.considered - excludedCount} eligible` +
      (base.excluded.length ? `; excluded: ${base.excluded.map((g) => `${g.locationIds.join(', ')} (${g.reason})`).join('; ')}` : ''),
  ];
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

// Money is reported to 1/10000: enough for per-lb rates, free of binary noise.
function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

function fmt(x: number): string {
  return x.toFixed(2);
}

function sign(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
}
