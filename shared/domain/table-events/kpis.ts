// Business KPIs from the table's stream (issue 15, part 2): every order and shipment change passes the outbox relay
// once (at least once: a redelivered record counts again), so the relay is the one place that sees each status change,
// each parcel and each late mark, whichever function made it (the fulfil step, the two-phase reserve, an ops retry, a
// backorder woken by stock, a location's rejection). Pure: a change in, observations out; publishing is the caller's.
import type { Order, OrderStatus } from '../orders/order.ts';
import type { Shipment } from '../orders/shipment.ts';
import type { ItemChange } from './change-events.ts';

/** Metric names, shared by the emitters and the CDK dashboards and alarms. */
export const KPI = {
  /** Count, by `status` (and `status` + `tenant`): orders accepted, and orders reaching each status below. */
  orders: 'Orders',
  /** Milliseconds from acceptance to a routing decision, by `attempt`: `first` (the pipeline), `later` (a wait filled). */
  timeToAllocate: 'TimeToAllocate',
  /** Count: the locations an order ships from, when it is first fully allocated. */
  parcelsPerOrder: 'ParcelsPerOrder',
  /** 0 or 1 per fully allocated order: its Average is the split rate. */
  splitOrder: 'SplitOrder',
  /** Count: parcels requested from a location to be shipped by carrier. */
  parcels: 'Parcels',
  /** The carrier cost of a parcel, in the tenant's currency (a mixed-currency sum across tenants: see docs/aws.md). */
  parcelShippingCost: 'ParcelShippingCost',
  /** Grams of CO2 of a parcel. */
  parcelCo2Grams: 'ParcelCo2Grams',
  /** Count: shipments marked late (their promised delivery date passed). */
  lateShipments: 'LateShipments',
  /** Count, by `reason`: units taken from a location and routed again. */
  reroutes: 'Reroutes',
  /** Count: orders the sweeper found in flight past its deadline (emitted by the sweeper each run). */
  ordersStuck: 'OrdersStuck',
} as const;

/** The order statuses counted (ROUTING is internal; SHIPPED and later are the carriers' story). */
export const COUNTED_STATUSES = ['ACCEPTED', 'ALLOCATED', 'PARTIALLY_ALLOCATED', 'BACKORDERED', 'FAILED', 'CANCELLED'] as const;
export type CountedStatus = (typeof COUNTED_STATUSES)[number];
/** Statuses a routing attempt ends in. */
export const DECIDED_STATUSES: readonly CountedStatus[] = ['ALLOCATED', 'PARTIALLY_ALLOCATED', 'BACKORDERED', 'FAILED'];

/**
 * Why units were routed again: a location refused them (`rejected`), a location did not accept them in time or before
 * their promised date (`not-accepted`, on its behalf), or the sweeper found the order stuck in flight (`stuck`).
 */
export const REROUTE_REASONS = ['rejected', 'not-accepted', 'stuck'] as const;
export type RerouteReason = (typeof REROUTE_REASONS)[number];

export type KpiUnit = 'Count' | 'Milliseconds' | 'None';

export interface KpiObservation {
  name: (typeof KPI)[keyof typeof KPI];
  unit: KpiUnit;
  value: number;
  /** Low-cardinality dimensions (status, attempt, reason): fixed lists. */
  dimensions: Readonly<Record<string, string>>;
  /** Also emitted per tenant (a dimension set with `tenant`): only orders by status, see docs/aws.md. */
  perTenant?: string;
}

const COUNTED: ReadonlySet<string> = new Set(COUNTED_STATUSES);
const DECIDED: ReadonlySet<string> = new Set(DECIDED_STATUSES);
/** The reason the shipment check writes when it takes a shipment from its location (orders/delays.ts). */
const NOT_ACCEPTED = /^not accepted by the location/;

const ms = (from: string, to: string): number => Math.max(0, Date.parse(to) - Date.parse(from));

export function kpisForChange(change: ItemChange): KpiObservation[] {
  const after = change.newItem;
  if (!after) return [];
  if (after.entity === 'Order') return orderKpis(change.kind, change.oldItem as unknown as Order | undefined, after as unknown as Order);
  if (after.entity === 'Shipment') return shipmentKpis(change.kind, change.oldItem as unknown as Shipment | undefined, after as unknown as Shipment);
  return [];
}

function orderKpis(kind: ItemChange['kind'], before: Order | undefined, after: Order): KpiObservation[] {
  const out: KpiObservation[] = [];
  const status: OrderStatus = kind === 'INSERT' ? 'ACCEPTED' : after.status;
  if (kind === 'INSERT' || (before && before.status !== after.status)) {
    if (COUNTED.has(status)) out.push({ name: KPI.orders, unit: 'Count', value: 1, dimensions: { status }, perTenant: after.tenantId });
  }
  if (kind === 'INSERT' || !before) return out;
  const decidedAt = after.routing?.decidedAt;
  // The first attempt's decision, once: how long the pipeline took from acceptance to a routed order.
  if (after.routing?.attempt === 1 && before.routing?.attempt !== 1 && decidedAt && DECIDED.has(after.status)) {
    out.push({ name: KPI.timeToAllocate, unit: 'Milliseconds', value: ms(after.createdAt, decidedAt), dimensions: { attempt: 'first' } });
  }
  if (after.status === 'ALLOCATED' && before.status !== 'ALLOCATED') {
    // A later attempt completing the order: how long it waited (a backorder filled, a rejection routed elsewhere).
    if (after.attempt > 1) out.push({ name: KPI.timeToAllocate, unit: 'Milliseconds', value: ms(after.createdAt, decidedAt ?? after.updatedAt), dimensions: { attempt: 'later' } });
    const parcels = new Set((after.allocations ?? []).map((a) => a.locationId)).size;
    out.push({ name: KPI.parcelsPerOrder, unit: 'Count', value: parcels, dimensions: {} });
    out.push({ name: KPI.splitOrder, unit: 'Count', value: parcels > 1 ? 1 : 0, dimensions: {} });
  }
  return out;
}

function shipmentKpis(kind: ItemChange['kind'], before: Shipment | undefined, after: Shipment): KpiObservation[] {
  const out: KpiObservation[] = [];
  if (kind === 'INSERT' && after.fulfillment === 'ship') {
    out.push({ name: KPI.parcels, unit: 'Count', value: 1, dimensions: {} });
    if (after.quote) {
      out.push({ name: KPI.parcelShippingCost, unit: 'None', value: after.quote.cost, dimensions: {} });
      out.push({ name: KPI.parcelCo2Grams, unit: 'None', value: after.quote.co2Grams, dimensions: {} });
    }
  }
  if (after.delayed && !before?.delayed) out.push({ name: KPI.lateShipments, unit: 'Count', value: 1, dimensions: {} });
  if (after.status === 'REJECTED' && before && before.status !== 'REJECTED') {
    const reason: RerouteReason = NOT_ACCEPTED.test(after.history.at(-1)?.reason ?? '') ? 'not-accepted' : 'rejected';
    out.push({ name: KPI.reroutes, unit: 'Count', value: 1, dimensions: { reason } });
  }
  return out;
}
