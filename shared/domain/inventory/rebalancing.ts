import { costModelFor } from '../carriers/cost-model.ts';
import type { RateTable } from '../carriers/rate-table.ts';
import type { LocationType } from './schemas.ts';

/**
 * Rebalancing suggestions (issue 18 part 5): where a location's expected demand over the horizon exceeds what it holds
 * (and has coming by transfer) while another holds more than it will sell, suggest moving the difference, when the
 * expected saving in shipping beats the cost of the transfer. Pure: stock, forecasts and the lane economics come in.
 *
 * Per SKU and location, over the horizon H (days of the stored forecast):
 *   demand   = the forecast's expected units over H
 *   position = available now (after reservations and safety stock) + units in transit to it
 *   deficit  = max(0, ceil(demand) - position)                                   (what it will miss selling from here)
 *   surplus  = max(0, min(available, position - ceil(demand) - max(0, safety)))  (units it can give and still cover H
 *              and its reorder safety; never units it does not hold now)
 * Without a transfer, a deficit location's missing units reach its customers from elsewhere: for a pair, from the
 * surplus location, each unit a parcel from there instead of from here. The saving per unit is that parcel's cost minus
 * the local one (and its days minus the local days); the transfer costs its cartons from origin to destination. A pair
 * is suggested when `units x unitSaving - transferCost > 0`. Pairs are taken best net saving per unit first, each
 * moving min(surplus left at the origin, deficit left at the destination): a location never gives more than its surplus
 * and never receives more than its deficit, over all suggestions together (property-tested).
 */

export interface RebalanceLocation {
  locationId: string;
  /** Units available now (on hand - reserved - safety stock, never below 0). */
  available: number;
  /** Units on their way to it by transfer. */
  inTransit: number;
  /** Expected units sold from here over the horizon (the stored forecast). */
  demand: number;
  /** The forecast's safety stock for its lead time (kept back at an origin; may be negative: counted as 0). */
  safetyStock: number;
}

export interface RebalanceSku {
  sku: string;
  weightLb: number;
  /** The forecast's origin (its last day of history): part of the suggestions' ids. */
  origin: string;
  locations: RebalanceLocation[];
}

/** The economics of one lane, for one SKU's weight and a number of units. */
export interface LaneEconomics {
  /** A customer parcel (one unit) from the origin to the destination's customers, minus one from the destination itself. */
  unitSaving: number;
  /** Days that parcel takes longer from the origin than from the destination. */
  daysSaved: number;
  /** Moving the units from the origin to the destination (cartons, by the cheapest service). */
  transferCost: number;
  /** Days the transfer takes (its cheapest service's promise). */
  transitDays: number;
}

/** The lane's economics, or undefined when no service connects the two (that pair is never suggested). */
export type Economics = (fromLocationId: string, toLocationId: string, weightLb: number, units: number) => LaneEconomics | undefined;

export interface RebalanceSuggestion {
  suggestionId: string;
  sku: string;
  fromLocationId: string;
  toLocationId: string;
  quantity: number;
  /** The destination's expected demand over the horizon, and what it holds and has coming. */
  destination: { demand: number; available: number; inTransit: number; deficit: number };
  origin: { demand: number; available: number; surplus: number };
  /** Shipping saved over the horizon (quantity x unit saving), the transfer's cost, and the difference. */
  expectedSaving: number;
  transferCost: number;
  netSaving: number;
  /** Days faster per order served from the destination instead of the origin. */
  daysSavedPerOrder: number;
  transitDays: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export function deficitOf(location: RebalanceLocation): number {
  return Math.max(0, Math.ceil(location.demand - 1e-9) - Math.max(0, location.available) - Math.max(0, location.inTransit));
}

export function surplusOf(location: RebalanceLocation): number {
  const available = Math.max(0, location.available);
  const keep = Math.ceil(location.demand - 1e-9) + Math.max(0, Math.ceil(location.safetyStock - 1e-9));
  return Math.max(0, Math.min(available, available + Math.max(0, location.inTransit) - keep));
}

/** A suggestion's id: stable for the same forecast origin, lane and SKU (so accepting it twice is one transfer). */
export function suggestionIdOf(origin: string, sku: string, fromLocationId: string, toLocationId: string): string {
  let hash = 0x811c9dc5;
  for (const ch of `${origin}\u0000${sku}\u0000${fromLocationId}\u0000${toLocationId}`) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193);
  let hash2 = 0x01000193;
  for (const ch of `${toLocationId}\u0000${fromLocationId}\u0000${sku}\u0000${origin}`) hash2 = Math.imul(hash2 ^ ch.charCodeAt(0), 0x811c9dc5);
  return `rb-${origin.replaceAll('-', '')}-${(hash >>> 0).toString(36)}${(hash2 >>> 0).toString(36)}`;
}

/** The suggestions for every SKU, best net saving first. */
export function suggestRebalancing(skus: readonly RebalanceSku[], economics: Economics): RebalanceSuggestion[] {
  return skus.flatMap((sku) => suggestForSku(sku, economics)).sort((a, b) => b.netSaving - a.netSaving || a.suggestionId.localeCompare(b.suggestionId));
}

