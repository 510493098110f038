// Exact sourcing solver for one order: which locations ship which units.
//
// The problem is a small fixed-charge transportation problem. Each location used costs one parcel
// (shipmentCost) plus unitCost per lb shipped; every line must be filled to min(quantity, total stock).
// Once the set of open locations is fixed, the rest is easy: lines are independent and the per-unit
// cost of line j from location i is unitCost_i * weight_j, so each line is filled from the open
// locations in ascending unitCost order. The hard part is choosing the open set, which we do with a
// depth-first branch-and-bound over locations, seeded with cheap upper bounds and pruned with two
// admissible lower bounds (see `evaluate`).
//
// The solver is pure and deterministic: no clock is read unless one is injected, the search order is
// fixed by costs and input order, and an incumbent is only replaced by a strictly cheaper plan.

export interface SolverLine {
  readonly sku: string;
  readonly quantity: number;
  readonly weightLb: number;
}

export interface SolverLocation {
  readonly id: string;
  /** Cost of one parcel from this location to the destination. */
  readonly shipmentCost: number;
  /** Cost per lb shipped from this location to the destination. */
  readonly unitCost: number;
  readonly inventory: Readonly<Record<string, number>>;
}

export interface SolverProblem {
  readonly lines: readonly SolverLine[];
  readonly locations: readonly SolverLocation[];
}

export interface SolveOptions {
  /** Deterministic work limit: bounded nodes (open sets evaluated) before giving up on proving optimality. */
  readonly maxNodes?: number;
  /** Wall-clock budget; only enforced when `now` is injected (the domain never reads the clock itself). */
  readonly timeBudgetMs?: number;
  readonly now?: () => number;
  /** Upper limit on parcels (locations used). A plan that needs more is reported as not found. */
  readonly maxParcels?: number;
  /** Locations that must not be used. */
  readonly excludeLocationIds?: ReadonlySet<string>;
  /** Also find the best plan shipping from a different set of locations (slower: prunes less). */
  readonly runnerUp?: boolean;
}

export interface SolverAllocation {
  readonly locationId: string;
  readonly sku: string;
  readonly quantity: number;
}

export interface SolverResult {
  /** False only when a parcel limit makes every plan impossible. */
  readonly found: boolean;
  readonly allocations: readonly SolverAllocation[];
  /** Locations used, in ascending unitCost order (the order lines are filled from). */
  readonly locationIds: readonly string[];
  readonly cost: number;
  readonly shipmentCostTotal: number;
  readonly unitCostTotal: number;
  /** True when the search finished: the plan is proven optimal. */
  readonly optimal: boolean;
  readonly stoppedBy: 'none' | 'nodes' | 'time';
  readonly nodes: number;
  /** Units that no stock can fill (quantity minus total available), per sku. */
  readonly unfilled: readonly { readonly sku: string; readonly quantity: number }[];
  /** With `runnerUp`: the best plan whose set of shipping locations differs from the chosen one. */
  readonly runnerUp?: { readonly locationIds: readonly string[]; readonly allocations: readonly SolverAllocation[]; readonly cost: number } | null;
}

const EPS = 1e-9;
const FREE = 0;
const OPEN = 1;
const EXCLUDED = 2;
const DEFAULT_MAX_NODES = 100_000;
const CLOCK_CHECK_EVERY = 64;
const MAX_LEVEL = 64;

class SearchStopped extends Error {}

