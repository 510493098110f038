// Batch allocation: a window of orders over shared stock, parcels to one customer's address consolidated.
//
// The cost separates by group (orders of one groupKey): parcels and unit costs are the group's own,
// and only stock couples groups. So:
// 1. Groups that cannot run short of stock together (their combined demand on every (location, sku)
//    they may use fits the stock) are independent: each is solved exactly on its own.
// 2. Groups that compete form components. For each, the stock constraints are relaxed with Lagrange
//    multipliers (a shadow price per contested (location, sku)): the relaxed problem splits into one
//    fixed-charge problem per group, solved exactly (`group-solver.ts`), and its value is a lower bound
//    on the component's optimum for any prices. Subgradient steps raise the bound.
// 3. Feasible plans come from the prices: groups are routed one after the other against the stock
//    left, each exactly for its shadow-priced costs, then improved by local search on the true costs
//    (re-route one group against the stock left by the others; re-route two groups that compete for a
//    unit in both orders).
// A component is proven optimal when its plan's cost meets its bound; otherwise the plan comes with the
// gap to the bound. Pure: no clock unless one is injected, deterministic for a given input.
import { solveGroup, type GroupProblem, type GroupSolution } from './group-solver.ts';
import { compileBatch, groupProblem, type Group, type Model } from './model.ts';
import type { Batch, BatchAllocation, BatchOptions, BatchPlan } from './types.ts';

const EPS = 1e-9;
// A plan is built from the current prices every PLAN_EVERY iterations (and whenever the relaxed
// solution fits the stock).
const PLAN_EVERY = 10;
// The relaxation's penalty, as a multiple of the dearest single-unit shipment (see solveComponent).
const RELAX_PENALTY_FACTOR = 4;

interface Assignment {
  /** Units of item k from candidate j, at [k * n + j]. */
  readonly alloc: Int32Array;
  readonly unfilled: Int32Array;
  /** True cost: parcels + base unit costs + penalties. */
  readonly cost: number;
}

interface Component {
  readonly groups: readonly number[];
  /** Contested (location, sku) keys, as loc * nSku + sku. */
  readonly keys: readonly number[];
}

export function allocateBatch(batch: Batch, options: BatchOptions = {}): BatchPlan {
  const model = compileBatch(batch);
  const ctx = new Allocator(model, options);
  return ctx.run();
}

class Allocator {
  private readonly residual: Int32Array;
  private readonly plan: (Assignment | null)[];
  private readonly deadline: number;
  private groupSolves = 0;
  private iterations = 0;
  private timedOut = false;

  constructor(
    private readonly model: Model,
    private readonly options: BatchOptions,
  ) {
    this.residual = model.stock.slice();
    this.plan = model.groups.map(() => null);
    const now = options.now;
    this.deadline = now && options.timeBudgetMs !== undefined ? now() + options.timeBudgetMs : Infinity;
  }

  run(): BatchPlan {
    const { model } = this;
    const components = this.components();
    let lowerBound = 0;
    let proven = 0;
    for (const c of components) {
      const bound = c.keys.length === 0 ? this.solveAlone(c.groups[0]!) : this.solveComponent(c);
      lowerBound += bound;
      const cost = c.groups.reduce((s, g) => s + this.plan[g]!.cost, 0);
      if (cost <= bound + EPS * Math.max(1, Math.abs(bound))) proven++;
    }
    return this.result(lowerBound, components.length, proven);
  }

  private expired(): boolean {
    if (this.deadline === Infinity) return false;
    if (this.options.now!() >= this.deadline) this.timedOut = true;
    return this.timedOut;
  }

