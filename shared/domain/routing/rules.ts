// Merchant routing rules: data, not code. One versioned document per tenant holds ordered rule sets;
// each rule set has a scope, and the first whose scope matches the order applies. The last rule set
// must be a catch-all, so a merchant can roll new rules out to one channel, region or category first.
import { z } from 'zod';
import { DEFAULT_LOOK_AHEAD_HORIZON_DAYS, DEFAULT_LOOK_AHEAD_UNIT_PREMIUM } from './look-ahead.ts';
import { inRollout } from './rollout.ts';

export const LOCATION_TYPES = ['warehouse', 'store', 'dropship'] as const;
export const PREFERENCES = ['cheapest', 'fastest', 'greenest', 'balanced'] as const;
export const SPLIT_POLICIES = ['allow', 'minimize', 'single'] as const;

export type LocationType = (typeof LOCATION_TYPES)[number];
export type Preference = (typeof PREFERENCES)[number];
export type SplitPolicyName = (typeof SPLIT_POLICIES)[number];

/**
 * Bounds of a rule document: generous for any merchant, small enough that a document stays one stored item and a
 * routing decision never scans an unbounded list. Past them the API answers 422 naming the field.
 */
export const MAX_RULE_SETS = 50;
export const MAX_RULE_LIST = 1_000;
export const MAX_RULE_ID_LENGTH = 128;
export const MAX_HOLD_BACKS = 100;
export const MAX_MONEY = 10_000;
export const MAX_COST_MULTIPLIER = 100;
export const MAX_PARCELS = 100;
/** The longest an order may wait for its release window (issue 17): a day's promise should not slip for a batch. */
export const MAX_RELEASE_WINDOW_MINUTES = 60;
/** The longest replenishment horizon look-ahead counts expected demand over. */
export const MAX_LOOK_AHEAD_HORIZON_DAYS = 90;
const MAX_UNITS = 1_000_000_000;

const money = z.number().finite().min(0, 'must be >= 0').max(MAX_MONEY, `must be <= ${MAX_MONEY}`);
const ruleId = z.string().min(1, 'must not be empty').max(MAX_RULE_ID_LENGTH, `must be at most ${MAX_RULE_ID_LENGTH} characters`);
const ids = z.array(ruleId).max(MAX_RULE_LIST, `must hold at most ${MAX_RULE_LIST} entries`);
const locationTypes = z.array(z.enum(LOCATION_TYPES)).max(LOCATION_TYPES.length, `must hold at most ${LOCATION_TYPES.length} types`);

/** How a customer preference trades money against promised days and CO2, all in money units. */
export const preferenceWeightsSchema = z.strictObject({
  /** Multiplier on the carrier and handling cost. */
  cost: z.number().finite().min(0, 'must be >= 0').max(MAX_COST_MULTIPLIER, `must be <= ${MAX_COST_MULTIPLIER}`).default(1),
  /** Money per promised day, charged per parcel. */
  perPromisedDay: money.default(0),
  /** Money per kg of CO2 (per parcel and per lb shipped). */
  perKgCo2: money.default(0),
});
export type PreferenceWeights = z.infer<typeof preferenceWeightsSchema>;

export const DEFAULT_PREFERENCE_WEIGHTS: Readonly<Record<Preference, PreferenceWeights>> = {
  cheapest: { cost: 1, perPromisedDay: 0, perKgCo2: 0 },
  fastest: { cost: 1, perPromisedDay: 4, perKgCo2: 0 },
  greenest: { cost: 1, perPromisedDay: 0, perKgCo2: 2 },
  balanced: { cost: 1, perPromisedDay: 1.5, perKgCo2: 0.75 },
};

export const splitSchema = z.strictObject({
  /** Unset: the tenant's `defaultSplitPolicy` applies (then `allow`). An order's own `splitPolicy` comes first. */
  policy: z.enum(SPLIT_POLICIES).optional(),
  maxParcels: z.number().int().positive().max(MAX_PARCELS, `must be <= ${MAX_PARCELS}`).optional(),
});
export type SplitRule = z.infer<typeof splitSchema>;
/** A split rule once the defaults have applied: the policy is always known. */
export type ResolvedSplit = SplitRule & { policy: SplitPolicyName };

/** Used when neither the order, the rule set nor the tenant's settings name one (a tenant not yet onboarded). */
export const BUILT_IN_DEFAULTS: Readonly<RoutingDefaults> = { preference: 'cheapest', splitPolicy: 'allow' };

/** The tenant's own defaults (`defaultPreference`, `defaultSplitPolicy` of its settings). */
export interface RoutingDefaults {
  readonly preference: Preference;
  readonly splitPolicy: SplitPolicyName;
}

/** Percent of orders, 0-100, in steps of 0.01 (the rollout hash has 10,000 buckets). */
export const rolloutSchema = z
  .number()
  .finite()
  .min(0, 'must be >= 0')
  .max(100, 'must be <= 100')
  .refine((share) => Math.abs(share * 100 - Math.round(share * 100)) < 1e-9, 'must have at most two decimals');

