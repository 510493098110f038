// Exact solver for one group's fixed-charge problem: which of its candidate locations ship which units.
//
// A group is every order of one customer to one address in the batch: one parcel per location used
// (`fixed`), a per-unit cost for every (item, location) pair (`cost`, any value: the batch allocator
// adds shadow prices of stock to it), stock per (slot, location) (items of one sku share a slot) and
// a per-unit penalty for units left unfilled. The per-order engine (`solver.ts`) solves the special
// case cost = unitCost(location) x weight(item), which shadow prices per (location, sku) break, so the
// batch needs this more general form. It is small: 1 to ~10 items and a few dozen candidates.
//
// Method: depth-first branch-and-bound over open sets, as in the per-order engine.
// - Lower bound at a node (open set O, excluded set E): fixed costs of O plus, item by item, the
//   cheapest `demand` units among: O's units at their cost, free locations' units at cost plus the
//   parcel spread over the most units the location could ship to the group (admissible: a parcel
//   carrying q <= T units costs at least fixed/T per unit), and the penalty. Stock shared by the items
//   of one slot is counted once per item there (a relaxation, so still admissible).
// - Branching: an item that O cannot fill needs one of its free stockists or leaves units unfilled;
//   the children open each stockist in bound order (later siblings exclude earlier ones) and a last
//   child excludes them all. When O fills every item, the free location that the bound uses most is
//   opened or excluded.
// - Dominated locations are dropped first: `a` goes when some `b` is no dearer per parcel and per unit
//   for every item `a` can serve and holds the group's whole demand of every slot `a` stocks.
// Pure and deterministic: ties break on input order; a node limit stops the search (then the result
// carries a valid lower bound, not a proof).

export interface GroupProblem {
  /** Candidate locations. */
  readonly n: number;
  /** Items (order lines). */
  readonly m: number;
  /** Parcel cost per candidate. */
  readonly fixed: ArrayLike<number>;
  /** Per-unit cost of item k at candidate j, at [k * n + j]; Infinity when the item may not use it. */
  readonly cost: ArrayLike<number>;
  /** Slot (sku within the group) of each item: items of one slot share its stock. */
  readonly slotOf: ArrayLike<number>;
  readonly slots: number;
  /** Units of slot s at candidate j, at [s * n + j]. */
  readonly stock: ArrayLike<number>;
  readonly demand: ArrayLike<number>;
  /** Cost of a unit left unfilled. */
  readonly penalty: number;
}

export interface GroupSolution {
  /** Objective: parcels + unit costs + penalties. */
  readonly cost: number;
  /** Units of item k from candidate j, at [k * n + j]. */
  readonly alloc: Int32Array;
  readonly unfilled: Int32Array;
  /** Candidates that ship something. */
  readonly open: readonly number[];
  /** A valid lower bound on the optimum (equal to `cost` when proven). */
  readonly lowerBound: number;
  readonly proven: boolean;
  readonly nodes: number;
}

const EPS = 1e-9;
const FREE = 0;
const OPEN = 1;
const EXCLUDED = 2;

export interface GroupSolveOptions {
  /** Bounded nodes before giving up on a proof. Default 20 000. */
  readonly maxNodes?: number;
  /** Candidates of a plan believed good (e.g. the previous solution): evaluated first as an incumbent. */
  readonly hint?: readonly number[];
}

export function solveGroup(p: GroupProblem, options: GroupSolveOptions = {}): GroupSolution {
  return new GroupSearch(p, options.maxNodes ?? 20_000).solve(options.hint);
}

class GroupSearch {
  private readonly n: number;
  private readonly m: number;
  private readonly cap: Float64Array;
  private readonly amort: Float64Array;
  private readonly byAmort: Int32Array[] = [];
  private readonly reach: Float64Array;
  private readonly slotDemand: Float64Array;
  private readonly status: Uint8Array;
  private readonly open: number[] = [];
  private openFixed = 0;
  private best = Infinity;
  private bestAlloc: Int32Array;
  private bestUnfilled: Int32Array;
  private nodes = 0;
  private stopped = false;
  // Scratch.
  private readonly slotLeft: Float64Array;
  private readonly alloc: Int32Array;
  private readonly unfilled: Int32Array;
  private readonly remainder: Float64Array;
  private readonly useInBound: Float64Array;
  private readonly sorted: Int32Array;
  /** Slots shared by several items, and each slot's items. */
  private readonly shared: Uint8Array;
  private readonly slotItems: number[][];