  // Groups that may compete for a (location, sku): their combined reach there exceeds its stock.
  private components(): Component[] {
    const { model } = this;
    const nSku = model.nSku;
    const reach = new Map<number, { total: number; groups: number[] }>();
    model.groups.forEach((g, gi) => {
      const slotDemand = new Float64Array(g.slots);
      g.items.forEach((it, k) => (slotDemand[g.slotOf[k]!]! += it.quantity));
      for (let j = 0; j < g.n; j++) {
        for (let s = 0; s < g.slots; s++) {
          const key = g.cand[j]! * nSku + g.slotSku[s]!;
          const units = Math.min(slotDemand[s]!, model.stock[key]!);
          if (units <= 0) continue;
          const r = reach.get(key);
          if (r) {
            r.total += units;
            r.groups.push(gi);
          } else reach.set(key, { total: units, groups: [gi] });
        }
      }
    });
    const parent = model.groups.map((_, i) => i);
    const find = (x: number): number => {
      while (parent[x] !== x) x = parent[x] = parent[parent[x]!]!;
      return x;
    };
    const contested: number[] = [];
    for (const [key, r] of reach) {
      if (r.total <= model.stock[key]!) continue;
      contested.push(key);
      for (const g of r.groups) parent[find(g)] = find(r.groups[0]!);
    }
    const byRoot = new Map<number, Component & { groups: number[]; keys: number[] }>();
    model.groups.forEach((_, g) => {
      const root = find(g);
      const c = byRoot.get(root);
      if (c) c.groups.push(g);
      else byRoot.set(root, { groups: [g], keys: [] });
    });
    contested.sort((a, b) => a - b);
    for (const key of contested) byRoot.get(find(reach.get(key)!.groups[0]!))!.keys.push(key);
    return [...byRoot.values()];
  }

  // A group nobody competes with: its exact optimum is its part of the batch optimum.
  private solveAlone(g: number): number {
    const group = this.model.groups[g]!;
    const sol = this.solve(group, this.model.stock, null, false);
    this.take(g, this.assignment(group, sol));
    return sol.lowerBound;
  }

  private solve(group: Group, stock: Int32Array, shadow: Float64Array | null, separateSlots: boolean): GroupSolution {
    this.groupSolves++;
    return solveGroup(groupProblem(this.model, group, stock, shadow, separateSlots));
  }

  private assignment(group: Group, sol: GroupSolution): Assignment {
    return { alloc: sol.alloc, unfilled: sol.unfilled, cost: this.trueCost(group, sol.alloc, sol.unfilled) };
  }

  private trueCost(group: Group, alloc: Int32Array, unfilled: Int32Array): number {
    const { n, m } = group;
    let cost = 0;
    for (let j = 0; j < n; j++) {
      let used = false;
      for (let k = 0; k < m; k++) {
        const q = alloc[k * n + j]!;
        if (q > 0) {
          used = true;
          cost += q * group.base[k * n + j]!;
        }
      }
      if (used) cost += group.fixed[j]!;
    }
    for (let k = 0; k < m; k++) cost += unfilled[k]! * this.model.penalty;
    return cost;
  }

  private take(g: number, a: Assignment): void {
    this.plan[g] = a;
    this.move(g, a, -1);
  }

  private release(g: number): Assignment {
    const a = this.plan[g]!;
    this.move(g, a, +1);
    this.plan[g] = null;
    return a;
  }

  private move(g: number, a: Assignment, sign: number): void {
    const group = this.model.groups[g]!;
    const { n, m } = group;
    const nSku = this.model.nSku;
    for (let k = 0; k < m; k++) {
      for (let j = 0; j < n; j++) {
        const q = a.alloc[k * n + j]!;
        if (q > 0) this.residual[group.cand[j]! * nSku + group.items[k]!.sku]! += sign * q;
      }
    }
  }

  private fits(g: number, alloc: Int32Array): boolean {
    const group = this.model.groups[g]!;
    const { n, m } = group;
    const nSku = this.model.nSku;
    const need = new Map<number, number>();
    for (let k = 0; k < m; k++) {
      for (let j = 0; j < n; j++) {
        const q = alloc[k * n + j]!;
        if (q <= 0) continue;
        const key = group.cand[j]! * nSku + group.items[k]!.sku;
        const total = (need.get(key) ?? 0) + q;
        if (total > this.residual[key]!) return false;
        need.set(key, total);
      }
    }
    return true;
  }