/**
 * Which orders a rule set applies to; every listed dimension must match. Channels, regions and categories are compared
 * without regard to case. Regions are those derived from the order's destination: its country (`US`), its US state
 * (`US-NY`) and the tenant's custom regions that contain it (see regions.ts).
 */
export const scopeSchema = z.strictObject({
  channels: ids.optional(),
  regions: ids.optional(),
  /** Matches when any line of the order is in one of these categories. */
  categories: ids.optional(),
  /** Percent of the orders otherwise in scope, chosen by a stable hash of the order id (see rollout.ts). */
  rollout: rolloutSchema.optional(),
});

export const filtersSchema = z.strictObject({
  locationTypes: locationTypes.optional(),
  requiredCapabilities: ids.default([]),
  /** Capabilities a location of a given type must have, e.g. stores need "ship-from-store". */
  requiredCapabilitiesByType: z.partialRecord(z.enum(LOCATION_TYPES), ids).default({}),
  activeOnly: z.boolean().default(true),
  /** Locations that list channels or regions must list the order's. */
  matchChannel: z.boolean().default(true),
  matchRegion: z.boolean().default(true),
  /** Only locations that are in one of these regions (derived from each location's address or coordinates). */
  locationRegions: ids.optional(),
  excludedLocations: ids.default([]),
  respectDailyCapacity: z.boolean().default(true),
});

export const holdBackSchema = z.strictObject({
  /** Stock reserved for this channel; orders from every other channel cannot use it. */
  forChannel: ruleId,
  units: z.number().int().positive().max(MAX_UNITS, `must be <= ${MAX_UNITS}`),
  locationTypes: locationTypes.optional(),
  skus: ids.optional(),
  categories: ids.optional(),
});

export const ruleSetSchema = z.strictObject({
  id: ruleId,
  description: z.string().max(500, 'must be at most 500 characters').optional(),
  scope: scopeSchema.prefault({}),
  filters: filtersSchema.prefault({}),
  preferences: z
    .strictObject({
      /** Unset: the tenant's `defaultPreference` applies (then `cheapest`). An order's own preference comes first. */
      default: z.enum(PREFERENCES).optional(),
      /** Overrides of the built-in weights, per preference. */
      weights: z.partialRecord(z.enum(PREFERENCES), preferenceWeightsSchema).default({}),
    })
    .prefault({}),
  rankedLocations: z
    .strictObject({
      /** Best first. Unlisted locations rank after the last listed one. */
      order: ids.min(1),
      /** Added to a parcel's cost per rank step: how much money one step of preference is worth. */
      penaltyPerRank: money,
    })
    .optional(),
  split: splitSchema.prefault({}),
  vip: z
    .strictObject({
      preference: z.enum(PREFERENCES).optional(),
      split: splitSchema.optional(),
      useHeldBackStock: z.boolean().default(true),
    })
    .optional(),
  holdBack: z.array(holdBackSchema).max(MAX_HOLD_BACKS, `must hold at most ${MAX_HOLD_BACKS} hold-backs`).default([]),
  /**
   * Issue 17: orders of this rule set wait at most this many minutes and are allocated together with the other orders
   * of the tenant's window by the batch allocator. 0 (the default): routed at once. VIP orders and pickups never wait.
   */
  releaseWindowMinutes: z
    .number()
    .int('must be a whole number of minutes')
    .min(0, 'must be >= 0')
    .max(MAX_RELEASE_WINDOW_MINUTES, `must be <= ${MAX_RELEASE_WINDOW_MINUTES}`)
    .default(0),
  /**
   * Issue 17 step 4: a shadow price per (location, SKU) from expected demand is added to the cost model, so the last
   * units a location's own demand will ask for are not spent on an order another location serves for a little more
   * (look-ahead.ts; docs/routing.md, "Look-ahead"). Off by default.
   */
  lookAhead: z
    .strictObject({
      enabled: z.boolean(),
      /** Days until the location's stock is replenished: expected demand is counted over them. */
      horizonDays: z.number().int('must be a whole number of days').min(1, 'must be >= 1').max(MAX_LOOK_AHEAD_HORIZON_DAYS, `must be <= ${MAX_LOOK_AHEAD_HORIZON_DAYS}`).default(DEFAULT_LOOK_AHEAD_HORIZON_DAYS),
      /** What serving a later local order from elsewhere costs extra, per unit: the most a unit's shadow price can be. */
      unitPremium: money.default(DEFAULT_LOOK_AHEAD_UNIT_PREMIUM),
    })
    .optional(),
  /**
   * Issue 17 step 3: when a window is released, this rule set's allocated orders whose shipments no location has
   * accepted yet are planned again together with the window, and moved when the joint plan saves at least `minSaving`
   * (the cost model's dollars). Off by default.
   */
  reoptimise: z
    .strictObject({
      enabled: z.boolean(),
      minSaving: money.refine((v) => v > 0, 'must be > 0').default(1),
    })
    .optional(),
});
export type RuleSet = z.infer<typeof ruleSetSchema>;

