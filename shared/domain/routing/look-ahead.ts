// Look-ahead (issue 17, step 4): a shadow price per (location, SKU) from expected demand, added to the routing cost
// model so that the last nearby units of a SKU are not spent on a far order that another location could serve for a
// little more. Pure: the caller passes the expected demand (recent demand or the stored forecast) and the stock.
//
// The formula (argued in docs/routing.md, "Look-ahead"):
//   N ~ Poisson(mu), mu = expected units the location will be asked for until its stock is replenished
//       (units per day x horizonDays);
//   S = units on hand now.
//   Taking one unit now leaves S - 1; a later local order then goes unserved from here exactly when N >= S, and is
//   served from elsewhere at an extra `unitPremium`. So the expected cost of the unit is
//       unitPremium x P(N >= S).
//   Taking q units costs the sum of q such terms (S, S - 1, ..., S - q + 1); the engine's cost model is linear in
//   units, so the order is charged their average per unit. A term below AMPLE_RISK counts as 0: stock that covers the
//   horizon's demand with 99 % probability is ample and costs nothing extra.

/** Below this chance that local demand reaches a unit, the unit is free: stock is ample. */
export const AMPLE_RISK = 0.01;

/** Defaults of a rule set's `lookAhead`. */
export const DEFAULT_LOOK_AHEAD_HORIZON_DAYS = 7;
export const DEFAULT_LOOK_AHEAD_UNIT_PREMIUM = 5;

/** Expected units per day, by location id and SKU (recent demand or the forecast). */
export type ExpectedDemand = Readonly<Record<string, Readonly<Record<string, number>>>>;

export interface ShadowPriceInput {
  /** Units on hand at the location (sellable now). */
  readonly onHand: number;
  /** Units expected to be asked of this location over the horizon (until replenishment). */
  readonly expectedDemand: number;
  /** What serving a later local order from elsewhere costs extra, per unit. */
  readonly unitPremium: number;
  /** Units this order would take here (default 1); the price is their average per unit. */
  readonly units?: number;
}

/** The marginal value of a unit, per unit, for an order taking `units` of the `onHand` units (see the header). */
export function shadowPrice(input: ShadowPriceInput): number {
  const premium = Math.max(0, input.unitPremium);
  const onHand = Math.floor(input.onHand);
  if (!(premium > 0) || Number.isNaN(onHand)) return 0;
  if (onHand <= 0) return premium;
  const mean = Math.max(0, input.expectedDemand);
  const wanted = Math.floor(input.units ?? 1);
  const q = Number.isNaN(wanted) ? 1 : Math.max(1, Math.min(wanted, onHand));
  let total = 0;
  for (let j = 0; j < q; j++) {
    const risk = poissonTail(mean, onHand - j);
    if (risk >= AMPLE_RISK) total += risk;
  }
  return (premium * total) / q;
}

/** P(N >= k) for N ~ Poisson(mean). */
export function poissonTail(mean: number, k: number): number {
  if (k <= 0) return 1;
  if (!(mean > 0)) return 0;
  const sd = Math.sqrt(mean);
  // Beyond 12 standard deviations (plus a margin for small means) the tail is below 1e-30.
  if (k > mean + 12 * sd + 30) return 0;
  // Terms far below the mean are negligible; each term is computed on its own in log space (no underflow chain).
  const from = Math.max(0, Math.floor(mean - 12 * sd - 30));
  const logMean = Math.log(mean);
  let below = 0;
  for (let i = from; i < k; i++) below += Math.exp(i * logMean - mean - logFactorial(i));
  // Below `from` (never reached when from = 0) the mass is < 1e-30: counting it or not changes nothing.
  return Math.min(1, Math.max(0, 1 - below));
}

const LOG_FACTORIALS: number[] = [0];
for (let n = 1; n < 256; n++) LOG_FACTORIALS.push(LOG_FACTORIALS[n - 1]! + Math.log(n));

function logFactorial(n: number): number {
  if (n < 256) return LOG_FACTORIALS[n]!;
  // Stirling's series: error below 1e-15 relative for n >= 256.
  const inv = 1 / n;
  return n * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI * n) + inv / 12 - (inv * inv * inv) / 360 + inv ** 5 / 1260;
}

/**
 * Expected units per day from a daily roll-up (day `YYYY-MM-DD` -> units): the mean over the `windowDays` days before
 * `today` (today itself is not over yet). Days without a roll-up count as 0; returns and reversals that took a day
 * below 0 count as 0.
 */
