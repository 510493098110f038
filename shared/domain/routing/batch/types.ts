// The batch allocator's input and output: the benchmark's batch and plan formats
// (../shared/bench/batch/README.md), plus what the allocator proves about its plan.

export interface BatchLocation {
  readonly id: string;
  readonly type?: string;
  readonly lat?: number;
  readonly lon?: number;
  /** Units on hand per sku, shared by every order of the batch. */
  readonly inventory: Readonly<Record<string, number>>;
}

export interface BatchLine {
  readonly lineId: string;
  readonly sku: string;
  readonly quantity: number;
  readonly weightLb: number;
}

export interface BatchLocationCost {
  /** One parcel from this location to the order's address. */
  readonly shipmentCost: number;
  /** Per lb shipped from this location to the order's address. */
  readonly unitCost: number;
}

export interface BatchOrder {
  readonly orderId: string;
  /** Same customer, same address: orders of one group share parcels (and carry identical costs). */
  readonly groupKey: string;
  readonly destination?: { readonly lat: number; readonly lon: number };
  readonly lines: readonly BatchLine[];
  readonly costs: Readonly<Record<string, BatchLocationCost>>;
  /**
   * Look-ahead for this order alone (not part of the benchmark format): like `Batch.shadowPrices`, and in their place
   * for this order's lines. A release window whose orders' rule sets price look-ahead differently (or not at all) sets
   * them per order.
   */
  readonly shadowPrices?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export interface Batch {
  readonly id: string;
  /** Cost of one unit left unfilled; above any shipping cost. */
  readonly unfilledPenalty: number;
  readonly locations: readonly BatchLocation[];
  /** In release order. */
  readonly orders: readonly BatchOrder[];
  /**
   * Look-ahead (issue 17 step 4; not part of the benchmark format): money per unit added to the cost of taking a SKU
   * from a location, by location id and SKU. The plan's `cost` and bound then include it.
   */
  readonly shadowPrices?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export interface BatchAllocation {
  readonly orderId: string;
  readonly lineId: string;
  readonly locationId: string;
  readonly quantity: number;
}

export interface BatchOptions {
  /** Deterministic work limit: Lagrangian iterations per component of competing groups. Default 150. */
  readonly maxIterations?: number;
  /** Wall-clock budget for the whole batch; only enforced when `now` is injected. */
  readonly timeBudgetMs?: number;
  readonly now?: () => number;
  /** Stop improving a component once its proven gap (relative to its bound) is at most this. Default 1e-6. */
  readonly targetGap?: number;
}

export interface BatchPlan {
  readonly id: string;
  readonly allocations: readonly BatchAllocation[];
  /** The benchmark's objective: parcels + unit costs + unfilledPenalty x unfilled units. */
  readonly cost: number;
  /** `cost` without the penalty of unfilled units. */
  readonly shipping: number;
  readonly parcels: number;
  readonly unfilledUnits: number;
  /** Units no plan can fill (ordered beyond all stock): their penalty is in every plan's cost. */
  readonly unavoidableUnfilled: number;
  /**
   * A proven lower bound on the optimal cost: the Lagrangian dual value (stock constraints relaxed,
   * each group's fixed-charge problem solved exactly), summed over independent components.
   */
  readonly lowerBound: number;
  /**
   * Proven optimality gap: (cost - lowerBound) / (lowerBound - unfilledPenalty x unavoidableUnfilled),
   * i.e. relative to the shipping part of the bound, like the benchmark's gap. 0 when proven optimal.
   */
  readonly provenGap: number;
  /** True when cost = lowerBound (to 1e-9 relative): the plan is optimal. */
  readonly optimal: boolean;
  readonly stats: BatchStats;
}

export interface BatchStats {
  readonly groups: number;
  /** Sets of groups that compete for some stock, solved independently. */
  readonly components: number;
  readonly provenComponents: number;
  readonly iterations: number;
  readonly groupSolves: number;
  readonly stoppedBy: 'proven' | 'iterations' | 'time';
}
