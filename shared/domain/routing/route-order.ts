// The routing decision for one order: select the rule set, apply the rules, solve, explain.
// Pure: the caller passes the rated candidate locations (costs already priced for this destination)
// and, if it wants a wall-clock budget, a clock.
import { applyRules, type AppliedRules, type CandidateLocation, type Customer, type OrderLine } from './apply-rules.ts';
import { selectRuleSet, type DefaultSource, type Preference, type ResolvedSplit, type RoutingDefaults, type RoutingRules, type RuleSet, type SplitPolicyName } from './rules.ts';
import { solveRouting, type SolveOptions, type SolverLocation, type SolverResult } from './solver.ts';
import { solveGroup } from './batch/group-solver.ts';
import { orderShadowPrices, type ExpectedDemand, type ShadowPriceEntry } from './look-ahead.ts';

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
  /**
   * Expected units per day by location and SKU (recent demand or the forecast), for a rule set with `lookAhead`
   * enabled; without it look-ahead adds nothing.
   */
  readonly expectedDemand?: ExpectedDemand;
  /**
   * Shadow prices already computed for this order (a release window prices its orders together, on the window's shared
   * stock): used as they are, instead of pricing the candidates from `expectedDemand`, when the selected rule set
   * enables look-ahead (its settings are the ones they were computed with). Ignored otherwise.
   */
  readonly shadowPrices?: readonly ShadowPriceEntry[];
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
  /** Look-ahead: the shadow cost of the units this parcel takes (in `objective`, not in `cost`). */
  readonly shadowCost?: number;
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
  /** Look-ahead, when the rule set enables it: the shadow prices the order met and what the chosen plan paid. */
  readonly lookAhead?: LookAheadExplanation;
  readonly text: readonly string[];
}

export interface LookAheadExplanation {
  readonly horizonDays: number;
  readonly unitPremium: number;
  /** False when no expected demand was given (nothing was added). */
  readonly applied: boolean;
  /** The positive shadow prices of the order's candidate stock, dearest first. */
  readonly prices: readonly ShadowPriceEntry[];
  /** The shadow cost the chosen plan carries (added to its objective). */
  readonly shadowCost: number;
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
  const look = lookAheadOf(ruleSet.lookAhead, applied, bySku, req.expectedDemand, req.shadowPrices);
  const main = makeSolver(applied, bySku, req.budget, req.explain !== false, look?.shadow ?? null)();

  const ruleSetRef = { id: ruleSet.id, version: req.rules.version };
  const ruleSetLabel = `${ruleSet.id}@v${req.rules.version}`;
  const excludedGroups = groupExclusions(applied);
  const base = {
    ruleSet: ruleSetLabel,
    preference: applied.preference,
    split: applied.split,
    preferenceFrom: applied.preferenceFrom,
    splitFrom: applied.splitFrom,
    notes: [...applied.notes, ...(look ? [look.note] : []), ...(main.kind === 'plan' && main.note ? [main.note] : [])],
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
      explanation: { ...base, chosen: null, runnerUp: null, ...(look ? { lookAhead: { ...look.explanation, shadowCost: 0 } } : {}), text },
    };
  }

  const { result } = main;
  const allocations = splitToLines(result, req.lines);
  const shadow = look?.shadow ?? null;
  const parcels = buildParcels(allocations, req.lines, applied, main.parcelObjective, shadow);
  const shipment = sum(parcels.map((p) => p.shipmentCost));
  const weight = sum(parcels.map((p) => p.weightCost));
  const objective = sum(parcels.map((p) => p.objective));
  const chosen: PlanSummary = { locationIds: result.locationIds, cost: shipment + weight, objective };

  let runnerUp: RoutingExplanation['runnerUp'] = null;
  if (main.runnerUp) {
    const altParcels = buildParcels(splitToLines(main.runnerUp, req.lines), req.lines, applied, main.parcelObjective, shadow);
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
  const shadowCost = round(sum(parcels.map((p) => p.shadowCost ?? 0)));
  const text = [
    ...headerText(base),
    ...parcels.map(
      (p) =>
        `ship from ${p.locationId} (${p.locationType}): ${p.lines.map((l) => `${l.sku} x${l.quantity}`).join(', ')}; ` +
        `parcel ${fmt(p.shipmentCost)} + weight ${fmt(p.weightCost)} = ${fmt(p.cost)}` +
        (Math.abs(p.objective - p.cost) > 1e-9 ? ` (objective ${fmt(p.objective)}${p.shadowCost ? `, shadow ${fmt(p.shadowCost)}` : ''})` : ''),
    ),
    ...(look?.explanation.applied ? [`look-ahead shadow cost ${fmt(shadowCost)} in the objective`] : []),
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
    explanation: { ...base, chosen, runnerUp, ...(look ? { lookAhead: { ...look.explanation, shadowCost } } : {}), text },
  };
}

/** Shadow price per unit, by location id and SKU. */
type ShadowPrices = ReadonlyMap<string, ReadonlyMap<string, number>>;