  constructor(
    private readonly p: GroupProblem,
    private readonly maxNodes: number,
  ) {
    const { n, m, fixed, cost, slotOf, stock, demand, penalty } = p;
    this.n = n;
    this.m = m;
    // Usable stock per item and candidate: capped at the item's demand, zero where it may not go.
    const slotDemand = new Float64Array(p.slots);
    for (let k = 0; k < m; k++) slotDemand[slotOf[k]!]! += demand[k]!;
    const cap = new Float64Array(m * n);
    for (let k = 0; k < m; k++) {
      const row = slotOf[k]! * n;
      for (let j = 0; j < n; j++) {
        const c = cost[k * n + j]!;
        if (c < penalty) cap[k * n + j] = Math.min(stock[row + j]!, demand[k]!);
      }
    }
    this.cap = cap;
    // Units a candidate could ship to the group at most (a slot's stock counted once).
    const reach = new Float64Array(n);
    const slotSeen = new Uint8Array(p.slots);
    for (let j = 0; j < n; j++) {
      slotSeen.fill(0);
      let t = 0;
      for (let k = 0; k < m; k++) {
        const s = slotOf[k]!;
        if (cap[k * n + j]! > 0 && !slotSeen[s]) {
          slotSeen[s] = 1;
          t += Math.min(stock[s * n + j]!, slotDemand[s]!);
        }
      }
      reach[j] = t;
    }
    this.reach = reach;
    this.slotDemand = slotDemand;
    const status = new Uint8Array(n);
    for (let j = 0; j < n; j++) if (!(reach[j]! > 0)) status[j] = EXCLUDED;
    this.status = status;
    this.amort = new Float64Array(m * n);
    this.bestAlloc = new Int32Array(m * n);
    this.bestUnfilled = new Int32Array(m);
    this.slotLeft = new Float64Array(p.slots * n);
    this.alloc = new Int32Array(m * n);
    this.unfilled = new Int32Array(m);
    this.remainder = new Float64Array(m);
    this.useInBound = new Float64Array(n);
    this.sorted = new Int32Array(n);
    this.slotItems = Array.from({ length: p.slots }, () => [] as number[]);
    for (let k = 0; k < m; k++) this.slotItems[slotOf[k]!]!.push(k);
    this.shared = Uint8Array.from(this.slotItems, (items) => (items.length > 1 ? 1 : 0));
  }

