// Picks one service for a parcel from its quotes, by the customer's preference, then applies the VIP free
// upgrade. The comparison runs on plain arrays so that the cost model can call the very same code for every
// candidate location without building quote objects.
import { z } from 'zod';
import { parseIsoDate } from './calendar.ts';
import type { ServiceQuote } from './rating.ts';

export const PREFERENCES = ['fastest', 'cheapest', 'greenest', 'balanced'] as const;
export type Preference = (typeof PREFERENCES)[number];

/**
 * Balanced: each quote's cost, delivery day and CO2 are min-max normalised over the quotes being compared
 * (best = 0, worst = 1, all 0 when every quote is equal) and the weighted sum is minimised. Money leads;
 * speed counts more than CO2 because customers choosing "balanced" still expect a reasonable date.
 * Min-max scaling depends on which quotes are compared: adding a very slow service makes the others'
 * day differences look smaller. That is acceptable for a handful of services per parcel.
 */
export interface BalancedWeights {
  readonly cost: number;
  readonly days: number;
  readonly co2: number;
}
export const DEFAULT_BALANCED_WEIGHTS: BalancedWeights = Object.freeze({ cost: 0.5, days: 0.3, co2: 0.2 });

export const vipRuleSchema = z.strictObject({
  /** A VIP gets a faster service for free when it costs at most this much more than the preferred one. */
  vipFreeUpgradeMaxExtraCost: z.number().finite().min(0, 'must not be negative'),
});
export type VipRule = z.infer<typeof vipRuleSchema>;

export interface ChooseOptions {
  readonly preference: Preference;
  /** Only services delivering on or before this date (YYYY-MM-DD) qualify. */
  readonly promiseBy?: string;
  readonly vip?: boolean;
  readonly vipRule?: VipRule;
  readonly balancedWeights?: Partial<BalancedWeights>;
}

export type ServiceChoice =
  | {
      readonly ok: true;
      /** The service that ships the parcel. */
      readonly quote: ServiceQuote;
      readonly preference: Preference;
      readonly upgraded: boolean;
      /** Why the parcel was upgraded, for the order's audit trail. */
      readonly upgradeReason?: string;
      /** The service the preference picked, when an upgrade replaced it. */
      readonly preferredQuote?: ServiceQuote;
      /** What the carrier charges for the shipped service. */
      readonly carrierCost: number;
      /** What the customer pays: the preferred service's price; an upgrade's extra is the merchant's. */
      readonly chargedToCustomer: number;
      readonly absorbedByMerchant: number;
    }
  | { readonly ok: false; readonly reason: string };

function range(values: ArrayLike<number>, eligible: ArrayLike<number>, n: number, out: Float64Array, at: number): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    if (!eligible[i]) continue;
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  out[at] = lo;
  out[at + 1] = hi - lo;
}

// [min, span] of cost, day and CO2 for the set being compared. Module scope keeps the per-location loop of
// the cost model free of allocations; pickBestIndex is synchronous, so no caller can see another's values.
const scratch = new Float64Array(6);

function balancedScore(i: number, cost: ArrayLike<number>, day: ArrayLike<number>, co2: ArrayLike<number>, w: BalancedWeights): number {
  return (
    w.cost * (scratch[1]! > 0 ? (cost[i]! - scratch[0]!) / scratch[1]! : 0) +
    w.days * (scratch[3]! > 0 ? (day[i]! - scratch[2]!) / scratch[3]! : 0) +
    w.co2 * (scratch[5]! > 0 ? (co2[i]! - scratch[4]!) / scratch[5]! : 0)
  );
}

/**
 * Index of the best option by preference among those flagged eligible, or -1. Costs should be in cents-rounded
 * money and CO2 in whole grams so that near-equal values tie and fall through to the next key, then to the
 * lowest `codeRank` (service code order), which makes the choice independent of input order.
 */
export function pickBestIndex(
  preference: Preference,
  n: number,
  cost: ArrayLike<number>,
  day: ArrayLike<number>,
  co2: ArrayLike<number>,
  codeRank: ArrayLike<number>,
  eligible: ArrayLike<number>,
  weights: BalancedWeights = DEFAULT_BALANCED_WEIGHTS,
): number {
  const balanced = preference === 'balanced';
  if (balanced) {
    range(cost, eligible, n, scratch, 0);
    range(day, eligible, n, scratch, 2);
    range(co2, eligible, n, scratch, 4);
  }
  let best = -1;
  let bestScore = 0;
  for (let i = 0; i < n; i++) {
    if (!eligible[i]) continue;
    if (best < 0) {
      best = i;
      if (balanced) bestScore = balancedScore(i, cost, day, co2, weights);
      continue;
    }
    let d: number;
    if (preference === 'fastest') d = day[i]! - day[best]! || cost[i]! - cost[best]!;
    else if (preference === 'cheapest') d = cost[i]! - cost[best]! || day[i]! - day[best]!;
    else if (preference === 'greenest') d = co2[i]! - co2[best]! || cost[i]! - cost[best]!;
    else {
      const s = balancedScore(i, cost, day, co2, weights);
      d = s - bestScore || cost[i]! - cost[best]!;
      if (d < 0 || (d === 0 && codeRank[i]! < codeRank[best]!)) bestScore = s;
    }
    if (d < 0 || (d === 0 && codeRank[i]! < codeRank[best]!)) best = i;
  }
  return best;
}