export function solveRouting(problem: SolverProblem, options: SolveOptions = {}): SolverResult {
  const seen = new Set<string>();
  for (const line of problem.lines) {
    // Stock is per sku, so two lines of one sku would share capacity; callers merge them first.
    if (seen.has(line.sku)) throw new Error(`duplicate sku in order lines: ${line.sku}`);
    seen.add(line.sku);
  }
  const excluded = options.excludeLocationIds;
  const allLocations = problem.locations;

  // One pass over the inventories: keyed lookups on JSON-shaped records dominate the cost otherwise.
  const lineCount = problem.lines.length;
  const rawStock = new Int32Array(allLocations.length * lineCount);
  const totalStock = new Float64Array(lineCount);
  // Iterating each (short) inventory beats looking every sku up: misses on records of many shapes are slow.
  const lineOfSku = new Map<string, number>();
  for (let j = 0; j < lineCount; j++) lineOfSku.set(problem.lines[j]!.sku, j);
  for (let i = 0; i < allLocations.length; i++) {
    const inv = allLocations[i]!.inventory;
    for (const sku in inv) {
      const j = lineOfSku.get(sku);
      if (j === undefined) continue;
      const v = inv[sku]!;
      const s = v > 0 ? Math.floor(v) : 0;
      rawStock[i * lineCount + j] = s;
      totalStock[j]! += s;
    }
  }

  // Demand is capped at total stock: the objective fills every line "as far as stock allows".
  const unfilled: { sku: string; quantity: number }[] = [];
  const lineIdx: number[] = [];
  const demand: number[] = [];
  for (let j = 0; j < lineCount; j++) {
    const line = problem.lines[j]!;
    const d = Math.min(Math.max(0, Math.floor(line.quantity)), totalStock[j]!);
    if (d < line.quantity) unfilled.push({ sku: line.sku, quantity: line.quantity - d });
    if (d > 0) {
      lineIdx.push(j);
      demand.push(d);
    }
  }
  const m = lineIdx.length;
  const weight = lineIdx.map((j) => problem.lines[j]!.weightLb);
  const skus = lineIdx.map((j) => problem.lines[j]!.sku);
  const stockAt = (i: number, k: number): number => rawStock[i * lineCount + lineIdx[k]!]!;

  // Candidates: locations that can ship at least one unit the order needs.
  let cand: number[] = [];
  for (let i = 0; i < allLocations.length; i++) {
    if (excluded?.has(allLocations[i]!.id)) continue;
    for (let k = 0; k < m; k++) {
      if (stockAt(i, k) > 0) {
        cand.push(i);
        break;
      }
    }
  }
  // Demand was capped against all stock; an exclusion list can make it unreachable.
  if (excluded && excluded.size > 0) {
    for (let k = 0; k < m; k++) {
      let total = 0;
      for (const i of cand) total += stockAt(i, k);
      if (total < demand[k]!) return notFound(unfilled, 0);
    }
  }
  // Dominated locations can still make the runner-up, so they stay when one is asked for.
  if (!options.runnerUp) cand = dropDominated(cand, allLocations, m, stockAt, demand);

  const n = cand.length;
  const fixed = new Float64Array(n);
  const unit = new Float64Array(n);
  const cap = new Int32Array(n * m); // stock capped at demand, row-major by location
  for (let a = 0; a < n; a++) {
    const loc = allLocations[cand[a]!]!;
    fixed[a] = loc.shipmentCost;
    unit[a] = loc.unitCost;
    for (let k = 0; k < m; k++) cap[a * m + k] = Math.min(stockAt(cand[a]!, k), demand[k]!);
  }

  // Per-line candidate lists in three static orders, walked lazily at each node (demand is small,
  // so a walk usually stops after a handful of entries).
  const byUnit: Int32Array[] = [];
  const byAmortised: Int32Array[] = [];
  const amortised: Float64Array[] = [];
  const byFixed: Int32Array[] = [];
  const freeCount = new Int32Array(m);
  const totalCap = new Float64Array(n);
  for (let a = 0; a < n; a++) for (let k = 0; k < m; k++) totalCap[a]! += cap[a * m + k]!;
  for (let k = 0; k < m; k++) {
    const list: number[] = [];
    for (let a = 0; a < n; a++) if (cap[a * m + k]! > 0) list.push(a);
    freeCount[k] = list.length;
    // Amortised cost: a location that ships q units pays shipmentCost/q per unit, and q <= totalCap,
    // so unit*weight + shipmentCost/totalCap never overstates the cost of a unit from a closed location.
    const am = new Float64Array(n);
    for (const a of list) am[a] = unit[a]! * weight[k]! + fixed[a]! / totalCap[a]!;
    amortised.push(am);
    byUnit.push(Int32Array.from([...list].sort((x, y) => unit[x]! - unit[y]! || x - y)));
    byAmortised.push(Int32Array.from([...list].sort((x, y) => am[x]! - am[y]! || x - y)));
    byFixed.push(Int32Array.from([...list].sort((x, y) => fixed[x]! - fixed[y]! || x - y)));
  }

  const status = new Int8Array(n);
  // Bitsets for "can one free location cover everything still missing?": levels[k][t] holds the
  // locations with at least t units of line k (t capped at MAX_LEVEL; a higher need is checked against
  // the cap level, which can only claim coverage too eagerly, keeping the bound admissible).
  const words = (n + 31) >>> 5;
  const freeBits = new Int32Array(words);
  for (let a = 0; a < n; a++) freeBits[a >>> 5]! |= 1 << (a & 31);
  const levels: Int32Array[][] = [];
  for (let k = 0; k < m; k++) {
    const top = Math.min(demand[k]!, MAX_LEVEL);
    const perLevel: Int32Array[] = [new Int32Array(0)];
    for (let t = 1; t <= top; t++) {
      const bits = new Int32Array(words);
      for (let a = 0; a < n; a++) if (cap[a * m + k]! >= t) bits[a >>> 5]! |= 1 << (a & 31);
      perLevel.push(bits);
    }
    levels.push(perLevel);
  }
  let cheapestParcel = Infinity;
  for (let a = 0; a < n; a++) cheapestParcel = Math.min(cheapestParcel, fixed[a]!);
  const coverScratch = new Int32Array(words);
  const someFreeLocationCovers = (): boolean => {
    coverScratch.set(freeBits);
    for (let k = 0; k < m; k++) {
      const r = remaining[k]!;
      if (r === 0) continue;
      const bits = levels[k]![Math.min(r, MAX_LEVEL)]!;
      for (let w = 0; w < words; w++) coverScratch[w]! &= bits[w]!;
    }
    for (let w = 0; w < words; w++) if (coverScratch[w] !== 0) return true;
    return false;
  };
  const open: number[] = []; // kept sorted by (unit, index)
  let openFixed = 0;
  const maxParcels = options.maxParcels ?? Infinity;
  const maxNodes = options.maxNodes ?? DEFAULT_MAX_NODES;
  const now = options.now;
  const deadline = now && options.timeBudgetMs !== undefined ? now() + options.timeBudgetMs : Infinity;

  const keepRunnerUp = options.runnerUp === true;
  let best = Infinity;
  let bestSet: number[] | null = null;
  let second = Infinity;
  let secondSet: number[] | null = null;
  // Nodes whose bound reaches `bar` are pruned: the best cost, or the runner-up's when one is kept.
  let bar = Infinity;
  let nodes = 0;
  let stoppedBy: SolverResult['stoppedBy'] = 'none';

  // Scratch for the evaluation of one node.
  const remaining = new Int32Array(m);

  // Cost of filling every line from exactly the open set, or Infinity when it cannot fill them.
  const planCost = (set: readonly number[]): number => {
    let used = 0;
    let cost = 0;
    const usedFlag = new Uint8Array(n);
    for (let k = 0; k < m; k++) {
      let need = demand[k]!;
      for (const a of set) {
        if (need === 0) break;
        const q = Math.min(need, cap[a * m + k]!);
        if (q > 0) {
          need -= q;
          cost += q * unit[a]! * weight[k]!;
          usedFlag[a] = 1;
        }
      }
      if (need > 0) return Infinity;
    }
    for (const a of set) if (usedFlag[a]) used += fixed[a]!;
    return cost + used;
  };

  const offer = (set: readonly number[]): void => {
    if (set.length > maxParcels) return;
    const cost = planCost(set);
    if (cost === Infinity) return;
    const used = set.filter((a) => usesAny(a, set));
    if (cost < best - EPS) {
      if (keepRunnerUp && bestSet && !sameMembers(used, bestSet)) {
        second = best;
        secondSet = bestSet;
      }
      best = cost;
      bestSet = used;
    } else if (keepRunnerUp && cost < second - EPS && !sameMembers(used, bestSet!)) {
      second = cost;
      secondSet = used;
    }
    bar = keepRunnerUp ? second : best;
  };
  // A location in an open set that ships nothing is dropped from the recorded plan.
  const usesAny = (a: number, set: readonly number[]): boolean => {
    for (let k = 0; k < m; k++) {
      let need = demand[k]!;
      for (const b of set) {
        if (need === 0) break;
        const q = Math.min(need, cap[b * m + k]!);
        if (b === a && q > 0) return true;
        need -= q;
      }
    }
    return false;
  };

  const insertOpen = (a: number): void => {
    let p = open.length;
    while (p > 0 && (unit[open[p - 1]!]! > unit[a]! || (unit[open[p - 1]!]! === unit[a]! && open[p - 1]! > a))) p--;
    open.splice(p, 0, a);
    status[a] = OPEN;
    freeBits[a >>> 5]! &= ~(1 << (a & 31));
    openFixed += fixed[a]!;
  };
  const removeOpen = (a: number): void => {
    open.splice(open.indexOf(a), 1);
    status[a] = FREE;
    freeBits[a >>> 5]! |= 1 << (a & 31);
    openFixed -= fixed[a]!;
  };
  const exclude = (a: number): void => {
    status[a] = EXCLUDED;
    freeBits[a >>> 5]! &= ~(1 << (a & 31));
    for (let k = 0; k < m; k++) if (cap[a * m + k]! > 0) freeCount[k]!--;
  };
  const unexclude = (a: number): void => {
    status[a] = FREE;
    freeBits[a >>> 5]! |= 1 << (a & 31);
    for (let k = 0; k < m; k++) if (cap[a * m + k]! > 0) freeCount[k]!++;
  };

  // Upper bounds before searching: every single location that can fill the whole order, then a
  // greedy that keeps opening the location with the best amortised cost for what is still missing.
  const totalDemand = sumOf(demand);
  for (let a = 0; a < n; a++) if (totalCap[a] === totalDemand) offer([a]);
  offer(greedySet());

  function greedySet(): number[] {
    const set: number[] = [];
    const need = demand.slice();
    while (need.some((d) => d > 0) && set.length < n) {
      let bestA = -1;
      let bestScore = Infinity;
      for (let a = 0; a < n; a++) {
        if (set.includes(a)) continue;
        let units = 0;
        let varCost = 0;
        for (let k = 0; k < m; k++) {
          const q = Math.min(need[k]!, cap[a * m + k]!);
          units += q;
          varCost += q * unit[a]! * weight[k]!;
        }
        if (units === 0) continue;
        const score = (fixed[a]! + varCost) / units;
        if (score < bestScore - EPS) {
          bestScore = score;
          bestA = a;
        }
      }
      if (bestA < 0) break;
      set.push(bestA);
      for (let k = 0; k < m; k++) need[k] = Math.max(0, need[k]! - cap[bestA * m + k]!);
    }
    return set.sort((x, y) => unit[x]! - unit[y]! || x - y);
  }

  // Lower bound for the current node (open set fixed, excluded set removed, the rest free), plus
  // the information needed to branch. Two bounds, the larger is used:
  //  LB1: open locations ship at unit cost; free locations at their amortised cost (fixed cost spread
  //       over the most units they could ship).
  //  LB2: every location ships at unit cost, plus, when the open set cannot fill some line, the
  //       cheapest parcel among the free locations that stock that line.
  // Returns -1 bound when the node is infeasible.
  let branchLine = -1;
  let branchLocation = -1;
  let lastVariableBound = 0;
  function evaluate(): number {
    tick();
    let lb1 = 0;
    let lb2 = 0;
    let neededParcel = 0;
    let openVar = 0;
    let openFeasible = true;
    branchLine = -1;
    branchLocation = -1;
    let branchLineFree = Infinity;
    let branchLocationUnits = 0;
    for (let k = 0; k < m; k++) {
      const d = demand[k]!;
      const w = weight[k]!;
      // Open set alone.
      let need = d;
      for (const a of open) {
        if (need === 0) break;
        const q = Math.min(need, cap[a * m + k]!);
        need -= q;
        openVar += q * unit[a]! * w;
      }
      remaining[k] = need;
      if (need > 0) {
        openFeasible = false;
        if (open.length >= maxParcels) return -1;
        let minFixed = -1;
        const lf = byFixed[k]!;
        for (let p = 0; p < lf.length; p++) {
          if (status[lf[p]!] === FREE) {
            minFixed = fixed[lf[p]!]!;
            break;
          }
        }
        if (minFixed < 0) return -1;
        if (minFixed > neededParcel) neededParcel = minFixed;
        if (freeCount[k]! < branchLineFree) {
          branchLineFree = freeCount[k]!;
          branchLine = k;
        }
      }
      // LB1: merge open (by unit) with free (by amortised).
      need = d;
      const la = byAmortised[k]!;
      const am = amortised[k]!;
      let p = 0;
      let o = 0;
      while (need > 0) {
        while (p < la.length && status[la[p]!] !== FREE) p++;
        const oc = o < open.length ? unit[open[o]!]! * w : Infinity;
        const fc = p < la.length ? am[la[p]!]! : Infinity;
        if (oc === Infinity && fc === Infinity) return -1;
        if (oc <= fc) {
          const q = Math.min(need, cap[open[o]! * m + k]!);
          need -= q;
          lb1 += q * oc;
          o++;
        } else {
          const a = la[p]!;
          const q = Math.min(need, cap[a * m + k]!);
          need -= q;
          lb1 += q * fc;
          if (q > branchLocationUnits) {
            branchLocationUnits = q;
            branchLocation = a;
          }
          p++;
        }
      }
      // LB2 variable part: open and free locations at unit cost.
      need = d;
      const lu = byUnit[k]!;
      for (let r = 0; r < lu.length && need > 0; r++) {
        const a = lu[r]!;
        if (status[a] === EXCLUDED) continue;
        const q = Math.min(need, cap[a * m + k]!);
        need -= q;
        lb2 += q * unit[a]! * w;
        if (status[a] === FREE && q > branchLocationUnits) {
          branchLocationUnits = q;
          branchLocation = a;
        }
      }
    }
    if (openFeasible) {
      // The open set is a plan; record it before deciding whether more locations could pay.
      if (openFixed + openVar < bar - EPS) offer(open.slice());
      if (open.length >= maxParcels) return openFixed + openVar;
    }
    lastVariableBound = lb2;
    // When no single free location can supply everything still missing, at least two more parcels are
    // needed: one stocking the line that set neededParcel, and another costing at least the cheapest.
    if (!openFeasible) {
      if (open.length + 1 >= maxParcels && !someFreeLocationCovers()) return -1;
      if (neededParcel > 0 && !someFreeLocationCovers()) neededParcel += cheapestParcel;
    }
    return openFixed + Math.max(lb1, lb2 + neededParcel);
  }

  function tick(): void {
    nodes++;
    if (nodes > maxNodes) {
      stoppedBy = 'nodes';
      throw new SearchStopped();
    }
    if (now && nodes % CLOCK_CHECK_EVERY === 1 && now() > deadline) {
      stoppedBy = 'time';
      throw new SearchStopped();
    }
  }

  function search(): void {
    const lb = evaluate();
    if (lb < 0 || lb >= bar - EPS) return;
    if (branchLine >= 0) {
      // Some line is short: one of its free stockists must open. Bound every such child first and
      // visit them cheapest bound first, so good plans (and tight pruning) come early; after a child's
      // subtree is done it stays closed so later siblings do not repeat the same open sets.
      const k = branchLine;
      const parentVar = lastVariableBound;
      const parentMissing = remaining.slice();
      const la = byAmortised[k]!;
      const kids: number[] = [];
      const kidBound: number[] = [];
      for (let p = 0; p < la.length; p++) {
        const a = la[p]!;
        if (status[a] !== FREE) continue;
        // Opening a only adds its parcel to a bound that already holds for the child, plus another
        // parcel when a cannot supply everything the open set is missing.
        let quick = openFixed + fixed[a]! + parentVar;
        for (let q = 0; q < m; q++) {
          if (parentMissing[q]! > cap[a * m + q]!) {
            quick += cheapestParcel;
            break;
          }
        }
        if (quick >= bar - EPS) continue;
        insertOpen(a);
        const lbc = evaluate();
        removeOpen(a);
        if (lbc < 0 || lbc >= bar - EPS) continue;
        kids.push(a);
        kidBound.push(lbc);
      }
      const order = kids.map((_, i) => i).sort((x, y) => kidBound[x]! - kidBound[y]! || x - y);
      const closed: number[] = [];
      try {
        for (const i of order) {
          if (kidBound[i]! >= bar - EPS) break;
          const a = kids[i]!;
          insertOpen(a);
          try {
            search();
          } finally {
            removeOpen(a);
          }
          exclude(a);
          closed.push(a);
        }
      } finally {
        for (const a of closed) unexclude(a);
      }
      return;
    }
    // The open set fills the order but a bound says another location might still pay for itself.
    const a = branchLocation;
    if (a < 0) return;
    insertOpen(a);
    try {
      search();
    } finally {
      removeOpen(a);
    }
    exclude(a);
    try {
      search();
    } finally {
      unexclude(a);
    }
  }

  if (m > 0) {
    try {
      search();
    } catch (e) {
      if (!(e instanceof SearchStopped)) throw e;
    }
  }

  if (m > 0 && bestSet === null) return notFound(unfilled, nodes, stoppedBy);
  const toPlan = (set: readonly number[]) => {
    const allocations: SolverAllocation[] = [];
    let unitTotal = 0;
    let shipTotal = 0;
    for (const a of set) shipTotal += fixed[a]!;
    for (let k = 0; k < m; k++) {
      let need = demand[k]!;
      for (const a of set) {
        if (need === 0) break;
        const q = Math.min(need, cap[a * m + k]!);
        if (q > 0) {
          need -= q;
          unitTotal += q * unit[a]! * weight[k]!;
          allocations.push({ locationId: allLocations[cand[a]!]!.id, sku: skus[k]!, quantity: q });
        }
      }
    }
    return { allocations, locationIds: set.map((a) => allLocations[cand[a]!]!.id), shipTotal, unitTotal };
  };
  const plan = toPlan(m === 0 ? [] : bestSet!);
  const runner = secondSet ? toPlan(secondSet) : null;
  return {
    found: true,
    allocations: plan.allocations,
    locationIds: plan.locationIds,
    cost: plan.shipTotal + plan.unitTotal,
    shipmentCostTotal: plan.shipTotal,
    unitCostTotal: plan.unitTotal,
    optimal: stoppedBy === 'none',
    stoppedBy,
    nodes,
    unfilled,
    ...(keepRunnerUp
      ? { runnerUp: runner && { locationIds: runner.locationIds, allocations: runner.allocations, cost: runner.shipTotal + runner.unitTotal } }
      : {}),
  };
}

