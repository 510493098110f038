/**
 * A pickup at a store that lacks the units (issue 14 part 2): the units missing from the chosen store come by a
 * transfer from the best location (the nearest active one holding them all), and the pickup is promised for when the
 * transfer arrives and the store has done its handling. The line waits (backordered) while the units are in transit; on
 * receipt they are on hand at the store and the order is routed again there (StockChanged -> the backorder retry).
 * Pure: the caller reads stock, rates and existing transfers, and writes the transfer through the transfer use case.
 */
import { chooseService } from '../carriers/choose-service.ts';
import type { RateTable } from '../carriers/rate-table.ts';
import { haversineKm, rateAllServices } from '../carriers/rating.ts';
import type { Location } from '../inventory/location.ts';
import { readyAtLocation } from '../inventory/opening-hours.ts';
import type { Order } from './order.ts';
import { canHoldPickup, pickupSlotDay } from './pickup-capacity.ts';

/** The one transfer a pickup line may start: its id is the order's and the line's, so a retried attempt finds it. */
export function pickupTransferId(orderId: string, lineId: string): string {
  return `tr_${orderId}.${lineId}`;
}

export interface PickupTransferPlan {
  transferId: string;
  lineId: string;
  sku: string;
  quantity: number;
  fromLocationId: string;
  toLocationId: string;
  distanceKm: number;
  /** When the units are expected at the store (the carrier model's transit from the origin). */
  expectedArrivalAt: string;
  /** When the pickup can be ready: the store's handling once the units are there, in its open hours. */
  readyBy: string;
  /** The store's local day the pickup is promised for. */
  promisedDate: string;
}

export interface PickupTransferQuestion {
  order: Pick<Order, 'orderId' | 'lines' | 'routingExclusions'>;
  /** The order's lines still unallocated after this plan (per line id: units still missing). */
  missing: ReadonlyArray<{ lineId: string; sku: string; quantity: number }>;
  locations: readonly Location[];
  /** Units available per location and SKU after what this plan took. */
  stock: ReadonlyMap<string, Record<string, number>>;
  skus: ReadonlyMap<string, { weightLb: number }>;
  rateTable: RateTable;
  /** Lines whose transfer already exists (any status): never a second one. */
  existing: ReadonlySet<string>;
  now: Date;
}

/**
 * The transfers to request for pickup lines the chosen store cannot fill: for each such line (a store that can hold
 * the pickup, no transfer yet), the nearest other active location holding all the missing units; the promise from
 * the cheapest carrier service between the two and the store's hours. Lines with no such location are left to wait; a
 * store that refused the line gets none (the order's pickup fallback decides where it goes).
 */
export function planPickupTransfers(question: PickupTransferQuestion): PickupTransferPlan[] {
  const byId = new Map(question.locations.map((l) => [l.locationId, l]));
  const lineOf = new Map(question.order.lines.map((l) => [l.lineId, l]));
  // A store that refused the line (rejected it, or let its acceptance window pass) gets no units for it.
  const refused = new Set((question.order.routingExclusions ?? []).map((e) => `${e.locationId}|${e.sku}`));
  const left = new Map([...question.stock].map(([locationId, units]) => [locationId, { ...units }]));
  const plans: PickupTransferPlan[] = [];
  for (const line of question.missing) {
    const fulfillment = lineOf.get(line.lineId)?.fulfillment;
    if (!fulfillment || fulfillment.type === 'ship' || !fulfillment.locationId) continue;
    const transferId = pickupTransferId(question.order.orderId, line.lineId);
    if (question.existing.has(transferId) || refused.has(`${fulfillment.locationId}|${line.sku}`)) continue;
    const store = byId.get(fulfillment.locationId);
    if (!store || !canHoldPickup(store, fulfillment.type, question.now)) continue;
    const origin = question.locations
      .filter((l) => l.active && l.locationId !== store.locationId && (left.get(l.locationId)?.[line.sku] ?? 0) >= line.quantity)
      .map((l) => ({ location: l, distanceKm: haversineKm(l.geo, store.geo) }))
      .sort((a, b) => a.distanceKm - b.distanceKm || (a.location.locationId < b.location.locationId ? -1 : 1))[0];
    if (!origin) continue;
    const arrival = arrivalAt(question, origin.location, store, line.sku, line.quantity);
    if (!arrival) continue;
    left.get(origin.location.locationId)![line.sku]! -= line.quantity;
    const ready = readyAtLocation(store, arrival);
    const readyBy = ready instanceof Date ? ready : arrival;
    plans.push({
      transferId,
      lineId: line.lineId,
      sku: line.sku,
      quantity: line.quantity,
      fromLocationId: origin.location.locationId,
      toLocationId: store.locationId,
      distanceKm: Math.round(origin.distanceKm * 10) / 10,
      expectedArrivalAt: arrival.toISOString(),
      readyBy: readyBy.toISOString(),
      promisedDate: pickupSlotDay(store, readyBy),
    });
  }
  return plans;
}

/**
 * When the units reach the store: the cheapest carrier service's delivery date from the origin (ready now, or when its
 * hours allow), taken as midday UTC of that date. Undefined when no service carries them.
 */
function arrivalAt(question: PickupTransferQuestion, origin: Location, store: Location, sku: string, quantity: number): Date | undefined {
  const ready = readyAtLocation(origin, question.now);
  if (ready === 'never') return undefined;
  const weightLb = Math.max(0.1, (question.skus.get(sku)?.weightLb ?? 1) * quantity);
  const quotes = rateAllServices(question.rateTable, {
    originLatLon: origin.geo,
    destLatLon: store.geo,
    weightLb,
    shipDate: ready ?? question.now,
    ...(origin.timeZone ? { originTimeZone: origin.timeZone } : {}),
  });
  const choice = chooseService(quotes, { preference: 'cheapest', vip: false });
  if (!choice.ok) return undefined;
  return new Date(`${choice.quote.promisedDeliveryDate}T12:00:00.000Z`);
}

/** The explanation of a planned transfer, for the order (what the customer and ops read). */
export function explainPickupTransfer(plan: PickupTransferPlan): string {
  return `pickup ${plan.sku} x${plan.quantity} at ${plan.toLocationId}: not in stock there; transfer ${plan.transferId} from ${plan.fromLocationId} (${plan.distanceKm} km), expected ${plan.expectedArrivalAt.slice(0, 10)}; ready by ${plan.readyBy} (${plan.promisedDate})`;
}