  private componentCost(c: Component): number {
    let s = 0;
    for (const g of c.groups) s += this.plan[g]!.cost;
    return s;
  }

  // Lagrangian relaxation of the component's contested stock, with plans built from its prices.
  private solveComponent(c: Component): number {
    const { model } = this;
    const nSku = model.nSku;
    const maxIterations = this.options.maxIterations ?? 150;
    const targetGap = this.options.targetGap ?? 1e-6;
    const shadow = new Float64Array(model.locIds.length * nSku);
    const keyPos = new Map(c.keys.map((k, i) => [k, i]));
    const keyGroups: number[][] = c.keys.map(() => []);
    const members = new Set(c.groups);

    // Every plan leaves at least `floorUnfilled` units of the component unfilled, so for any penalty
    // P' <= P: optimum(P) >= optimum(P') + (P - P') x floorUnfilled. The relaxation uses a P' a few
    // times the dearest single-unit shipment: still above what filling a unit can cost, and on the
    // scale of the other shadow prices, so the subgradient steps suit both.
    let floorUnfilled = 0;
    for (const [sku, units] of model.unavoidableBySku) {
      const users = model.groups.flatMap((g, gi) => (g.items.some((it) => it.sku === sku) ? [gi] : []));
      if (users.length > 0 && users.every((g) => members.has(g))) floorUnfilled += units;
    }
    let dearest = 0;
    for (const g of c.groups) {
      const group = model.groups[g]!;
      for (let k = 0; k < group.m; k++) {
        for (let j = 0; j < group.n; j++) {
          const b = group.base[k * group.n + j]!;
          if (b < Infinity) dearest = Math.max(dearest, group.fixed[j]! + b);
        }
      }
    }
    const relaxPenalty = Math.min(model.penalty, RELAX_PENALTY_FACTOR * dearest);
    const penaltyCredit = (model.penalty - relaxPenalty) * floorUnfilled;

    // The relaxed problems: full stock, separate slots, P'; only the costs change between iterations.
    const relaxedProblem = new Map<number, { problem: GroupProblem; cost: Float64Array; pos: Int32Array; key: Int32Array }>();
    for (const g of c.groups) {
      const group = model.groups[g]!;
      const problem = groupProblem(model, group, model.stock, null, true, relaxPenalty);
      const cost = Float64Array.from(group.base);
      const pos = new Int32Array(group.m * group.n).fill(-1);
      const key = new Int32Array(group.m * group.n);
      for (let k = 0; k < group.m; k++) {
        for (let j = 0; j < group.n; j++) {
          const kk = group.cand[j]! * nSku + group.items[k]!.sku;
          key[k * group.n + j] = kk;
          const i = keyPos.get(kk);
          if (i !== undefined) {
            pos[k * group.n + j] = i;
            if (!keyGroups[i]!.includes(g)) keyGroups[i]!.push(g);
          }
        }
      }
      relaxedProblem.set(g, { problem: { ...problem, cost }, cost, pos, key });
    }

    // First plan: the groups in release order, each exactly for itself on the stock left.
    for (const g of c.groups) this.take(g, this.assignment(model.groups[g]!, this.solve(model.groups[g]!, this.residual, null, false)));
    let best = this.snapshot(c);
    let upper = best.cost;

    const relaxed = new Map<number, GroupSolution>();
    const dirty = new Set<number>(c.groups);
    let lower = -Infinity;
    let theta = 2;
    let sinceImproved = 0;
    const usage = new Float64Array(c.keys.length);

    for (let it = 0; it < maxIterations; it++) {
      if (this.expired()) break;
      this.iterations++;
      for (const g of dirty) {
        const r = relaxedProblem.get(g)!;
        const group = model.groups[g]!;
        for (let x = 0; x < r.cost.length; x++) r.cost[x] = r.pos[x]! >= 0 ? group.base[x]! + shadow[r.key[x]!]! : group.base[x]!;
        this.groupSolves++;
        relaxed.set(g, solveGroup(r.problem, { hint: relaxed.get(g)?.open }));
      }
      dirty.clear();
      // Dual value and subgradient (stock the relaxed solutions use minus stock on hand).
      let value = penaltyCredit;
      usage.fill(0);
      for (const g of c.groups) {
        const sol = relaxed.get(g)!;
        value += sol.lowerBound;
        const pos = relaxedProblem.get(g)!.pos;
        for (let x = 0; x < pos.length; x++) if (pos[x]! >= 0 && sol.alloc[x]! > 0) usage[pos[x]!]! += sol.alloc[x]!;
      }
      let norm = 0;
      let feasible = true;
      for (let i = 0; i < c.keys.length; i++) {
        const key = c.keys[i]!;
        const sub = usage[i]! - model.stock[key]!;
        value -= shadow[key]! * model.stock[key]!;
        if (sub > 0) feasible = false;
        if (sub > 0 || shadow[key]! > 0) norm += sub * sub;
      }
      if (lower === -Infinity || value > lower + EPS * Math.max(1, Math.abs(lower))) {
        lower = value;
        sinceImproved = 0;
      } else if (++sinceImproved >= 5) {
        theta /= 2;
        sinceImproved = 0;
      }

      if (it % PLAN_EVERY === PLAN_EVERY - 1 || feasible) {
        this.priceGuidedPlan(c, shadow, relaxed);
        if (this.componentCost(c) < best.cost - EPS) best = this.snapshot(c);
        this.restore(c, best);
        upper = best.cost;
      }

      if (upper - lower <= targetGap * Math.max(1, Math.abs(lower)) || norm === 0) break;
      const step = (theta * (upper - lower)) / norm;
      for (let i = 0; i < c.keys.length; i++) {
        const key = c.keys[i]!;
        const next = Math.max(0, shadow[key]! + step * (usage[i]! - model.stock[key]!));
        if (next !== shadow[key]) {
          shadow[key] = next;
          for (const g of keyGroups[i]!) dirty.add(g);
        }
      }
    }

    this.improve(c);
    return Math.min(lower, this.componentCost(c));
  }