// Look-ahead: the shadow prices of the eligible candidates' stock for this order (look-ahead.ts). The price is a
// location's own units' value: it is computed on what the location has (hold-backs aside, they are its stock too).
function lookAheadOf(
  config: RuleSet['lookAhead'],
  applied: AppliedRules,
  bySku: readonly SkuLine[],
  expected: RouteRequest['expectedDemand'],
  given?: RouteRequest['shadowPrices'],
): { shadow: ShadowPrices | null; note: string; explanation: Omit<LookAheadExplanation, 'shadowCost'> } | null {
  if (!config?.enabled) return null;
  const head = `look-ahead over ${config.horizonDays} day(s), premium ${fmt(config.unitPremium)}/unit`;
  if (!expected && !given) {
    return { shadow: null, note: `${head}: no expected demand known, nothing added`, explanation: { horizonDays: config.horizonDays, unitPremium: config.unitPremium, applied: false, prices: [] } };
  }
  const prices = given
    ? given.filter((p) => p.price > 0)
    : orderShadowPrices(
        applied.solverLocations.map((l) => ({ id: l.id, stock: applied.byId.get(l.id)?.stock ?? l.inventory })),
        new Map(bySku.map((l) => [l.sku, l.quantity])),
        expected!,
        config,
      ).sort((a, b) => b.price - a.price || (a.locationId < b.locationId ? -1 : 1));
  const shadow = new Map<string, Map<string, number>>();
  for (const p of prices) (shadow.get(p.locationId) ?? shadow.set(p.locationId, new Map()).get(p.locationId)!).set(p.sku, p.price);
  const listed = prices
    .slice(0, 5)
    .map((p) => `${p.locationId} ${p.sku} ${fmt(p.price)}/unit (${p.onHand} on hand, ${round1(p.expectedDemand)} expected)`)
    .join('; ');
  const note = prices.length ? `${head}: shadow prices ${listed}${prices.length > 5 ? `; and ${prices.length - 5} more` : ''}` : `${head}: stock ample, no shadow price`;
  return {
    shadow: prices.length ? shadow : null,
    note,
    explanation: { horizonDays: config.horizonDays, unitPremium: config.unitPremium, applied: true, prices: prices.map((p) => ({ ...p, price: round(p.price), expectedDemand: round(p.expectedDemand) })) },
  };
}

function priceOf(shadow: ShadowPrices | null, locationId: string, sku: string): number {
  return shadow?.get(locationId)?.get(sku) ?? 0;
}

// With shadow prices per (location, SKU) the per-unit cost is no longer unitCost(location) x weight(line), the form
// solveRouting relies on; the batch allocator's group solver is exact for any per-(item, location) cost, and one order
// is a group of one. Units short of all stock pay a penalty above any plan's cost, so every line is filled as far as
// stock allows, as solveRouting does.
function solveWithShadow(lines: readonly SkuLine[], locations: readonly SolverLocation[], shadow: ShadowPrices, options: SolveOptions): SolverResult {
  const n = locations.length;
  const m = lines.length;
  const fixed = Float64Array.from(locations, (l) => l.shipmentCost);
  const cost = new Float64Array(m * n);
  const stock = new Float64Array(m * n);
  let penalty = 1;
  for (const f of fixed) penalty += f;
  for (let k = 0; k < m; k++) {
    const line = lines[k]!;
    let dearest = 0;
    for (let j = 0; j < n; j++) {
      const loc = locations[j]!;
      const excluded = options.excludeLocationIds?.has(loc.id) === true;
      const units = Math.max(0, Math.floor(loc.inventory[line.sku] ?? 0));
      stock[k * n + j] = excluded ? 0 : units;
      const c = loc.unitCost * line.weightLb + priceOf(shadow, loc.id, line.sku);
      cost[k * n + j] = excluded ? Infinity : c;
      if (units > 0 && c > dearest) dearest = c;
    }
    penalty += line.quantity * dearest;
  }
  const solution = solveGroup(
    { n, m, fixed, cost, slotOf: Int32Array.from(lines, (_, k) => k), slots: m, stock, demand: lines.map((l) => l.quantity), penalty },
    { maxNodes: options.maxNodes ?? 20_000 },
  );
  const allocations: { locationId: string; sku: string; quantity: number }[] = [];
  let unitCostTotal = 0;
  for (let k = 0; k < m; k++) {
    for (let j = 0; j < n; j++) {
      const q = solution.alloc[k * n + j]!;
      if (q > 0) {
        allocations.push({ locationId: locations[j]!.id, sku: lines[k]!.sku, quantity: q });
        unitCostTotal += q * cost[k * n + j]!;
      }
    }
  }
  const open = [...solution.open].sort((a, b) => locations[a]!.unitCost - locations[b]!.unitCost || a - b);
  const shipmentCostTotal = sum(open.map((j) => fixed[j]!));
  const unfilled = lines.flatMap((l, k) => (solution.unfilled[k]! > 0 ? [{ sku: l.sku, quantity: solution.unfilled[k]! }] : []));
  const found = options.maxParcels === undefined || open.length <= options.maxParcels;
  return {
    found,
    allocations,
    locationIds: open.map((j) => locations[j]!.id),
    cost: shipmentCostTotal + unitCostTotal,
    shipmentCostTotal,
    unitCostTotal,
    optimal: solution.proven,
    stoppedBy: solution.proven ? 'none' : 'nodes',
    nodes: solution.nodes,
    unfilled,
  };
}