/**
 * Index of the fastest option delivering strictly before `day[chosen]` for at most `maxExtra` more than
 * `cost[chosen]` (earliest, then cheapest, then code), or -1. When `co2` is given, only options emitting no
 * more than the chosen one qualify: a customer who asked for the greenest service is not "upgraded" to a plane.
 */
export function pickUpgradeIndex(
  chosen: number,
  maxExtra: number,
  n: number,
  cost: ArrayLike<number>,
  day: ArrayLike<number>,
  codeRank: ArrayLike<number>,
  eligible: ArrayLike<number>,
  co2?: ArrayLike<number>,
): number {
  let best = -1;
  for (let i = 0; i < n; i++) {
    if (!eligible[i] || day[i]! >= day[chosen]!) continue;
    if (co2 && co2[i]! > co2[chosen]!) continue;
    // Compared in cents so that an extra of exactly the limit qualifies despite binary fractions.
    if (Math.round((cost[i]! - cost[chosen]!) * 100) > Math.round(maxExtra * 100)) continue;
    if (best < 0) {
      best = i;
      continue;
    }
    const d = day[i]! - day[best]! || cost[i]! - cost[best]!;
    if (d < 0 || (d === 0 && codeRank[i]! < codeRank[best]!)) best = i;
  }
  return best;
}

const fmt = (n: number) => n.toFixed(2);

export function resolveBalancedWeights(overrides: Partial<BalancedWeights> | undefined): BalancedWeights {
  if (!overrides) return DEFAULT_BALANCED_WEIGHTS;
  const w = { ...DEFAULT_BALANCED_WEIGHTS, ...overrides };
  for (const [k, v] of Object.entries(w)) {
    if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`balanced weight ${k} must be a non-negative number, got ${v}`);
  }
  return w;
}

/** Picks one quote by preference, within `promiseBy`, then applies the VIP free upgrade. */
export function chooseService(quotes: readonly ServiceQuote[], options: ChooseOptions): ServiceChoice {
  if (quotes.length === 0) return { ok: false, reason: 'no service can carry this parcel' };
  const weights = resolveBalancedWeights(options.balancedWeights);
  const n = quotes.length;
  const cost = quotes.map((q) => q.cost);
  const day = quotes.map((q) => parseIsoDate(q.promisedDeliveryDate)!);
  const co2 = quotes.map((q) => q.co2Grams);
  const codes = quotes.map((q) => q.serviceCode);
  const sorted = [...codes].sort();
  const codeRank = codes.map((c) => sorted.indexOf(c));

  let limit = Infinity;
  if (options.promiseBy !== undefined) {
    const by = parseIsoDate(options.promiseBy);
    if (by === undefined) throw new RangeError(`promiseBy ${options.promiseBy} is not a calendar date YYYY-MM-DD`);
    limit = by;
  }
  const eligible = day.map((d) => (d <= limit ? 1 : 0));
  const chosen = pickBestIndex(options.preference, n, cost, day, co2, codeRank, eligible, weights);
  if (chosen < 0) return { ok: false, reason: `no service delivers by ${options.promiseBy}` };
  const preferred = quotes[chosen]!;

  const maxExtra = options.vip ? options.vipRule?.vipFreeUpgradeMaxExtraCost : undefined;
  const greenOnly = options.preference === 'greenest' ? co2 : undefined;
  const up = maxExtra === undefined ? -1 : pickUpgradeIndex(chosen, maxExtra, n, cost, day, codeRank, eligible, greenOnly);
  if (up < 0) {
    return {
      ok: true,
      quote: preferred,
      preference: options.preference,
      upgraded: false,
      carrierCost: preferred.cost,
      chargedToCustomer: preferred.cost,
      absorbedByMerchant: 0,
    };
  }
  const upgrade = quotes[up]!;
  // The customer never pays more than the service they would have had, nor more than what actually ships.
  const charged = Math.min(preferred.cost, upgrade.cost);
  const absorbed = Math.round((upgrade.cost - charged) * 100) / 100;
  return {
    ok: true,
    quote: upgrade,
    preference: options.preference,
    upgraded: true,
    upgradeReason:
      `VIP free upgrade from ${preferred.serviceCode} (${preferred.promisedDeliveryDate}) to ${upgrade.serviceCode} ` +
      `(${upgrade.promisedDeliveryDate}): ${fmt(absorbed)} more, within the ${fmt(maxExtra!)} limit; the merchant absorbs the difference`,
    preferredQuote: preferred,
    carrierCost: upgrade.cost,
    chargedToCustomer: charged,
    absorbedByMerchant: absorbed,
  };
}