  // Routes the component's groups one after the other against the stock left, each for its
  // shadow-priced costs (the relaxed solution when it still fits).
  private priceGuidedPlan(c: Component, shadow: Float64Array, relaxed: ReadonlyMap<number, GroupSolution>): void {
    const { model } = this;
    for (const g of c.groups) this.release(g);
    const later: number[] = [];
    for (const g of c.groups) {
      const sol = relaxed.get(g)!;
      if (this.fits(g, sol.alloc)) this.take(g, this.assignment(model.groups[g]!, sol));
      else later.push(g);
    }
    for (const g of later) this.take(g, this.assignment(model.groups[g]!, this.solve(model.groups[g]!, this.residual, shadow, false)));
  }

  // One group at a time, against the stock the others leave: keep the re-route when it is cheaper.
  private reoptimiseEach(c: Component): boolean {
    const { model } = this;
    let improved = false;
    for (const g of c.groups) {
      const old = this.release(g);
      const a = this.assignment(model.groups[g]!, this.solve(model.groups[g]!, this.residual, null, false));
      if (a.cost < old.cost - EPS) {
        this.take(g, a);
        improved = true;
      } else this.take(g, old);
    }
    return improved;
  }

  // Local search on the true costs: single re-routes, then pairs of groups that compete for an
  // exhausted (location, sku), re-routed with either one first.
  private improve(c: Component): void {
    const { model } = this;
    const nSku = model.nSku;
    for (let pass = 0; pass < 5; pass++) {
      if (this.expired()) return;
      let improved = this.reoptimiseEach(c);
      const users = new Map<number, Set<number>>();
      const wanters = new Map<number, Set<number>>();
      for (const key of c.keys) {
        if (this.residual[key]! > 0) continue;
        users.set(key, new Set());
        wanters.set(key, new Set());
      }
      for (const g of c.groups) {
        const group = model.groups[g]!;
        const a = this.plan[g]!;
        for (let k = 0; k < group.m; k++) {
          for (let j = 0; j < group.n; j++) {
            const key = group.cand[j]! * nSku + group.items[k]!.sku;
            const u = users.get(key);
            if (!u) continue;
            if (a.alloc[k * group.n + j]! > 0) u.add(g);
            else if (group.base[k * group.n + j]! < Infinity) wanters.get(key)!.add(g);
          }
        }
      }
      const tried = new Set<string>();
      for (const [key, us] of users) {
        for (const u of us) {
          // Another user of the exhausted stock, or a group that may use it and does not, goes first.
          for (const w of [...us, ...wanters.get(key)!]) {
            if (w === u || tried.has(`${u}|${w}`)) continue;
            tried.add(`${u}|${w}`);
            if (this.expired()) return;
            if (this.swapPair(w, u)) improved = true;
          }
        }
      }
      if (!improved) return;
    }
  }