export function recentDailyDemand(days: ReadonlyMap<string, number>, today: string, windowDays = 28): number {
  const end = Date.parse(`${today}T00:00:00Z`);
  if (!Number.isFinite(end) || windowDays <= 0) return 0;
  const start = end - windowDays * 86_400_000;
  let units = 0;
  for (const [day, value] of days) {
    const at = Date.parse(`${day}T00:00:00Z`);
    if (at >= start && at < end && value > 0) units += value;
  }
  return units / windowDays;
}

/** Expected units per day from a stored forecast's daily values: the mean of its first `horizonDays` days. */
export function forecastDailyDemand(daily: readonly number[], horizonDays = 28): number {
  const days = daily.slice(0, Math.max(1, horizonDays));
  if (days.length === 0) return 0;
  let units = 0;
  for (const d of days) if (d > 0) units += d;
  return units / days.length;
}

export interface LookAheadConfig {
  readonly horizonDays: number;
  readonly unitPremium: number;
}

export interface ShadowPriceEntry {
  readonly locationId: string;
  readonly sku: string;
  readonly onHand: number;
  /** Expected units over the horizon. */
  readonly expectedDemand: number;
  /** Added per unit this order takes here. */
  readonly price: number;
}

/**
 * The shadow prices of one order's candidate stock: per location and SKU the order asks for (`demand`: units per
 * SKU), only the positive ones. Stock without expected demand is free (nothing local is waiting for it).
 */
export function orderShadowPrices(
  locations: ReadonlyArray<{ readonly id: string; readonly stock: Readonly<Record<string, number>> }>,
  demand: ReadonlyMap<string, number>,
  expected: ExpectedDemand,
  config: LookAheadConfig,
): ShadowPriceEntry[] {
  const out: ShadowPriceEntry[] = [];
  for (const loc of locations) {
    const rates = expected[loc.id];
    if (!rates) continue;
    for (const [sku, units] of demand) {
      const onHand = Math.floor(loc.stock[sku] ?? 0);
      const rate = rates[sku] ?? 0;
      if (onHand <= 0 || !(rate > 0)) continue;
      const expectedDemand = rate * config.horizonDays;
      const price = shadowPrice({ onHand, expectedDemand, unitPremium: config.unitPremium, units });
      if (price > 0) out.push({ locationId: loc.id, sku, onHand, expectedDemand, price });
    }
  }
  return out;
}

/** One order of a release window, as its look-ahead sees it. */
export interface WindowLookAheadOrder {
  readonly orderId: string;
  readonly lines: ReadonlyArray<{ readonly sku: string; readonly quantity: number }>;
  /** The locations it may ship from (its candidates after its rule set). */
  readonly candidates: readonly string[];
  /** Its rule set's look-ahead; absent when the rule set does not enable it. */
  readonly config?: LookAheadConfig;
}

/**
 * A release window's shadow prices, per order (issue 17): the prices of its candidates' stock of its SKUs, under its
 * own rule set's `horizonDays` and `unitPremium`, on the window's shared stock. The units a price averages over are the
 * whole window's demand for the SKU (the window's orders together may take that many at one location; the simulated
 * day prices its windows the same way), so every order of one look-ahead setting meets the same price for a location
 * and SKU. Orders without look-ahead get no entry; orders with it get a list, empty when the stock is ample. Dearest
 * first, like one order's.
 */
export function windowShadowPrices(
  locations: ReadonlyArray<{ readonly id: string; readonly stock: Readonly<Record<string, number>> }>,
  orders: readonly WindowLookAheadOrder[],
  expected: ExpectedDemand,
): Map<string, ShadowPriceEntry[]> {
  const demand = new Map<string, number>();
  for (const o of orders) for (const l of o.lines) if (l.quantity > 0) demand.set(l.sku, (demand.get(l.sku) ?? 0) + l.quantity);
  const bySetting = new Map<string, ShadowPriceEntry[]>();
  const out = new Map<string, ShadowPriceEntry[]>();
  for (const o of orders) {
    if (!o.config) continue;
    const key = `${o.config.horizonDays}|${o.config.unitPremium}`;
    const all = bySetting.get(key) ?? bySetting.set(key, orderShadowPrices(locations, demand, expected, o.config)).get(key)!;
    const skus = new Set(o.lines.map((l) => l.sku));
    const candidates = new Set(o.candidates);
    out.set(
      o.orderId,
      all.filter((p) => skus.has(p.sku) && candidates.has(p.locationId)).sort((a, b) => b.price - a.price || (a.locationId < b.locationId ? -1 : a.locationId > b.locationId ? 1 : a.sku < b.sku ? -1 : 1)),
    );
  }
  return out;
}