  solve(hint: readonly number[] | undefined): GroupSolution {
    if (hint) {
      for (const j of hint) if (j < this.n && this.status[j] === FREE) this.openLoc(j);
      this.evaluateOpen();
      for (const j of [...this.open]) this.closeLoc(j);
    }
    this.prepare();
    const rootBound = this.bound();
    this.search(rootBound);
    const proven = !this.stopped;
    const { n, m } = this;
    const open: number[] = [];
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < m; k++) {
        if (this.bestAlloc[k * n + j]! > 0) {
          open.push(j);
          break;
        }
      }
    }
    return {
      cost: this.best,
      alloc: this.bestAlloc,
      unfilled: this.bestUnfilled,
      open,
      lowerBound: proven ? this.best : Math.min(this.best, rootBound),
      proven,
      nodes: this.nodes,
    };
  }

  // Drops candidates that cannot be in a plan cheaper than the incumbent (their parcel plus every unit
  // at its cheapest cost already reaches it) and dominated ones, then orders the rest per item.
  private prepare(): void {
    const { n, m, p, cap, status, reach, slotDemand, amort } = this;
    const { fixed, cost, slotOf, stock, demand, penalty } = p;
    if (this.best < Infinity) {
      let floor = 0;
      for (let k = 0; k < m; k++) {
        let cheapest = penalty;
        for (let j = 0; j < n; j++) if (cap[k * n + j]! > 0 && cost[k * n + j]! < cheapest) cheapest = cost[k * n + j]!;
        floor += demand[k]! * cheapest;
      }
      for (let j = 0; j < n; j++) if (fixed[j]! + floor >= this.best - EPS) status[j] = EXCLUDED;
    }
    for (let a = 0; a < n; a++) {
      if (status[a] === EXCLUDED) continue;
      for (let b = 0; b < n; b++) {
        if (b === a || status[b] === EXCLUDED || fixed[b]! > fixed[a]! + EPS) continue;
        let dominates = true;
        let strict = fixed[b]! < fixed[a]! - EPS;
        for (let k = 0; k < m; k++) {
          if (cap[k * n + a]! <= 0) continue;
          const cb = cost[k * n + b]!;
          const ca = cost[k * n + a]!;
          if (cb > ca + EPS || stock[slotOf[k]! * n + b]! < slotDemand[slotOf[k]!]!) {
            dominates = false;
            break;
          }
          if (cb < ca - EPS) strict = true;
        }
        // Identical candidates: keep the first.
        if (dominates && (strict || b < a)) {
          status[a] = EXCLUDED;
          break;
        }
      }
    }
    for (let k = 0; k < m; k++) {
      const list: number[] = [];
      for (let j = 0; j < n; j++) {
        if (status[j] === EXCLUDED || cap[k * n + j]! <= 0) continue;
        amort[k * n + j] = cost[k * n + j]! + fixed[j]! / reach[j]!;
        list.push(j);
      }
      list.sort((x, y) => amort[k * n + x]! - amort[k * n + y]! || x - y);
      this.byAmort.push(Int32Array.from(list));
    }
  }

  private openLoc(j: number): void {
    this.status[j] = OPEN;
    this.open.push(j);
    this.openFixed += this.p.fixed[j]!;
  }

  private closeLoc(j: number): void {
    this.status[j] = FREE;
    this.open.splice(this.open.indexOf(j), 1);
    this.openFixed -= this.p.fixed[j]!;
  }

  // The open candidates that stock item k, by unit cost (insertion sort: there are a few).
  private sortOpen(k: number): number {
    const { n, cap, sorted, open } = this;
    const cost = this.p.cost;
    let len = 0;
    for (let i = 0; i < open.length; i++) {
      const j = open[i]!;
      if (cap[k * n + j]! <= 0) continue;
      let q = len++;
      while (q > 0 && (cost[k * n + sorted[q - 1]!]! > cost[k * n + j]! || (cost[k * n + sorted[q - 1]!]! === cost[k * n + j]! && sorted[q - 1]! > j))) {
        sorted[q] = sorted[q - 1]!;
        q--;
      }
      sorted[q] = j;
    }
    return len;
  }

  // Cost of shipping from exactly the open set, the rest unfilled; records the plan when it is the
  // best so far. Leaves each item's shortfall in `remainder`. An item alone in its slot takes its
  // cheapest open units; items sharing a slot split its stock by a min-cost flow.
  private evaluateOpen(): number {
    const { n, m, p, open, alloc, slotLeft, sorted } = this;
    const { cost, stock, slotOf, demand, penalty, fixed } = p;
    for (const j of open) {
      for (let s = 0; s < p.slots; s++) slotLeft[s * n + j] = stock[s * n + j]!;
      for (let k = 0; k < m; k++) alloc[k * n + j] = 0;
    }
    let total = 0;
    for (let k = 0; k < m; k++) {
      if (this.shared[slotOf[k]!]) continue;
      const len = this.sortOpen(k);
      let need = demand[k]!;
      const row = slotOf[k]! * n;
      for (let i = 0; i < len && need > 0; i++) {
        const j = sorted[i]!;
        const q = Math.min(need, slotLeft[row + j]!);
        if (q > 0) {
          alloc[k * n + j] = q;
          slotLeft[row + j]! -= q;
          need -= q;
          total += q * cost[k * n + j]!;
        }
      }
      this.unfilled[k] = need;
      this.remainder[k] = need;
      total += need * penalty;
    }
    for (let s = 0; s < p.slots; s++) if (this.shared[s]) total += this.splitSlot(s);
    for (const j of open) {
      for (let k = 0; k < m; k++) {
        if (alloc[k * n + j]! > 0) {
          total += fixed[j]!;
          break;
        }
      }
    }
    if (total < this.best - EPS) {
      this.best = total;
      this.bestAlloc.fill(0);
      for (const j of open) for (let k = 0; k < m; k++) this.bestAlloc[k * n + j] = alloc[k * n + j]!;
      this.bestUnfilled.set(this.unfilled);
    }
    return total;
  }

  // Items of one slot share its stock at the open candidates: a small transportation problem (with
  // "unfilled" at the penalty as a sink without limit), solved exactly by successive shortest paths,
  // one unit at a time (Bellman-Ford: moving a unit can reroute another item's unit).
  private splitSlot(s: number): number {
    const { n, p, open, alloc, slotLeft } = this;
    const { cost, demand, penalty } = p;
    const items = this.slotItems[s]!;
    for (const k of items) this.unfilled[k] = 0;
    const left = items.map((k) => demand[k]!);
    const usable = (k: number, j: number) => this.cap[k * n + j]! > 0;
    const K = items.length;
    const J = open.length;
    const distItem = new Float64Array(K);
    const distLoc = new Float64Array(J);
    const predItem = new Int32Array(K); // location index the item was reached from, -1 if a source
    const predLoc = new Int32Array(J); // item index the location was reached from
    let total = 0;
    for (;;) {
      let sources = false;
      for (let a = 0; a < K; a++) {
        distItem[a] = left[a]! > 0 ? 0 : Infinity;
        if (left[a]! > 0) sources = true;
        predItem[a] = -1;
      }
      if (!sources) break;
      distLoc.fill(Infinity);
      for (let round = 0; round <= K + J; round++) {
        let changed = false;
        for (let a = 0; a < K; a++) {
          if (distItem[a] === Infinity) continue;
          for (let b = 0; b < J; b++) {
            const k = items[a]!;
            const j = open[b]!;
            if (!usable(k, j)) continue;
            const d = distItem[a]! + cost[k * n + j]!;
            if (d < distLoc[b]! - EPS) {
              distLoc[b] = d;
              predLoc[b] = a;
              changed = true;
            }
          }
        }
        for (let b = 0; b < J; b++) {
          if (distLoc[b] === Infinity) continue;
          for (let a = 0; a < K; a++) {
            const k = items[a]!;
            const j = open[b]!;
            if (alloc[k * n + j]! <= 0) continue;
            const d = distLoc[b]! - cost[k * n + j]!;
            if (d < distItem[a]! - EPS) {
              distItem[a] = d;
              predItem[a] = b;
              changed = true;
            }
          }
        }
        if (!changed) break;
      }
      // Cheapest way to place one more unit: at an open location with stock left, or unfilled.
      let bestEnd = Infinity;
      let endLoc = -1;
      let endItem = -1;
      for (let b = 0; b < J; b++) {
        if (slotLeft[s * n + open[b]!]! > 0 && distLoc[b]! < bestEnd - EPS) {
          bestEnd = distLoc[b]!;
          endLoc = b;
          endItem = -1;
        }
      }
      for (let a = 0; a < K; a++) {
        if (distItem[a]! + penalty < bestEnd - EPS) {
          bestEnd = distItem[a]! + penalty;
          endItem = a;
          endLoc = -1;
        }
      }
      total += bestEnd;
      // Walk the path back to its source item, moving one unit along it.
      let a: number;
      if (endLoc >= 0) {
        slotLeft[s * n + open[endLoc]!]!--;
        a = predLoc[endLoc]!;
        alloc[items[a]! * n + open[endLoc]!]!++;
      } else {
        a = endItem;
        this.unfilled[items[a]!]!++;
      }
      while (predItem[a]! >= 0) {
        const b = predItem[a]!;
        alloc[items[a]! * n + open[b]!]!--;
        a = predLoc[b]!;
        alloc[items[a]! * n + open[b]!]!++;
      }
      left[a]!--;
    }
    for (const k of items) this.remainder[k] = this.unfilled[k]!;
    return total;
  }

  // Admissible bound for every plan that opens a superset of the open set within the free
  // candidates; notes in `useInBound` how many units it takes from each free candidate.
  private bound(): number {
    const { n, m, p, cap, amort, status, sorted, useInBound } = this;
    const { cost, demand, penalty } = p;
    let total = this.openFixed;
    useInBound.fill(0);
    for (let k = 0; k < m; k++) {
      let left = demand[k]!;
      if (left === 0) continue;
      const len = this.sortOpen(k);
      const list = this.byAmort[k]!;
      let i = 0;
      let f = 0;
      while (left > 0) {
        while (f < list.length && status[list[f]!] !== FREE) f++;
        const oc = i < len ? cost[k * n + sorted[i]!]! : Infinity;
        const fc = f < list.length ? amort[k * n + list[f]!]! : Infinity;
        if (oc <= fc && oc < penalty) {
          const q = Math.min(left, cap[k * n + sorted[i]!]!);
          total += q * oc;
          left -= q;
          i++;
        } else if (fc < penalty) {
          const j = list[f]!;
          const q = Math.min(left, cap[k * n + j]!);
          total += q * fc;
          useInBound[j]! += q;
          left -= q;
          f++;
        } else {
          total += left * penalty;
          left = 0;
        }
      }
    }
    return total;
  }

  private search(lb: number): void {
    if (this.stopped) return;
    if (++this.nodes > this.maxNodes) {
      this.stopped = true;
      return;
    }
    if (lb >= this.best - EPS) return;
    this.evaluateOpen();
    if (lb >= this.best - EPS) return;
    const { n, m, status } = this;

    // An item the open set cannot fill, with the fewest free stockists.
    let item = -1;
    let fewest = Infinity;
    for (let k = 0; k < m; k++) {
      if (this.remainder[k]! <= 0) continue;
      let count = 0;
      for (const j of this.byAmort[k]!) if (status[j] === FREE) count++;
      if (count > 0 && count < fewest) {
        fewest = count;
        item = k;
      }
    }

    if (item >= 0) {
      // One of its free stockists opens (cheapest bound first; later siblings exclude earlier ones),
      // or none does.
      const kids: number[] = [];
      const kidBound: number[] = [];
      for (const j of this.byAmort[item]!) {
        if (status[j] !== FREE) continue;
        this.openLoc(j);
        kidBound.push(this.bound());
        this.closeLoc(j);
        kids.push(j);
      }
      const ranked = kids.map((_, i) => i).sort((x, y) => kidBound[x]! - kidBound[y]! || x - y);
      for (const i of ranked) {
        if (this.stopped) break;
        const j = kids[i]!;
        if (kidBound[i]! < this.best - EPS) {
          this.openLoc(j);
          this.search(this.bound());
          this.closeLoc(j);
        }
        status[j] = EXCLUDED;
      }
      if (!this.stopped) this.search(this.bound());
      for (const j of kids) status[j] = FREE;
      return;
    }

    // The open set fills what it can: one more location helps only through cheaper units.
    this.bound();
    let pick = -1;
    for (let j = 0; j < n; j++) {
      if (status[j] === FREE && this.useInBound[j]! > 0 && (pick < 0 || this.useInBound[j]! > this.useInBound[pick]!)) pick = j;
    }
    // The bound counts a shared slot's stock once per item, so it can sit below every plan left
    // without naming a candidate; then any free one is branched on, which keeps the search complete.
    for (let j = 0; j < n && pick < 0; j++) if (status[j] === FREE) pick = j;
    if (pick < 0) return;
    this.openLoc(pick);
    this.search(this.bound());
    this.closeLoc(pick);
    status[pick] = EXCLUDED;
    this.search(this.bound());
    status[pick] = FREE;
  }
}