function suggestForSku(sku: RebalanceSku, economics: Economics): RebalanceSuggestion[] {
  const surplus = new Map(sku.locations.map((l) => [l.locationId, surplusOf(l)]));
  const deficit = new Map(sku.locations.map((l) => [l.locationId, deficitOf(l)]));
  const givers = sku.locations.filter((l) => surplus.get(l.locationId)! > 0);
  const takers = sku.locations.filter((l) => deficit.get(l.locationId)! > 0);
  // Every pair, ranked by net saving per unit at the largest move the pair could make.
  const pairs: Array<{ from: RebalanceLocation; to: RebalanceLocation; perUnit: number }> = [];
  for (const from of givers) {
    for (const to of takers) {
      if (from.locationId === to.locationId) continue;
      const units = Math.min(surplus.get(from.locationId)!, deficit.get(to.locationId)!);
      const lane = economics(from.locationId, to.locationId, sku.weightLb, units);
      if (!lane) continue;
      pairs.push({ from, to, perUnit: lane.unitSaving - lane.transferCost / units });
    }
  }
  pairs.sort((a, b) => b.perUnit - a.perUnit || a.from.locationId.localeCompare(b.from.locationId) || a.to.locationId.localeCompare(b.to.locationId));
  const out: RebalanceSuggestion[] = [];
  for (const { from, to } of pairs) {
    const quantity = Math.min(surplus.get(from.locationId)!, deficit.get(to.locationId)!);
    if (quantity <= 0) continue;
    const lane = economics(from.locationId, to.locationId, sku.weightLb, quantity);
    if (!lane) continue;
    const expectedSaving = quantity * lane.unitSaving;
    const netSaving = expectedSaving - lane.transferCost;
    if (!(round2(netSaving) > 0)) continue;
    surplus.set(from.locationId, surplus.get(from.locationId)! - quantity);
    deficit.set(to.locationId, deficit.get(to.locationId)! - quantity);
    out.push({
      suggestionId: suggestionIdOf(sku.origin, sku.sku, from.locationId, to.locationId),
      sku: sku.sku,
      fromLocationId: from.locationId,
      toLocationId: to.locationId,
      quantity,
      destination: { demand: round2(to.demand), available: to.available, inTransit: to.inTransit, deficit: deficitOf(to) },
      origin: { demand: round2(from.demand), available: from.available, surplus: surplusOf(from) },
      expectedSaving: round2(expectedSaving),
      transferCost: round2(lane.transferCost),
      netSaving: round2(netSaving),
      daysSavedPerOrder: lane.daysSaved,
      transitDays: lane.transitDays,
    });
  }
  return out;
}

/** The heaviest carton a transfer is packed in (parcel services carry up to 150 lb; cartons are handled by one person). */
export const TRANSFER_CARTON_LB = 50;

export interface EconomicsLocation {
  locationId: string;
  type: LocationType;
  geo: { lat: number; lon: number };
  handlingCost?: number;
  timeZone?: string;
}

/**
 * Lane economics from the routing cost model (shared/domain/carriers/cost-model.ts) and the tenant's rate table, by
 * the cheapest service: a customer parcel of one unit to the destination's customers (placed at the destination)
 * from the origin and from the destination; the transfer as cartons of up to TRANSFER_CARTON_LB from origin to
 * destination. Memoised per lane and weight (one rate table, one ship date).
 */
export function rateTableEconomics(table: RateTable, locations: readonly EconomicsLocation[], shipDate: Date): Economics {
  const byId = new Map(locations.map((l) => [l.locationId, l]));
  const memo = new Map<string, ReturnType<typeof costModelFor>>();
  const model = (destination: EconomicsLocation, origins: readonly EconomicsLocation[], weightLb: number) => {
    const key = `${destination.locationId}\u0000${origins.map((o) => o.locationId).join('\u0001')}\u0000${weightLb}`;
    let out = memo.get(key);
    if (!out) {
      out = costModelFor({
        table,
        preference: 'cheapest',
        destination: destination.geo,
        shipDate,
        typicalWeightLb: weightLb,
        locations: origins.map((o) => ({ id: o.locationId, type: o.type, lat: o.geo.lat, lon: o.geo.lon, ...(o.handlingCost !== undefined ? { handlingCost: o.handlingCost } : {}), ...(o.timeZone ? { timeZone: o.timeZone } : {}) })),
      });
      memo.set(key, out);
    }
    return out;
  };
  return (fromId, toId, weightLb, units) => {
    const from = byId.get(fromId);
    const to = byId.get(toId);
    if (!from || !to || !(weightLb > 0) || units <= 0) return undefined;
    const parcels = model(to, [from, to], weightLb);
    const far = parcels.get(fromId);
    const near = parcels.get(toId);
    const total = weightLb * units;
    const cartons = Math.ceil(total / TRANSFER_CARTON_LB - 1e-9);
    const cartonLb = Math.round((total / cartons) * 100) / 100;
    const carton = model(to, [from], cartonLb).get(fromId);
    if (!far || !near || !carton) return undefined;
    const parcelCost = (m: { shipmentCost: number; unitCostPerLb: number }, lb: number) => m.shipmentCost + m.unitCostPerLb * lb;
    return {
      unitSaving: parcelCost(far, weightLb) - parcelCost(near, weightLb),
      daysSaved: far.promisedDays - near.promisedDays,
      transferCost: cartons * parcelCost(carton, cartonLb),
      transitDays: carton.promisedDays,
    };
  };
}
