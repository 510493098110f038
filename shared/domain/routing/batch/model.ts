// Compiles a batch into indexed arrays: groups (orders of one customer to one address), their items
// (order lines), candidate locations with parcel and per-unit costs, and stock per (location, sku).
import type { GroupProblem } from './group-solver.ts';
import type { Batch, BatchOrder } from './types.ts';

export interface Item {
  readonly orderId: string;
  readonly lineId: string;
  readonly sku: number;
  readonly weight: number;
  readonly quantity: number;
}

export interface Group {
  readonly key: string;
  /** Items sorted by weight, heaviest first (items of one sku then take the cheaper stock first). */
  readonly items: readonly Item[];
  readonly m: number;
  /** Candidate locations (global indices) and their count. */
  readonly cand: Int32Array;
  readonly n: number;
  /** Slot of each item: items of one sku share a slot. */
  readonly slotOf: Int32Array;
  readonly slots: number;
  readonly slotSku: Int32Array;
  /** Parcel cost per candidate. */
  readonly fixed: Float64Array;
  /** unitCost x weight of item k at candidate j, at [k * n + j]; Infinity when the order has no cost entry. */
  readonly base: Float64Array;
}

export interface Model {
  readonly batch: Batch;
  readonly penalty: number;
  readonly locIds: readonly string[];
  readonly skuIds: readonly string[];
  readonly nSku: number;
  /** Units per (location, sku), at [loc * nSku + sku]. */
  readonly stock: Int32Array;
  readonly groups: readonly Group[];
  /** Units no plan can fill: demand beyond what reachable stock can supply. */
  readonly unavoidableUnfilled: number;
  /** The same, per sku. */
  readonly unavoidableBySku: ReadonlyMap<number, number>;
}

/** Look-ahead's price of one unit of `sku` from `locationId` for `order`: its own prices, else the batch's, else 0. */
export function unitShadowPrice(batch: Pick<Batch, 'shadowPrices'>, order: Pick<BatchOrder, 'shadowPrices'>, locationId: string, sku: string): number {
  return (order.shadowPrices ?? batch.shadowPrices)?.[locationId]?.[sku] ?? 0;
}

export function compileBatch(batch: Batch): Model {
  const skuIndex = new Map<string, number>();
  for (const o of batch.orders) for (const l of o.lines) if (l.quantity > 0 && !skuIndex.has(l.sku)) skuIndex.set(l.sku, skuIndex.size);
  const nSku = skuIndex.size;
  const locIndex = new Map<string, number>();
  batch.locations.forEach((l, i) => locIndex.set(l.id, i));
  const stock = new Int32Array(batch.locations.length * nSku);
  batch.locations.forEach((loc, i) => {
    for (const sku in loc.inventory) {
      const s = skuIndex.get(sku);
      const v = loc.inventory[sku]!;
      if (s !== undefined && v > 0) stock[i * nSku + s] = Math.floor(v);
    }
  });

  const byKey = new Map<string, Batch['orders'][number][]>();
  for (const o of batch.orders) {
    const list = byKey.get(o.groupKey);
    if (list) list.push(o);
    else byKey.set(o.groupKey, [o]);
  }

  const skuIds = [...skuIndex.keys()];
  const groups: Group[] = [];
  for (const [key, orders] of byKey) {
    const items: (Item & { costs: Batch['orders'][number]['costs']; order: BatchOrder })[] = [];
    for (const o of orders) {
      for (const l of o.lines) {
        if (l.quantity > 0) items.push({ orderId: o.orderId, lineId: l.lineId, sku: skuIndex.get(l.sku)!, weight: l.weightLb, quantity: l.quantity, costs: o.costs, order: o });
      }
    }
    if (items.length === 0) continue;
    items.sort((a, b) => b.weight - a.weight);
    const slotIndex = new Map<number, number>();
    for (const it of items) if (!slotIndex.has(it.sku)) slotIndex.set(it.sku, slotIndex.size);
    const slotSku = Int32Array.from(slotIndex.keys());
    // Candidates: locations some order of the group has a cost entry for, stocking one of its skus.
    // The parcel cost is the group's first order's (the orders of a group carry the same costs).
    const fixedById = new Map<string, number>();
    for (const o of orders) {
      for (const id in o.costs) if (!fixedById.has(id)) fixedById.set(id, o.costs[id]!.shipmentCost);
    }
    const cand: number[] = [];
    const fixed: number[] = [];
    for (const [id, f] of fixedById) {
      const i = locIndex.get(id);
      if (i === undefined) continue;
      if (slotSku.some((s) => stock[i * nSku + s]! > 0)) {
        cand.push(i);
        fixed.push(f);
      }
    }
    const n = cand.length;
    const m = items.length;
    const base = new Float64Array(m * n);
    items.forEach((it, k) => {
      cand.forEach((i, j) => {
        const id = batch.locations[i]!.id;
        const c = it.costs[id];
        base[k * n + j] = c ? c.unitCost * it.weight + unitShadowPrice(batch, it.order, id, skuIds[it.sku]!) : Infinity;
      });
    });
    groups.push({
      key,
      items: items.map(({ costs: _c, order: _o, ...it }) => it),
      m,
      cand: Int32Array.from(cand),
      n,
      slotOf: Int32Array.from(items.map((it) => slotIndex.get(it.sku)!)),
      slots: slotSku.length,
      slotSku,
      fixed: Float64Array.from(fixed),
      base,
    });
  }

  const unavoidableBySku = unavoidableUnfilled(groups, stock, nSku, batch.locations.length);
  let unavoidable = 0;
  for (const u of unavoidableBySku.values()) unavoidable += u;
  return {
    batch,
    penalty: batch.unfilledPenalty,
    locIds: batch.locations.map((l) => l.id),
    skuIds: [...skuIndex.keys()],
    nSku,
    stock,
    groups,
    unavoidableUnfilled: unavoidable,
    unavoidableBySku,
  };
}

