// Turns an order, its candidate locations and the merchant's rule set into the solver's normalised
// problem. Rules apply in a fixed order so that a decision can be explained step by step:
//   1. VIP overrides (preference, split policy, access to held-back stock)
//   2. hold-back of stock for other channels
//   3. filters, first failing one wins: active, location type, capability, channel, region,
//      excluded list, daily capacity, then "no stock for this order"
//   4. preference weights fold promised days and CO2 into per-parcel and per-lb costs
//   5. ranked locations add a per-rank penalty to the parcel cost
import type { SolverLocation } from './solver.ts';
import { preferenceWeights, resolveDefaults, type DefaultSource, type LocationType, type Preference, type ResolvedSplit, type RoutingDefaults, type RuleSet, type SplitPolicyName } from './rules.ts';

export interface OrderLine {
  readonly lineId: string;
  readonly sku: string;
  readonly quantity: number;
  readonly weightLb: number;
  readonly category?: string;
}

export interface CandidateLocation {
  readonly id: string;
  readonly type: LocationType;
  readonly capabilities?: readonly string[];
  readonly active?: boolean;
  /** Channels and regions this location serves; absent means all. */
  readonly channels?: readonly string[];
  readonly regions?: readonly string[];
  /** The regions the location is in (country, US state, custom regions), for the `locationRegions` filter. */
  readonly inRegions?: readonly string[];
  readonly stock: Readonly<Record<string, number>>;
  /** Handling plus carrier base rate for one parcel to this order's destination. */
  readonly shipmentCost: number;
  /** Carrier cost per lb to this order's destination. */
  readonly unitCostPerLb: number;
  readonly promisedDays?: number;
  readonly co2KgPerParcel?: number;
  readonly co2KgPerLb?: number;
  /** Parcels this location can still ship today. */
  readonly capacityLeft?: number;
}

export interface Customer {
  readonly vip?: boolean;
  readonly preference?: Preference;
}

export interface RuleContext {
  readonly channel?: string;
  readonly region?: string;
  /** Every region of the destination; `region` alone is a list of one. */
  readonly regions?: readonly string[];
  readonly customer?: Customer;
  /** The order's own split policy, when it names one: it comes before the rule set's. */
  readonly splitPolicy?: SplitPolicyName;
  /** The tenant's defaults, after the order's and the rule set's own. */
  readonly defaults?: RoutingDefaults;
}

export interface Exclusion {
  readonly locationId: string;
  readonly reason: string;
}

export interface AppliedRules {
  readonly preference: Preference;
  readonly split: ResolvedSplit;
  /** Where the preference and split policy came from before any VIP override. */
  readonly preferenceFrom: DefaultSource;
  readonly splitFrom: DefaultSource;
  /** Candidates that passed every filter, in the solver's normalised form (objective costs). */
  readonly solverLocations: SolverLocation[];
  readonly byId: ReadonlyMap<string, CandidateLocation>;
  readonly excluded: readonly Exclusion[];
  /** Human-readable notes, in the order the rules were applied. */
  readonly notes: readonly string[];
}