function sameMembers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function notFound(
  unfilled: { sku: string; quantity: number }[],
  nodes: number,
  stoppedBy: SolverResult['stoppedBy'] = 'none',
): SolverResult {
  return {
    found: false,
    allocations: [],
    locationIds: [],
    cost: Infinity,
    shipmentCostTotal: 0,
    unitCostTotal: 0,
    optimal: stoppedBy === 'none',
    stoppedBy,
    nodes,
    unfilled,
  };
}

function sumOf(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

// A location `a` can be dropped when another location `b` is no dearer per parcel and per lb and
// holds the full demand of every line `a` stocks: in any plan, moving a's units to b keeps the plan
// feasible (b can take the whole line) and costs no more. Weaker forms (b merely holding more than a)
// are not safe, because b's stock may already be used up by the plan. Ties keep the earlier location.
function dropDominated(
  cand: number[],
  locations: readonly SolverLocation[],
  m: number,
  stockAt: (i: number, k: number) => number,
  demand: readonly number[],
): number[] {
  const words = Math.ceil(m / 31) || 1;
  const nc = cand.length;
  const anyMask = new Int32Array(nc * words);
  const fullMask = new Int32Array(nc * words);
  const fx = new Float64Array(nc);
  const ux = new Float64Array(nc);
  const dominators: number[] = [];
  for (let c = 0; c < nc; c++) {
    const i = cand[c]!;
    fx[c] = locations[i]!.shipmentCost;
    ux[c] = locations[i]!.unitCost;
    let full = false;
    for (let k = 0; k < m; k++) {
      const s = stockAt(i, k);
      const bit = 1 << (k % 31);
      const w = c * words + Math.floor(k / 31);
      if (s > 0) anyMask[w]! |= bit;
      if (s >= demand[k]!) {
        fullMask[w]! |= bit;
        full = true;
      }
    }
    // Only locations that hold some line in full can dominate.
    if (full) dominators.push(c);
  }
  dominators.sort((x, y) => fx[x]! - fx[y]! || ux[x]! - ux[y]! || x - y);
  const f = (c: number) => fx[c]!;
  const u = (c: number) => ux[c]!;
  const keep: number[] = [];
  for (let c = 0; c < cand.length; c++) {
    const fa = f(c);
    const ua = u(c);
    let dominated = false;
    for (const b of dominators) {
      const fb = f(b);
      if (fb > fa) break;
      if (b === c) continue;
      const ub = u(b);
      if (ub > ua) continue;
      if (fb === fa && ub === ua && b > c) continue;
      let covers = true;
      for (let w = 0; w < words && covers; w++) {
        if ((anyMask[c * words + w]! & ~fullMask[b * words + w]!) !== 0) covers = false;
      }
      if (covers) {
        dominated = true;
        break;
      }
    }
    if (!dominated) keep.push(cand[c]!);
  }
  return keep;
}