function isCatchAll(scope: RuleSet['scope']): boolean {
  return !scope.channels && !scope.regions && !scope.categories && scope.rollout === undefined;
}

export const routingRulesSchema = z
  .strictObject({
    schemaVersion: z.literal(1),
    tenantId: z.string().min(1),
    /** Bumped on every change; decisions record which version routed them. */
    version: z.number().int().positive(),
    ruleSets: z.array(ruleSetSchema).min(1).max(MAX_RULE_SETS, `must hold at most ${MAX_RULE_SETS} rule sets`),
  })
  .superRefine((doc, ctx) => {
    const seen = new Set<string>();
    doc.ruleSets.forEach((rs, i) => {
      if (seen.has(rs.id)) ctx.addIssue({ code: 'custom', path: ['ruleSets', i, 'id'], message: `duplicate rule set id ${rs.id}` });
      seen.add(rs.id);
    });
    if (!isCatchAll(doc.ruleSets.at(-1)!.scope)) {
      ctx.addIssue({ code: 'custom', path: ['ruleSets'], message: 'the last rule set must have an empty scope (catch-all)' });
    }
  });
export type RoutingRules = z.infer<typeof routingRulesSchema>;
export type RoutingRulesInput = z.input<typeof routingRulesSchema>;

export function parseRoutingRules(input: unknown): RoutingRules {
  return routingRulesSchema.parse(input);
}

export interface ScopeContext {
  readonly channel?: string;
  /** The order's regions (country, US state, custom regions); `region` alone is read as a list of one. */
  readonly regions?: readonly string[];
  readonly region?: string;
  readonly categories: readonly string[];
  /** Needed by rule sets with a rollout: without it, such a rule set never matches. */
  readonly orderId?: string;
}

const lower = (values: readonly string[]): Set<string> => new Set(values.map((v) => v.toLowerCase()));

/** Whether the rule set's scope takes this order: every listed dimension must match (case-insensitively). */
export function scopeMatches(rs: RuleSet, ctx: ScopeContext): boolean {
  const { channels, regions, categories, rollout } = rs.scope;
  if (channels && (!ctx.channel || !lower(channels).has(ctx.channel.toLowerCase()))) return false;
  if (regions) {
    const wanted = lower(regions);
    const orderRegions = ctx.regions ?? (ctx.region ? [ctx.region] : []);
    if (!orderRegions.some((r) => wanted.has(r.toLowerCase()))) return false;
  }
  if (categories) {
    const wanted = lower(categories);
    if (!ctx.categories.some((c) => wanted.has(c.toLowerCase()))) return false;
  }
  if (rollout !== undefined && (ctx.orderId === undefined || !inRollout(ctx.orderId, rs.id, rollout))) return false;
  return true;
}

/** First rule set whose scope matches; every listed dimension must match. */
export function selectRuleSet(rules: RoutingRules, ctx: ScopeContext): RuleSet {
  for (const rs of rules.ruleSets) if (scopeMatches(rs, ctx)) return rs;
  // Unreachable for validated documents: the last rule set is a catch-all.
  throw new Error('no rule set matches and there is no catch-all');
}

/** Where the preference and split policy an order is routed with came from. */
export type DefaultSource = 'order' | 'rule set' | 'tenant' | 'built-in';

export interface ResolvedDefaults {
  readonly preference: Preference;
  readonly preferenceFrom: DefaultSource;
  readonly split: ResolvedSplit;
  readonly splitFrom: DefaultSource;
}

/**
 * The preference and split policy an order is routed with, first found wins: the order's own, then the selected rule
 * set's (`preferences.default`, `split.policy`), then the tenant's defaults, then the built-in ones. VIP overrides
 * (applyRules) come on top.
 */
export function resolveDefaults(
  ruleSet: RuleSet,
  order: { readonly preference?: Preference | undefined; readonly splitPolicy?: SplitPolicyName | undefined },
  tenant: RoutingDefaults | undefined,
): ResolvedDefaults {
  const pick = <T>(ownValue: T | undefined, ruleValue: T | undefined, tenantValue: T | undefined, builtIn: T): [T, DefaultSource] =>
    ownValue !== undefined ? [ownValue, 'order'] : ruleValue !== undefined ? [ruleValue, 'rule set'] : tenantValue !== undefined ? [tenantValue, 'tenant'] : [builtIn, 'built-in'];
  const [preference, preferenceFrom] = pick(order.preference, ruleSet.preferences.default, tenant?.preference, BUILT_IN_DEFAULTS.preference);
  const [policy, splitFrom] = pick(order.splitPolicy, ruleSet.split.policy, tenant?.splitPolicy, BUILT_IN_DEFAULTS.splitPolicy);
  return { preference, preferenceFrom, split: { ...ruleSet.split, policy }, splitFrom };
}

export function preferenceWeights(ruleSet: RuleSet, preference: Preference): PreferenceWeights {
  return ruleSet.preferences.weights[preference] ?? DEFAULT_PREFERENCE_WEIGHTS[preference];
}
