import type { Location, Sku } from '#domain/inventory/location';
import type { RateTable } from '#domain/carriers/rate-table';
import type { RoutingRules } from '#domain/routing/rules';
import type { RoutingSettings } from '../routing/routing-scope.ts';
import type { Order, OrderStatus } from '#domain/orders/order';
import type { Shipment } from '#domain/orders/shipment';
import type { Reservation } from '#domain/inventory/reservation';
import type { SkuNetwork } from '#domain/inventory/projection';
import type { DecisionRecord } from '#domain/orders/decision-record';
import type { ShadowRules } from '#domain/orders/what-if';
import type { SlotTake } from '#domain/orders/pickup-capacity';
import type { ExpectedDemand } from '#domain/routing/look-ahead';

/** What the router reads about a tenant's network: its locations and the SKUs of an order. */
export interface NetworkReader {
  /** Every location of the tenant (a few hundred at most; adapters may cache them briefly). */
  locations(tenantId: string): Promise<Location[]>;
  skus(tenantId: string, skus: string[]): Promise<Map<string, Sku>>;
  /**
   * Shipments requested from each location on this UTC day (for locations' daily capacity). Adapters may cache the
   * counts for a second, adding what this process planned meanwhile (see `notePlanned`).
   */
  shipmentsToday(tenantId: string, day: string): Promise<Map<string, number>>;
  /** The router chose this location for a parcel today: counted until the next read of the day's counts. */
  notePlanned(tenantId: string, day: string, locationId: string): void;
  /** Pickup slots used at each store on the given local day (read consistently: the allocation's guard is exact). */
  pickupSlotsUsed?(tenantId: string, counters: ReadonlyArray<{ locationId: string; day: string }>): Promise<Map<string, number>>;
}

/**
 * The first read of a new order's attempt: the order's header and the stock projections of the SKUs it orders, in
 * one request (the SKUs come with the event that started the attempt). The header alone is the whole order while it
 * has never been routed (no shipments exist before the first allocation).
 */
export interface PlanReader {
  orderAndNetworks(tenantId: string, orderId: string, skus: string[]): Promise<{ order?: Order; networks: Map<string, SkuNetwork> }>;
}

/** A tenant's routing rules and carrier rate table; the defaults when the tenant has set none. */
export interface FulfillmentSettings {
  routingRules(tenantId: string): Promise<RoutingRules>;
  rateTable(tenantId: string): Promise<RateTable>;
  /** A VIP gets a faster service free when it costs at most this much more. */
  vipFreeUpgradeMaxExtraCost(tenantId: string): Promise<number>;
  /** The tenant's routing defaults and custom regions (its settings; none before onboarding seeded them). */
  routingSettings?(tenantId: string): Promise<RoutingSettings>;
  /** What-if (issue 15): the tenant's shadow rule set, if one is installed (cached like the rules: no call per order). */
  shadowRules?(tenantId: string): Promise<ShadowRules | undefined>;
  /**
   * Look-ahead (issue 17 step 4): expected units per day by location for these SKUs (forecast, else recent demand),
   * cached an hour per tenant and SKU: asked only when a rule set enables look-ahead.
   */
  expectedDemand?(tenantId: string, skus: readonly string[], today: string): Promise<ExpectedDemand>;
}

/**
 * Starts the fulfilment workflow of an order attempt under the given execution name; a name already taken answers
 * 'already-started' (the execution exists, running or finished).
 */
export interface WorkflowStarter {
  start(input: { tenantId: string; orderId: string; attempt: number; name: string; correlationId: string; reason: string }): Promise<'started' | 'already-started'>;
}

/** Orders waiting for stock of a SKU, oldest first. */
export interface BackorderIndex {
  waiting(tenantId: string, sku: string, limit: number): Promise<Array<{ orderId: string; entry: string }>>;
  /** Drops an entry whose order no longer waits (cancelled, allocated by another path). */
  remove(tenantId: string, sku: string, entry: string): Promise<void>;
}

export interface AllocationInput {
  order: Order;
  expectedVersion: number;
  shipments: Shipment[];
  holdReservationIds: string[];
  waitingSkus: string[];
  noLongerWaitingSkus: string[];
  /** The UTC day the new shipments count against their locations' daily capacity. */
  day: string;
  /** What-if (issue 15): the routing decision's input and outcome, written in the same transaction as its own item. */
  decisionRecord?: DecisionRecord;
  /** Pickup slots the new shipments take, each counter guarded by its store's limit in the same transaction. */
  pickupSlots?: SlotTake[];
}

export type ReserveAndAllocateOutcome =
  | { outcome: 'ALLOCATED' }
  /** The order moved (or a reservation id is taken): nothing was written; read the order and decide again. */
  | { outcome: 'CONFLICT' }
  /** These location+sku pairs had too little stock: nothing was written. */
  | { outcome: 'SHORT'; pairs: Array<{ locationId: string; sku: string }> }
  /** More than one transaction can hold: reserve and confirm separately. */
  | { outcome: 'TOO_LARGE' }
  /** These stores had no pickup slot left on the day: nothing was written; plan again (the counts are read again). */
  | { outcome: 'SLOTS_FULL'; locationIds: string[] };

/** Writes an allocation: the order, its new shipments, the reservations they hold (made non-expiring), the waitlist. */
export interface AllocationWriter {
  saveAllocation(input: AllocationInput): Promise<void>;
  /**
   * Reserves the new shipments' units and writes the allocation in ONE transaction: each reservation (held, never
   * expiring) with its stock guarded by `available >= minAvailable`, and everything `saveAllocation` writes. All or
   * nothing: a crash or a lost race leaves no reservation without its shipment.
   */
  reserveAndAllocate(input: Omit<AllocationInput, 'holdReservationIds'> & { reservations: Array<{ reservation: Reservation; minAvailable: number[] }> }): Promise<ReserveAndAllocateOutcome>;
}

/** Tenants and their orders that may be orphaned, for the sweeper. */
export interface StuckOrderFinder {
  tenantIds(): Promise<string[]>;
  /**
   * Up to `limit` orders in one of `statuses` not changed since `olderThan` (the age filter applies before the limit:
   * pages are read until `limit` old enough orders are found or none are left).
   */
  stuck(tenantId: string, statuses: readonly OrderStatus[], olderThan: Date, limit: number): Promise<Order[]>;
}

export interface LateShipmentFinder {
  tenantIds(): Promise<string[]>;
  /** Shipments whose next check (`nextCheckAt`) is before `before` (an ISO instant); the longest due first. */
  due(tenantId: string, before: string, limit: number): Promise<Shipment[]>;
}
