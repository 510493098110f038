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
  const excluded = options.excludeLocationIds;
  const allLocations = problem.locations;

  // One pass over the inventories: keyed lookups on JSON-shaped records dominate the cost otherwise.
  const lineCount = problem.lines.length;
  const rawStock = zeros(allLocations.length * lineCount);
  const totalStock = zeros(lineCount);
  // Iterating each (short) inventory beats looking every sku up: misses on records of many shapes are slow.
  const lineOfSku = new Map<string, number>();
  for (let j = 0; j < lineCount; j++) {
    const sku = problem.lines[j]!.sku;
    // Stock is per sku, so two lines of one sku would share capacity; callers merge them first.
    if (lineOfSku.has(sku)) throw new Error(`duplicate sku in order lines: ${sku}`);
    lineOfSku.set(sku, j);
  }
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
  // Fast path for the typical order: when the best single location is no dearer than the cheapest
  // conceivable two-parcel plan (two cheapest parcels, every unit at its cheapest per-lb rate), it is
  // optimal, and none of the search machinery is needed. Scans in input order with strict improvement,
  // so it picks the same location the full search would.
  if (m > 0 && !options.runnerUp && (options.maxParcels ?? 1) >= 1) {
    let cheapest = Infinity;
    let second = Infinity;
    const minUnit: number[] = [];
    for (let k = 0; k < m; k++) minUnit.push(Infinity);
    let bestSingle = -1;
    let bestSingleCost = Infinity;
    let totalWeight = 0;
    for (let k = 0; k < m; k++) totalWeight += demand[k]! * weight[k]!;
    for (const i of cand) {
      const loc = allLocations[i]!;
      const f = loc.shipmentCost;
      if (f < cheapest) {
        second = cheapest;
        cheapest = f;
      } else if (f < second) second = f;
      let full = true;
      for (let k = 0; k < m; k++) {
        const s = stockAt(i, k);
        if (s > 0 && loc.unitCost < minUnit[k]!) minUnit[k] = loc.unitCost;
        if (s < demand[k]!) full = false;
      }
      if (full) {
        const cost = f + loc.unitCost * totalWeight;
        if (cost < bestSingleCost - EPS) {
          bestSingleCost = cost;
          bestSingle = i;
        }
      }
    }
    let twoParcelBound = cheapest + second;
    for (let k = 0; k < m; k++) twoParcelBound += demand[k]! * weight[k]! * minUnit[k]!;
    if (bestSingle >= 0 && twoParcelBound >= bestSingleCost - EPS) {
      const loc = allLocations[bestSingle]!;
      return {
        found: true,
        allocations: skus.map((sku, k) => ({ locationId: loc.id, sku, quantity: demand[k]! })),
        locationIds: [loc.id],
        cost: bestSingleCost,
        shipmentCostTotal: loc.shipmentCost,
        unitCostTotal: bestSingleCost - loc.shipmentCost,
        optimal: true,
        stoppedBy: 'none',
        nodes: 0,
        unfilled,
      };
    }
  }

  // Dominated locations can still make the runner-up, so they stay when one is asked for.
  if (!options.runnerUp) cand = dropDominated(cand, allLocations, m, stockAt, demand);

  const n = cand.length;
  const fixed = zeros(n);
  const unit = zeros(n);
  const cap = zeros(n * m); // stock capped at demand, row-major by location
  for (let a = 0; a < n; a++) {
    const loc = allLocations[cand[a]!]!;
    fixed[a] = loc.shipmentCost;
    unit[a] = loc.unitCost;
    for (let k = 0; k < m; k++) cap[a * m + k] = Math.min(stockAt(cand[a]!, k), demand[k]!);
  }

  // Per-line candidate lists in three static orders, walked lazily at each node (demand is small,
  // so a walk usually stops after a handful of entries).
  const byUnit: number[][] = [];
  const byAmortised: number[][] = [];
  const amortised: number[][] = [];
  const byFixed: number[][] = [];
  const byResidual: number[][] = [];
  const residualAmortised: number[][] = [];
  let cheapestParcel = Infinity;
  for (let a = 0; a < n; a++) cheapestParcel = Math.min(cheapestParcel, fixed[a]!);
  const freeCount = zeros(m);
  const totalCap = zeros(n);
  for (let a = 0; a < n; a++) for (let k = 0; k < m; k++) totalCap[a]! += cap[a * m + k]!;
  // Unit and parcel cost orders are the same for every line: sort once, then filter per line.
  const stockistsInOrder = (order: readonly number[], k: number, count: number): number[] => {
    const out = zeros(count);
    let p = 0;
    for (let r = 0; r < order.length; r++) {
      const a = order[r]!;
      if (cap[a * m + k]! > 0) out[p++] = a;
    }
    return out;
  };
  const all: number[] = [];
  for (let a = 0; a < n; a++) all.push(a);
  const unitOrder = sortByKey(all, unit);
  const fixedOrder = sortByKey(all, fixed);
  for (let k = 0; k < m; k++) {
    const list: number[] = [];
    for (let a = 0; a < n; a++) if (cap[a * m + k]! > 0) list.push(a);
    freeCount[k] = list.length;
    // Amortised cost: a location that ships q units pays shipmentCost/q per unit, and q <= totalCap,
    // so unit*weight + shipmentCost/totalCap never overstates the cost of a unit from a closed location.
    const amk = zeros(n);
    for (const a of list) amk[a] = unit[a]! * weight[k]! + fixed[a]! / totalCap[a]!;
    amortised.push(amk);
    // For LB3: only the part of each parcel above the cheapest parcel is spread over units.
    const rek = zeros(n);
    for (const a of list) rek[a] = unit[a]! * weight[k]! + (fixed[a]! - cheapestParcel) / totalCap[a]!;
    residualAmortised.push(rek);
    byResidual.push(sortByKey(list, rek));
    byUnit.push(stockistsInOrder(unitOrder, k, list.length));
    byAmortised.push(sortByKey(list, amk));
    byFixed.push(stockistsInOrder(fixedOrder, k, list.length));
  }

  const status = zeros(n);
  // Bitsets for "can one free location cover everything still missing?": levels[k][t] holds the
  // locations with at least t units of line k (t capped at MAX_LEVEL; a higher need is checked against
  // the cap level, which can only claim coverage too eagerly, keeping the bound admissible).
  const words = (n + 31) >>> 5;
  // One buffer for all bitsets: [free | scratch | line 0 level 1..top | line 1 level 1..top | ...].
  const levelStart: number[] = [];
  let totalWords = 2 * words;
  for (let k = 0; k < m; k++) {
    levelStart.push(totalWords - words); // level t of line k starts at levelStart[k] + t * words
    totalWords += Math.min(demand[k]!, MAX_LEVEL) * words;
  }
  const bitsBuffer = new Int32Array(totalWords);
  const SCRATCH = words;
  for (let a = 0; a < n; a++) bitsBuffer[a >>> 5]! |= 1 << (a & 31);
  for (let k = 0; k < m; k++) {
    const top = Math.min(demand[k]!, MAX_LEVEL);
    for (let a = 0; a < n; a++) {
      const c = Math.min(cap[a * m + k]!, top);
      for (let t = 1; t <= c; t++) bitsBuffer[levelStart[k]! + t * words + (a >>> 5)]! |= 1 << (a & 31);
    }
  }
  const setFreeBit = (a: number, free: boolean): void => {
    if (free) bitsBuffer[a >>> 5]! |= 1 << (a & 31);
    else bitsBuffer[a >>> 5]! &= ~(1 << (a & 31));
  };
  const someFreeLocationCovers = (): boolean => {
    for (let w = 0; w < words; w++) bitsBuffer[SCRATCH + w] = bitsBuffer[w]!;
    for (let k = 0; k < m; k++) {
      const r = remaining[k]!;
      if (r === 0) continue;
      const base = levelStart[k]! + Math.min(r, MAX_LEVEL) * words;
      for (let w = 0; w < words; w++) bitsBuffer[SCRATCH + w]! &= bitsBuffer[base + w]!;
    }
    for (let w = 0; w < words; w++) if (bitsBuffer[SCRATCH + w] !== 0) return true;
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
  const remaining = zeros(m);

  // Cost of filling every line from exactly the open set, or Infinity when it cannot fill them.
  // Records the plan that fills every line from exactly `set` (sorted by unit cost), if it is cheap
  // enough to matter. Locations of the set that end up shipping nothing are dropped from the plan.
  const usedFlag = zeros(n);
  const offer = (set: readonly number[]): void => {
    if (set.length > maxParcels) return;
    let cost = 0;
    let feasible = true;
    for (let k = 0; k < m && feasible; k++) {
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
      if (need > 0) feasible = false;
    }
    const used: number[] = [];
    for (const a of set) {
      if (usedFlag[a]) {
        cost += fixed[a]!;
        used.push(a);
        usedFlag[a] = 0;
      }
    }
    if (!feasible || cost >= bar - EPS) return;
    if (cost < best - EPS) {
      if (keepRunnerUp && bestSet && !sameMembers(used, bestSet)) {
        second = best;
        secondSet = bestSet;
      }
      best = cost;
      bestSet = used;
    } else if (keepRunnerUp && !sameMembers(used, bestSet!)) {
      second = cost;
      secondSet = used;
    }
    bar = keepRunnerUp ? second : best;
  };

  const insertOpen = (a: number): void => {
    let p = open.length;
    while (p > 0 && (unit[open[p - 1]!]! > unit[a]! || (unit[open[p - 1]!]! === unit[a]! && open[p - 1]! > a))) p--;
    open.splice(p, 0, a);
    status[a] = OPEN;
    setFreeBit(a, false);
    openFixed += fixed[a]!;
  };
  const removeOpen = (a: number): void => {
    open.splice(open.indexOf(a), 1);
    status[a] = FREE;
    setFreeBit(a, true);
    openFixed -= fixed[a]!;
  };
  const exclude = (a: number): void => {
    status[a] = EXCLUDED;
    setFreeBit(a, false);
    for (let k = 0; k < m; k++) if (cap[a * m + k]! > 0) freeCount[k]!--;
  };
  const unexclude = (a: number): void => {
    status[a] = FREE;
    setFreeBit(a, true);
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
  // the information needed to branch (the bounds themselves are described in pass 2 below). Records
  // the open set's own plan when it fills the order, and settles the node outright when only
  // "open set + one covering location" can still win. Returns -1 when the node is infeasible.
  let branchLine = -1;
  let branchLocation = -1;
  let branchLocationUnits = 0;
  let lastVariableBound = 0;
  function evaluate(): number {
    tick();
    let neededParcel = 0;
    let openVar = 0;
    let openFeasible = true;
    branchLine = -1;
    branchLocation = -1;
    branchLocationUnits = 0;
    let branchLineFree = Infinity;
    // Pass 1: what the open set alone ships, and what is still missing.
    for (let k = 0; k < m; k++) {
      const w = weight[k]!;
      let need = demand[k]!;
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
    }
    // Parcels still to open in any plan of this subtree other than the open set itself: at least
    // one, or two when no single free location can supply everything still missing. The open set's
    // own plan (when it fills the order) is recorded here, so the bound only has to cover the rest.
    let extraParcels = 1;
    if (openFeasible) {
      if (openFixed + openVar < bar - EPS) offer(open);
      if (open.length >= maxParcels) return bar;
    } else {
      extraParcels = someFreeLocationCovers() ? 1 : 2;
      if (open.length + extraParcels > maxParcels) return -1;
    }

    // Pass 2: three admissible bounds on the cost of any completion.
    //  LB1: free locations ship at unit cost plus their parcel cost spread over the most units
    //       they could ship.
    //  LB3: as LB1 with (parcel - cheapest parcel) spread, plus one cheapest parcel per parcel
    //       still to open; stronger when extra parcels are certain.
    //  LB2: every location at unit cost, plus the parcel of the dearest must-open line (and one
    //       cheapest parcel more when two are needed).
    let lb1 = 0;
    let lb2 = 0;
    let lb3 = 0;
    for (let k = 0; k < m; k++) {
      const d = demand[k]!;
      const w = weight[k]!;
      lb1 += mergeFill(k, d, w, byAmortised[k]!, amortised[k]!, true);
      lb3 += mergeFill(k, d, w, byResidual[k]!, residualAmortised[k]!, false);
      let need = d;
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
    lastVariableBound = lb2;
    // Any extra parcel costs at least the cheapest; a must-open line's costs at least neededParcel.
    const firstParcel = openFeasible ? cheapestParcel : neededParcel;
    const bound = (extra: number) =>
      openFixed + Math.max(lb1, lb2 + firstParcel + (extra - 1) * cheapestParcel, lb3 + extra * cheapestParcel);
    if (!openFeasible && extraParcels === 1) {
      // If plans with two or more extra parcels cannot win, only "open set + one location that
      // covers the rest" remains: enumerate those exactly instead of branching.
      const twoOrMore = bound(2);
      if (twoOrMore >= bar - EPS) {
        if (!someFreeLocationCovers()) return twoOrMore;
        const coverers: number[] = [];
        for (let wd = 0; wd < words; wd++) {
          let bits = bitsBuffer[SCRATCH + wd]!;
          while (bits !== 0) {
            const low = bits & -bits;
            coverers.push(wd * 32 + 31 - Math.clz32(low));
            bits ^= low;
          }
        }
        for (const b of coverers) {
          if (openFixed + fixed[b]! + lb2 >= bar - EPS) continue;
          if (openFixed + fixed[b]! + varCostWith(b) >= bar - EPS) continue;
          insertOpen(b);
          offer(open);
          removeOpen(b);
        }
        return Math.max(twoOrMore, bar);
      }
    }
    return bound(extraParcels);
  }

  // Unit cost of filling every line from the open set plus location b (b may fill first).
  function varCostWith(b: number): number {
    let cost = 0;
    const ub = unit[b]!;
    for (let k = 0; k < m; k++) {
      let need = demand[k]!;
      const w = weight[k]!;
      let bDone = false;
      for (let o = 0; o <= open.length && need > 0; o++) {
        const a = o < open.length ? open[o]! : -1;
        if (!bDone && (a < 0 || unit[a]! > ub || (unit[a]! === ub && a > b))) {
          const q = Math.min(need, cap[b * m + k]!);
          need -= q;
          cost += q * ub * w;
          bDone = true;
          o--;
          continue;
        }
        if (a < 0) break;
        const q = Math.min(need, cap[a * m + k]!);
        need -= q;
        cost += q * unit[a]! * w;
      }
    }
    return cost;
  }

  // Cheapest way to ship d units of line k when open locations charge unit cost and free ones the
  // given per-unit cost (list sorted by it). Infinity when stock cannot cover d.
  function mergeFill(k: number, d: number, w: number, list: readonly number[], perUnit: readonly number[], track: boolean): number {
    let need = d;
    let cost = 0;
    let p = 0;
    let o = 0;
    while (need > 0) {
      while (p < list.length && status[list[p]!] !== FREE) p++;
      const oc = o < open.length ? unit[open[o]!]! * w : Infinity;
      const fc = p < list.length ? perUnit[list[p]!]! : Infinity;
      if (oc === Infinity && fc === Infinity) return Infinity;
      if (oc <= fc) {
        const q = Math.min(need, cap[open[o]! * m + k]!);
        need -= q;
        cost += q * oc;
        o++;
      } else {
        const q = Math.min(need, cap[list[p]! * m + k]!);
        need -= q;
        cost += q * fc;
        if (track && q > branchLocationUnits) {
          branchLocationUnits = q;
          branchLocation = list[p]!;
        }
        p++;
      }
    }
    return cost;
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

// Indices sorted by key, ties by index. Packs (quantised key, index) into one float so the typed-array
// numeric sort does the work: comparator sorts dominated the solve time on 500 locations.
// Plain arrays: allocating many small typed arrays per call cost more than the whole search on
// small orders.
function zeros(len: number): number[] {
  const a: number[] = [];
  for (let i = 0; i < len; i++) a.push(0);
  return a;
}

function sortByKey(indices: readonly number[], key: readonly number[]): number[] {
  const len = indices.length;
  if (len <= 48) {
    // Small lists: insertion sort beats allocating the packed keys.
    const out = zeros(len);
    for (let p = 0; p < len; p++) {
      const i = indices[p]!;
      const v = key[i]!;
      let q = p;
      while (q > 0 && (key[out[q - 1]!]! > v || (key[out[q - 1]!]! === v && out[q - 1]! > i))) {
        out[q] = out[q - 1]!;
        q--;
      }
      out[q] = i;
    }
    return out;
  }
  let maxIndex = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const i of indices) {
    if (i > maxIndex) maxIndex = i;
    const v = key[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const slots = maxIndex + 1;
  // As fine a quantum as fits, so keys that differ by more than a nano-unit keep their order.
  let scale = 1e9;
  while (scale > 1e3 && ((max - min) * scale + 1) * slots >= 2 ** 52) scale /= 10;
  if (len > 0 && Number.isFinite(max - min) && ((max - min) * scale + 1) * slots < 2 ** 52) {
    const packed = new Float64Array(len);
    for (let p = 0; p < len; p++) {
      const i = indices[p]!;
      packed[p] = Math.round((key[i]! - min) * scale) * slots + i;
    }
    packed.sort();
    const out = zeros(len);
    for (let p = 0; p < len; p++) out[p] = packed[p]! % slots;
    return out;
  }
  return ([...indices].sort((x, y) => key[x]! - key[y]! || x - y));
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
  const fx = zeros(nc);
  const ux = zeros(nc);
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
  // Cheapest parcel first, so the scan for a dominator can stop at the first dearer one; and per
  // line, so a location is only compared with dominators holding its rarest line in full.
  const sortedDominators = sortByKey(dominators, fx);
  const fullOn: number[][] = [];
  for (let k = 0; k < m; k++) fullOn.push([]);
  for (const b of sortedDominators) {
    for (let k = 0; k < m; k++) if (fullMask[b * words + Math.floor(k / 31)]! & (1 << (k % 31))) fullOn[k]!.push(b);
  }
  // Running minimum of unitCost along each list: if even the cheapest-per-lb dominator within the
  // parcel-cost limit is dearer per lb, there is nothing to scan.
  const prefixMinUnit: number[][] = fullOn.map((list) => {
    let min = Infinity;
    return list.map((b) => (min = Math.min(min, ux[b]!)));
  });
  const keep: number[] = [];
  for (let c = 0; c < nc; c++) {
    const fa = fx[c]!;
    const ua = ux[c]!;
    let line = -1;
    for (let k = 0; k < m; k++) {
      if (anyMask[c * words + Math.floor(k / 31)]! & (1 << (k % 31)) && (line < 0 || fullOn[k]!.length < fullOn[line]!.length)) line = k;
    }
    const scan = line < 0 ? [] : fullOn[line]!;
    // Last entry with parcel cost <= fa (lists are sorted by parcel cost).
    let lo = 0;
    let hi = scan.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (fx[scan[mid]!]! <= fa) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0 || prefixMinUnit[line]![lo - 1]! > ua) {
      keep.push(cand[c]!);
      continue;
    }
    let dominated = false;
    for (let r = 0; r < lo; r++) {
      const b = scan[r]!;
      const fb = fx[b]!;
      if (fb > fa) break;
      const ub = ux[b]!;
      if (ub > ua || b === c) continue;
      if (fb === fa && ub === ua && b > c) continue;
      let covers = true;
      for (let w = 0; w < words; w++) {
        if ((anyMask[c * words + w]! & ~fullMask[b * words + w]!) !== 0) {
          covers = false;
          break;
        }
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
