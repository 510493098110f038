/**
 * What a routing decision saw, recorded with it (issue 15, what-if): the engine's whole input for the order's ship
 * lines (candidates with their stock, costs, capacity; lines; destination; customer; the rules version) and a summary
 * of what it decided. Replaying the input under another rule set (what-if.ts) routes the order again exactly as the
 * fulfil step would have, without reading anything that may have changed since (stock, locations, rate tables).
 *
 * Costs depend on the customer's preference (the carrier service a preference picks), so each candidate carries the
 * cost model of every preference, deduplicated: a candidate rule set that changes the default preference is replayed
 * with the services that preference would have picked that day. Pure: no clock, no I/O.
 */
import { costModelFor, type CostModelInput, type LocationCostModel } from '../carriers/cost-model.ts';
import type { CandidateLocation } from '../routing/apply-rules.ts';
import type { RouteRequest, RoutingDecision } from '../routing/route-order.ts';
import { PREFERENCES, type Preference } from '../routing/rules.ts';
import type { Order } from './order.ts';

export const DECISION_RECORD_SCHEMA = 1;

/** A candidate's linear cost model under one preference: [shipmentCost, unitCostPerLb, promisedDays, co2KgPerParcel, co2KgPerLb]. */
export type CostTuple = [number, number, number, number, number];

/** A candidate location as the engine saw it: every field of CandidateLocation but its costs, as is, and its costs per preference. */
export interface RecordedCandidate {
  at: Omit<CandidateLocation, 'shipmentCost' | 'unitCostPerLb' | 'promisedDays' | 'co2KgPerParcel' | 'co2KgPerLb'>;
  /** Distinct cost models of this candidate; `by[i]` indexes the one of PREFERENCES[i]. */
  costs: CostTuple[];
  by: number[];
}

/** What a decision did, in the figures a what-if compares: the engine's cost model, not the carriers' later quotes. */
export interface DecisionSummary {
  /** `ruleSetId@vN` */
  ruleSet: string;
  status: RoutingDecision['status'];
  /** [locationId, sku, units], sorted: two decisions allocate alike exactly when these are equal. */
  alloc: Array<[string, string, number]>;
  parcels: number;
  /** Money: parcels' fixed plus weight cost. */
  cost: number;
  co2Kg: number;
  /** The latest promised days among the parcels (the order is complete when its last parcel arrives); 0 without parcels. */
  days: number;
  unfilled: number;
  /** False when the search stopped on its budget before proving the plan optimal. */
  optimal: boolean;
}

/** The engine's request as the fulfil step made it, without what a replay supplies: candidates, rules and budget. */
export type RecordedRequest = Omit<RouteRequest, 'locations' | 'rules' | 'budget' | 'explain'>;

export interface DecisionRecord {
  schema: typeof DECISION_RECORD_SCHEMA;
  orderId: string;
  attempt: number;
  round: number;
  decidedAt: string;
  /**
   * Order id, channel, destination (with its regions), customer (VIP, the order's own preference), the order's own
   * split policy, the tenant's defaults, ship lines (weights, categories): whatever the request carried.
   */
  request: RecordedRequest;
  rulesVersion: number;
  candidates: RecordedCandidate[];
  decided: DecisionSummary;
  /** The shadow rule set's decision on the same input, when one was installed for the order's scope. */
  shadow?: DecisionSummary;
  /** Set when the input was too large to keep (its candidates were dropped): the decision is known, a replay is not possible. */
  inputOmitted?: true;
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

export function summariseDecision(decision: RoutingDecision): DecisionSummary {
  const units = new Map<string, number>();
  for (const a of decision.allocations) units.set(`${a.locationId}\u0000${a.sku}`, (units.get(`${a.locationId}\u0000${a.sku}`) ?? 0) + a.quantity);
  const alloc = [...units]
    .map(([key, quantity]): [string, string, number] => {
      const [locationId, sku] = key.split('\u0000') as [string, string];
      return [locationId, sku, quantity];
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  let co2 = 0;
  let days = 0;
  for (const p of decision.parcels) {
    co2 += p.co2Kg ?? 0;
    days = Math.max(days, p.promisedDays ?? 0);
  }
  return {
    ruleSet: `${decision.ruleSet.id}@v${decision.ruleSet.version}`,
    status: decision.status,
    alloc,
    parcels: decision.parcels.length,
    cost: decision.cost.total,
    co2Kg: round(co2),
    days,
    unfilled: decision.unfilled.reduce((sum, u) => sum + u.quantity, 0),
    optimal: decision.optimal,
  };
}

const tupleOf = (c: Pick<LocationCostModel, 'shipmentCost' | 'unitCostPerLb' | 'promisedDays' | 'co2KgPerParcel' | 'co2KgPerLb'>): CostTuple => [
  c.shipmentCost,
  c.unitCostPerLb,
  c.promisedDays,
  c.co2KgPerParcel,
  c.co2KgPerLb,
];

export interface RecordInput {
  order: Pick<Order, 'orderId'>;
  attempt: number;
  round: number;
  now: Date;
  /** The cost model's input without the preference (the fulfil step priced `preference` with it). */
  costInput: Omit<CostModelInput, 'preference'>;
  preference: Preference;
  request: RouteRequest;
  decision: RoutingDecision;
  rulesVersion: number;
}

/**
 * The record of one decision. The candidates' costs under the preference that routed are taken from the request
 * itself; the other preferences are priced with the same cost-model input (three more passes over the candidates).
 */
export function recordDecision(input: RecordInput): DecisionRecord {
  const others = new Map<Preference, Map<string, LocationCostModel>>();
  for (const p of PREFERENCES) if (p !== input.preference) others.set(p, costModelFor({ ...input.costInput, preference: p }));
  const candidates = input.request.locations.map((candidate): RecordedCandidate => {
    const { shipmentCost, unitCostPerLb, promisedDays, co2KgPerParcel, co2KgPerLb, ...rest } = candidate;
    const live: CostTuple = [shipmentCost, unitCostPerLb, promisedDays ?? 0, co2KgPerParcel ?? 0, co2KgPerLb ?? 0];
    const costs: CostTuple[] = [];
    const by = PREFERENCES.map((p) => {
      const model = p === input.preference ? undefined : others.get(p)!.get(candidate.id);
      const tuple = model ? tupleOf(model) : live;
      const same = costs.findIndex((t) => t.every((x, i) => x === tuple[i]));
      return same >= 0 ? same : costs.push(tuple) - 1;
    });
    return { at: rest, costs, by };
  });
  return {
    schema: DECISION_RECORD_SCHEMA,
    orderId: input.order.orderId,
    attempt: input.attempt,
    round: input.round,
    decidedAt: input.now.toISOString(),
    request: recordedRequest(input.request),
    rulesVersion: input.rulesVersion,
    candidates,
    decided: summariseDecision(input.decision),
  };
}

function recordedRequest(request: RouteRequest): RecordedRequest {
  const { locations: _locations, rules: _rules, budget: _budget, explain: _explain, ...rest } = request;
  return rest;
}

/** The candidates as the engine takes them, priced for `preference`. */
export function candidatesFor(record: Pick<DecisionRecord, 'candidates'>, preference: Preference): CandidateLocation[] {
  const k = PREFERENCES.indexOf(preference);
  return record.candidates.map((c) => {
    const t = c.costs[c.by[k]!]!;
    return { ...c.at, shipmentCost: t[0], unitCostPerLb: t[1], promisedDays: t[2], co2KgPerParcel: t[3], co2KgPerLb: t[4] };
  });
}