  // Releases both groups and routes `first` then `second` against the stock left; keeps it if cheaper.
  private swapPair(first: number, second: number): boolean {
    const { model } = this;
    if (!this.plan[first] || !this.plan[second]) return false;
    const oldFirst = this.release(first);
    const oldSecond = this.release(second);
    const a = this.assignment(model.groups[first]!, this.solve(model.groups[first]!, this.residual, null, false));
    this.take(first, a);
    const b = this.assignment(model.groups[second]!, this.solve(model.groups[second]!, this.residual, null, false));
    if (a.cost + b.cost < oldFirst.cost + oldSecond.cost - EPS) {
      this.take(second, b);
      return true;
    }
    this.release(first);
    this.take(first, oldFirst);
    this.take(second, oldSecond);
    return false;
  }

  private snapshot(c: Component): { cost: number; plan: Map<number, Assignment> } {
    return { cost: this.componentCost(c), plan: new Map(c.groups.map((g) => [g, this.plan[g]!])) };
  }

  private restore(c: Component, s: { plan: Map<number, Assignment> }): void {
    for (const g of c.groups) this.release(g);
    for (const g of c.groups) this.take(g, s.plan.get(g)!);
  }

  private result(lowerBound: number, components: number, provenComponents: number): BatchPlan {
    const { model } = this;
    const allocations: BatchAllocation[] = [];
    let shipping = 0;
    let parcels = 0;
    let unfilledUnits = 0;
    model.groups.forEach((group, g) => {
      const a = this.plan[g]!;
      const { n, m } = group;
      for (let j = 0; j < n; j++) {
        let used = false;
        for (let k = 0; k < m; k++) {
          const q = a.alloc[k * n + j]!;
          if (q <= 0) continue;
          used = true;
          const it = group.items[k]!;
          allocations.push({ orderId: it.orderId, lineId: it.lineId, locationId: model.locIds[group.cand[j]!]!, quantity: q });
        }
        if (used) parcels++;
      }
      for (let k = 0; k < m; k++) unfilledUnits += a.unfilled[k]!;
      shipping += a.cost - model.penalty * a.unfilled.reduce((s, u) => s + u, 0);
    });
    const cost = shipping + model.penalty * unfilledUnits;
    const base = lowerBound - model.penalty * model.unavoidableUnfilled;
    const provenGap = Math.max(0, (cost - lowerBound) / Math.max(base, 1e-9));
    const optimal = cost - lowerBound <= EPS * Math.max(1, Math.abs(lowerBound));
    return {
      id: model.batch.id,
      allocations,
      cost: round(cost),
      shipping: round(shipping),
      parcels,
      unfilledUnits,
      unavoidableUnfilled: model.unavoidableUnfilled,
      lowerBound: round(lowerBound),
      provenGap: optimal ? 0 : provenGap,
      optimal,
      stats: {
        groups: model.groups.length,
        components,
        provenComponents,
        iterations: this.iterations,
        groupSolves: this.groupSolves,
        stoppedBy: optimal ? 'proven' : this.timedOut ? 'time' : 'iterations',
      },
    };
  }
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