export function applyRules(
  ruleSet: RuleSet,
  lines: readonly OrderLine[],
  locations: readonly CandidateLocation[],
  ctx: RuleContext,
): AppliedRules {
  const notes: string[] = [];
  const vip = ctx.customer?.vip === true && ruleSet.vip !== undefined ? ruleSet.vip : undefined;
  const resolved = resolveDefaults(ruleSet, { preference: ctx.customer?.preference, splitPolicy: ctx.splitPolicy }, ctx.defaults);
  let preference = resolved.preference;
  let split: ResolvedSplit = resolved.split;
  if (vip) {
    if (vip.preference) preference = vip.preference;
    if (vip.split) split = { ...vip.split, policy: vip.split.policy ?? split.policy };
    notes.push(`vip: preference ${preference}, split ${split.policy}${vip.useHeldBackStock ? ', may use held-back stock' : ''}`);
  }

  const holdBacks = vip?.useHeldBackStock ? [] : ruleSet.holdBack.filter((h) => h.forChannel !== ctx.channel);
  for (const h of holdBacks) notes.push(`hold back ${h.units} unit(s) per location for channel ${h.forChannel}`);
  const available = (loc: CandidateLocation, line: OrderLine, onHand: number): number => {
    let units = Math.max(0, Math.floor(onHand));
    for (const h of holdBacks) {
      if (h.locationTypes && !h.locationTypes.includes(loc.type)) continue;
      if (h.skus && !h.skus.includes(line.sku)) continue;
      if (h.categories && (!line.category || !h.categories.includes(line.category))) continue;
      units = Math.max(0, units - h.units);
    }
    return units;
  };

  const f = ruleSet.filters;
  const excludedIds = new Set(f.excludedLocations);
  const orderRegions = new Set((ctx.regions ?? (ctx.region ? [ctx.region] : [])).map((r) => r.toLowerCase()));
  const inRegion = f.locationRegions ? new Set(f.locationRegions.map((r) => r.toLowerCase())) : undefined;
  const reasonToExclude = (loc: CandidateLocation, hasStock: boolean): string | undefined => {
    if (f.activeOnly && loc.active === false) return 'inactive';
    if (f.locationTypes && !f.locationTypes.includes(loc.type)) return `type ${loc.type} not allowed`;
    const caps = loc.capabilities ?? [];
    const needed = [...f.requiredCapabilities, ...(f.requiredCapabilitiesByType[loc.type] ?? [])];
    const missing = needed.find((c) => !caps.includes(c));
    if (missing) return `lacks capability ${missing}`;
    if (f.matchChannel && loc.channels && (!ctx.channel || !loc.channels.includes(ctx.channel))) return `does not serve channel ${ctx.channel ?? '(none)'}`;
    if (f.matchRegion && loc.regions && !loc.regions.some((r) => orderRegions.has(r.toLowerCase()))) return `does not serve region ${ctx.region ?? ctx.regions?.at(-1) ?? '(none)'}`;
    if (inRegion && !(loc.inRegions ?? []).some((r) => inRegion.has(r.toLowerCase()))) return `not in region ${f.locationRegions!.join(', ')}`;
    if (excludedIds.has(loc.id)) return 'excluded by merchant';
    if (f.respectDailyCapacity && loc.capacityLeft !== undefined && loc.capacityLeft <= 0) return 'no daily capacity left';
    if (!hasStock) return 'no stock for this order';
    return undefined;
  };

  const w = preferenceWeights(ruleSet, preference);
  if (w.perPromisedDay > 0 || w.perKgCo2 > 0 || w.cost !== 1) {
    notes.push(`preference ${preference}: cost x${w.cost}, ${w.perPromisedDay}/promised day, ${w.perKgCo2}/kg CO2`);
  }
  const ranking = ruleSet.rankedLocations;
  const rankOf = new Map(ranking?.order.map((id, i) => [id, i]) ?? []);
  if (ranking) notes.push(`ranked locations: ${ranking.order.join(' > ')} (${ranking.penaltyPerRank} per rank)`);

  const firstLineOfSku = new Map<string, OrderLine>();
  for (const line of lines) if (!firstLineOfSku.has(line.sku)) firstLineOfSku.set(line.sku, line);
  const solverLocations: SolverLocation[] = [];
  const excluded: Exclusion[] = [];
  const byId = new Map<string, CandidateLocation>();
  for (const loc of locations) {
    byId.set(loc.id, loc);
    // Iterate the location's stock, not the order's skus: misses on many differently shaped records
    // are slow, and a location usually stocks few of the order's skus.
    const stock: Record<string, number> = {};
    for (const sku in loc.stock) {
      const line = firstLineOfSku.get(sku);
      if (!line) continue;
      const units = available(loc, line, loc.stock[sku]!);
      if (units > 0) stock[sku] = units;
    }
    let hasStock = false;
    for (const _ in stock) {
      hasStock = true;
      break;
    }
    const reason = reasonToExclude(loc, hasStock);
    if (reason) {
      excluded.push({ locationId: loc.id, reason });
      continue;
    }
    const rankPenalty = ranking ? (rankOf.get(loc.id) ?? ranking.order.length) * ranking.penaltyPerRank : 0;
    solverLocations.push({
      id: loc.id,
      shipmentCost:
        w.cost * loc.shipmentCost + w.perPromisedDay * (loc.promisedDays ?? 0) + w.perKgCo2 * (loc.co2KgPerParcel ?? 0) + rankPenalty,
      unitCost: w.cost * loc.unitCostPerLb + w.perKgCo2 * (loc.co2KgPerLb ?? 0),
      inventory: stock,
    });
  }
  return { preference, split, preferenceFrom: resolved.preferenceFrom, splitFrom: resolved.splitFrom, solverLocations, byId, excluded, notes };
}