type SolveOutcome =
  | {
      kind: 'plan';
      result: SolverResult;
      optimal: boolean;
      parcelObjective: ReadonlyMap<string, SolverLocation>;
      runnerUp: AlternativePlan | null;
      /** Said in the explanation, e.g. why look-ahead was not applied to this plan. */
      note?: string;
    }
  | { kind: 'hold'; reason: string; optimal: boolean };

// The split policy decides how the solver is called.
function makeSolver(applied: AppliedRules, bySku: SkuLine[], budget: RoutingBudget | undefined, runnerUp: boolean, shadow: ShadowPrices | null) {
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
  if (shadow && split.policy === 'single') {
    // One location ships every unit: its shadow cost for this order is a constant of the location, exactly a parcel cost.
    locations = locations.map((l) => ({ ...l, shipmentCost: l.shipmentCost + sum(lines.map((line) => line.quantity * priceOf(shadow, l.id, line.sku))) }));
  }
  const priced = shadow !== null && split.policy !== 'single';

  return (): SolveOutcome => {
    if (split.policy === 'single' && locations.length === 0) {
      return { kind: 'hold', reason: 'split policy single: no eligible location holds the whole order', optimal: true };
    }
    // Shadow prices only raise costs: a plan proven optimal without them that takes no priced unit is optimal with them
    // too, so most orders (none of their units scarce) keep the per-order engine's speed.
    const plain = priced ? solveRouting({ lines, locations }, options) : undefined;
    const plainStands = plain !== undefined && plain.found && plain.optimal && plain.allocations.every((a) => priceOf(shadow, a.locationId, a.sku) === 0);
    if (priced && !plainStands) {
      const result = solveWithShadow(lines, locations, shadow!, options);
      if (result.found) {
        return {
          kind: 'plan',
          result,
          optimal: result.optimal,
          parcelObjective: objectiveById,
          runnerUp: runnerUp ? findShadowRunnerUp(lines, locations, shadow!, result, options) : null,
        };
      }
    }
    const result = plain ?? solveRouting({ lines, locations }, options);
    const note = priced && !plainStands ? `look-ahead not applied: with shadow prices the plan needs more than ${options.maxParcels} parcel(s)` : undefined;
    if (!result.found) {
      return { kind: 'hold', reason: `no plan within ${options.maxParcels} parcel(s) fills the order`, optimal: result.optimal };
    }
    return {
      kind: 'plan',
      result,
      optimal: result.optimal,
      parcelObjective: objectiveById,
      runnerUp: runnerUp ? findRunnerUp(lines, locations, result, options) : null,
      ...(note ? { note } : {}),
    };
  };
}

// With shadow prices: the best plan without one of the chosen locations (re-solved exactly without it).
function findShadowRunnerUp(lines: readonly SkuLine[], locations: readonly SolverLocation[], shadow: ShadowPrices, chosen: SolverResult, options: SolveOptions): AlternativePlan | null {
  let best: AlternativePlan | null = null;
  for (const id of chosen.locationIds) {
    const r = solveWithShadow(lines, locations, shadow, { ...options, excludeLocationIds: new Set([...(options.excludeLocationIds ?? []), id]) });
    if (r.found && r.allocations.length > 0 && (best === null || r.cost < best.cost - 1e-9)) best = { locationIds: r.locationIds, allocations: r.allocations, cost: r.cost };
  }
  return best;
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
  shadow: ShadowPrices | null = null,
): Parcel[] {
  const weightOf = new Map(lines.map((l) => [l.lineId, l.weightLb]));
  const groups = new Map<string, LineAllocation[]>();
  for (const a of allocations) groups.set(a.locationId, [...(groups.get(a.locationId) ?? []), a]);
  return [...groups].map(([locationId, items]) => {
    const loc = applied.byId.get(locationId)!;
    const obj = objectiveById.get(locationId)!;
    const weightLb = sum(items.map((a) => a.quantity * weightOf.get(a.lineId)!));
    const weightCost = weightLb * loc.unitCostPerLb;
    const shadowCost = shadow ? sum(items.map((a) => a.quantity * priceOf(shadow, locationId, a.sku))) : 0;
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
      objective: round(obj.shipmentCost + weightLb * obj.unitCost + shadowCost),
      ...(loc.promisedDays !== undefined ? { promisedDays: loc.promisedDays } : {}),
      ...(co2 !== undefined ? { co2Kg: round(co2) } : {}),
      ...(shadowCost > 0 ? { shadowCost: round(shadowCost) } : {}),
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

function round1(x: number): string {
  return (Math.round(x * 10) / 10).toString();
}

function fmt(x: number): string {
  return x.toFixed(2);
}

function sign(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
}