/**
 * The group's problem against `stock` with per-unit costs `base + shadow[location, sku]`. With
 * `separateSlots`, every item sees the whole stock of its sku, as if its group had no other line of
 * that sku: a relaxation, used where a lower bound must stay valid.
 */
export function groupProblem(
  model: Model,
  g: Group,
  stock: Int32Array,
  shadow: Float64Array | null,
  separateSlots: boolean,
  penalty = model.penalty,
): GroupProblem {
  const { n, m } = g;
  const nSku = model.nSku;
  let cost: Float64Array = g.base;
  if (shadow) {
    cost = new Float64Array(m * n);
    for (let k = 0; k < m; k++) {
      const sku = g.items[k]!.sku;
      for (let j = 0; j < n; j++) cost[k * n + j] = g.base[k * n + j]! + shadow[g.cand[j]! * nSku + sku]!;
    }
  }
  const slots = separateSlots ? m : g.slots;
  const slotOf = separateSlots ? identity(m) : g.slotOf;
  const slotStock = new Float64Array(slots * n);
  for (let s = 0; s < slots; s++) {
    const sku = separateSlots ? g.items[s]!.sku : g.slotSku[s]!;
    for (let j = 0; j < n; j++) slotStock[s * n + j] = stock[g.cand[j]! * nSku + sku]!;
  }
  return {
    n,
    m,
    fixed: g.fixed,
    cost,
    slotOf,
    slots,
    stock: slotStock,
    demand: g.items.map((it) => it.quantity),
    penalty,
  };
}

const identities = new Map<number, Int32Array>();
function identity(m: number): Int32Array {
  let a = identities.get(m);
  if (!a) {
    a = Int32Array.from({ length: m }, (_, i) => i);
    identities.set(m, a);
  }
  return a;
}

// Per sku, the most units stock can supply is a max flow from items to the locations they may use;
// when every item of a sku may use every location stocking it (the benchmark's guarantee), that is
// min(demand, stock), and only otherwise is a flow computed.
function unavoidableUnfilled(groups: readonly Group[], stock: Int32Array, nSku: number, nLoc: number): Map<number, number> {
  const demandBySku = new Map<number, { g: Group; k: number }[]>();
  for (const g of groups) g.items.forEach((it, k) => demandBySku.set(it.sku, [...(demandBySku.get(it.sku) ?? []), { g, k }]));
  const out = new Map<number, number>();
  for (const [sku, users] of demandBySku) {
    const stocked: number[] = [];
    for (let i = 0; i < nLoc; i++) if (stock[i * nSku + sku]! > 0) stocked.push(i);
    const reachable = users.map(({ g, k }) => {
      const set = new Set<number>();
      for (let j = 0; j < g.n; j++) if (g.base[k * g.n + j]! < Infinity) set.add(g.cand[j]!);
      return set;
    });
    const demand = users.reduce((s, u) => s + u.g.items[u.k]!.quantity, 0);
    const supply = stocked.reduce((s, i) => s + stock[i * nSku + sku]!, 0);
    if (reachable.every((set) => stocked.every((i) => set.has(i)))) {
      if (demand > supply) out.set(sku, demand - supply);
      continue;
    }
    const short = demand - maxFlow(users.map((u) => u.g.items[u.k]!.quantity), stocked.map((i) => stock[i * nSku + sku]!), (u, l) => reachable[u]!.has(stocked[l]!));
    if (short > 0) out.set(sku, short);
  }
  return out;
}

// Bipartite max flow by augmenting paths, for the rare sku some orders cannot take from everywhere.
function maxFlow(demand: number[], supply: number[], edge: (u: number, l: number) => boolean): number {
  const flow = demand.map(() => supply.map(() => 0));
  const left = supply.slice();
  const need = demand.slice();
  let total = 0;
  const augment = (u: number, seen: Set<number>): boolean => {
    for (let l = 0; l < supply.length; l++) {
      if (!edge(u, l) || seen.has(l)) continue;
      seen.add(l);
      if (left[l]! > 0) {
        left[l]!--;
        flow[u]![l]!++;
        return true;
      }
      for (let v = 0; v < demand.length; v++) {
        if (flow[v]![l]! > 0 && augment(v, seen)) {
          flow[v]![l]!--;
          flow[u]![l]!++;
          return true;
        }
      }
    }
    return false;
  };
  for (let u = 0; u < demand.length; u++) {
    while (need[u]! > 0 && augment(u, new Set())) {
      need[u]!--;
      total++;
    }
  }
  return total;
}
