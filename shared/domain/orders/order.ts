import { formatMinor, itemsTotalMinor } from './money.ts';
import type { Refund } from './refund.ts';
import type { PickupStore } from '../inventory/location.ts';

/**
 * The order aggregate: its statuses, the transitions between them and the history they leave. Pure: callers pass the
 * time in. Every status change goes through `transition`, which refuses moves the lifecycle does not allow, so a
 * replayed or late workflow step can never move an order backwards (e.g. a cancelled order back to ALLOCATED).
 */
export const ORDER_STATUSES = [
  'ACCEPTED',
  /** Waiting for its release window (issue 17): allocated with the other orders of its window at `releaseAt` at the latest. */
  'WAITING_RELEASE',
  'ROUTING',
  'ALLOCATED',
  'PARTIALLY_ALLOCATED',
  'BACKORDERED',
  'SHIPPED',
  'DELIVERED',
  /** Every pickup of the order is at its store, ready for the customer (with its code). */
  'READY_FOR_PICKUP',
  /** Every unit was handed over at the store (final, like DELIVERED). */
  'PICKED_UP',
  'RETURNED',
  'CANCELLED',
  'FAILED',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** No workflow moves an order on from these (a delivered order may still come back: RETURNED). */
export const FINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(['DELIVERED', 'PICKED_UP', 'RETURNED', 'CANCELLED']);
/** Statuses a workflow is expected to move on from by itself; past a deadline the sweeper re-drives them. */
export const IN_FLIGHT_STATUSES: ReadonlySet<OrderStatus> = new Set(['ACCEPTED', 'ROUTING']);

const ALLOWED: Record<OrderStatus, readonly OrderStatus[]> = {
  ACCEPTED: ['ROUTING', 'WAITING_RELEASE', 'CANCELLED', 'FAILED'],
  // Released with its window (or re-driven by the sweeper or ops once the window is overdue).
  WAITING_RELEASE: ['ROUTING', 'CANCELLED', 'FAILED'],
  ROUTING: ['ROUTING', 'ALLOCATED', 'PARTIALLY_ALLOCATED', 'BACKORDERED', 'CANCELLED', 'FAILED'],
  // A partial or backordered order is routed again when stock arrives; a rejected shipment re-routes its lines.
  ALLOCATED: ['ROUTING', 'SHIPPED', 'READY_FOR_PICKUP', 'CANCELLED', 'FAILED', 'PARTIALLY_ALLOCATED', 'BACKORDERED'],
  PARTIALLY_ALLOCATED: ['ROUTING', 'ALLOCATED', 'PARTIALLY_ALLOCATED', 'BACKORDERED', 'SHIPPED', 'READY_FOR_PICKUP', 'CANCELLED', 'FAILED'],
  BACKORDERED: ['ROUTING', 'CANCELLED', 'FAILED'],
  // A ship line may also leave while a pickup waits at its store (SHIPPED); an uncollected pickup expires: the rest of
  // the order goes on (its parcels' status), or the order is CANCELLED when nothing else is left.
  READY_FOR_PICKUP: ['PICKED_UP', 'SHIPPED', 'DELIVERED', 'ALLOCATED', 'PARTIALLY_ALLOCATED', 'CANCELLED'],
  SHIPPED: ['DELIVERED', 'PICKED_UP', 'ROUTING', 'RETURNED'],
  // Every unit came back (returns are recorded on the order; a partial return leaves the status as it is).
  DELIVERED: ['RETURNED'],
  PICKED_UP: ['RETURNED'],
  RETURNED: [],
  CANCELLED: [],
  // FAILED needs ops; ops may re-drive it (ROUTING) or cancel it.
  FAILED: ['ROUTING', 'CANCELLED'],
};

export type Preference = 'fastest' | 'cheapest' | 'greenest' | 'balanced';
export type SplitPolicy = 'allow' | 'minimize' | 'single';
export type FulfillmentType = 'ship' | 'pickup' | 'curbside';
/** What happens to a pickup its store rejects or does not accept in time (default `nearest-store`). */
export const PICKUP_FALLBACKS = ['nearest-store', 'ship', 'cancel'] as const;
export type PickupFallback = (typeof PICKUP_FALLBACKS)[number];

/**
 * Units of a line the order will not fulfil: a pickup not collected in its hold (`pickup-expired`), or one whose store
 * could not take it when the order's fallback is to cancel (`pickup-cancelled`). Their reservation went back; what the
 * customer paid for them is refunded (RefundDue, keyed by `cancellationId`).
 */
export interface CancelledLine {
  cancellationId: string;
  lineId: string;
  sku: string;
  quantity: number;
  cause: 'pickup-expired' | 'pickup-cancelled';
  shipmentId?: string;
  locationId?: string;
  reason: string;
  at: string;
  /** For an order with prices: the refund of these units (refund.ts). */
  refund?: Refund;
}

/** A pickup whose store could not take it, and what the order's fallback did with it (the customer is told). */
export interface PickupReroute {
  shipmentId: string;
  fromLocationId: string;
  /** The store that could not take it, as the shipment recorded it (for the customer's message). */
  fromStore?: PickupStore;
  fallback: PickupFallback;
  lineIds: string[];
  reason: string;
  at: string;
}

export interface OrderLine {
  lineId: string;
  sku: string;
  quantity: number;
  /** `movedFrom`: the store of a pickup turned into a parcel by the order's `ship` fallback. */
  fulfillment: { type: FulfillmentType; locationId?: string; movedFrom?: string };
  /** The price of one unit in the order's currency, in minor units (cents, yen): set on every line or on none. */
  unitPriceMinor?: number;
}

export interface Allocation {
  lineId: string;
  sku: string;
  locationId: string;
  quantity: number;
}

export interface ReturnLine {
  lineId: string;
  sku: string;
  quantity: number;
  /**
   * Back on the shelf at the receiving location (on-hand goes up: sellable), or damaged (to the location's damaged
   * count, never available). An authorised mail return's lines say true until the units arrive and are inspected.
   */
  restock: boolean;
  /** Why the customer sent it back, as the request said. */
  reason?: string;
}

/** A mail return's label, quoted by the carrier model from the customer to the return location. */
export interface ReturnLabel {
  toLocationId: string;
  carrier: string;
  serviceCode: string;
  serviceName: string;
  /** The carrier's charge, in the rate table's currency. */
  cost: number;
  currency: string;
  distanceKm: number;
  promisedDeliveryDate: string;
}

/**
 * Units a customer sends back, an RMA (see returns.ts): `in-store` returns are received at once; `mail` returns are
 * AUTHORISED first (their units held) and RECEIVED where they arrive. A return without method/status is an in-store
 * return recorded before RMAs.
 */
export interface OrderReturn {
  returnId: string;
  method?: 'in-store' | 'mail';
  status?: 'AUTHORISED' | 'RECEIVED';
  /** Where the units were (or, authorised, are to be) received: an active location of the merchant, not a drop-shipper. */
  locationId: string;
  /** Authorised: the units held; received: the units that came back, by condition. */
  lines: ReturnLine[];
  reason?: string;
  refundTo?: 'original' | 'store-credit';
  authorisedAt?: string;
  /** A mail return: what was authorised, and where its label sends it. */
  authorisedLines?: Array<{ lineId: string; sku: string; quantity: number; reason?: string }>;
  destination?: string;
  label?: ReturnLabel;
  receivedAt?: string;
  /** Recorded when received, for an order with prices (see refund.ts). */
  refund?: Refund;
  /** The replacement order (placed at once when `shipFirst` or in store, else when the return is received). */
  exchange?: { orderId: string; lines: Array<{ sku: string; quantity: number }>; shipFirst: boolean };
}

/** A move of an allocated order's unaccepted shipments, planned jointly with a released window (reoptimise.ts). */
export interface Reoptimisation {
  /** The window that moved it (one move per order and window). */
  id: string;
  at: string;
  /** The window's orders it was planned with. */
  withOrders: string[];
  moves: Array<{ sku: string; quantity: number; fromLocationId: string; toLocationId: string }>;
  /** What the joint plan saved over keeping every allocation, in the cost model's dollars (the whole window's saving). */
  saved: number;
  cancelledShipmentIds: string[];
  requestedShipmentIds: string[];
}

export interface RecordedRun {
  attempt: number;
  /** The execution id (ARN) of the run. */
  execution: string;
  at: string;
}

export interface StatusChange {
  status: OrderStatus;
  at: string;
  reason?: string;
}

export interface Order {
  tenantId: string;
  orderId: string;
  channel: string;
  externalId?: string;
  customer: { id?: string; email?: string; name?: string; tier: 'standard' | 'vip' };
  shipTo: { name?: string; address?: string; postalCode?: string; country: string; geo?: { lat: number; lon: number } };
  lines: OrderLine[];
  /** ISO 4217 code of the order's prices; set exactly when every line carries a unitPriceMinor. */
  currency?: string;
  /** What the customer paid for shipping, in minor units of `currency` (0 when the order's prices left it out). */
  shippingChargedMinor?: number;
  preference?: Preference;
  splitPolicy?: SplitPolicy;
  /** What a pickup its store cannot take becomes (unset: `nearest-store`). */
  pickupFallback?: PickupFallback;
  /** Units cancelled line by line (pickups expired or cancelled by the fallback), each refunded. */
  cancelledLines?: CancelledLine[];
  /** Pickups moved by the fallback, oldest first. */
  pickupReroutes?: PickupReroute[];
  status: OrderStatus;
  statusReason?: string;
  allocations: Allocation[];
  /** Units per line still waiting for stock. */
  backorderedLines: Array<{ lineId: string; sku: string; quantity: number }>;
  /** Location+sku pairs that refused this order (a store rejected the pick): later routing leaves them out. */
  routingExclusions?: Array<{ locationId: string; sku: string }>;
  history: StatusChange[];
  /** The last routing decision, in words: candidates, exclusions, cost breakdown, runner-up. */
  routing?: { attempt: number; decidedAt: string; explanation: string[] };
  /** Units sent back by the customer, each return once (see returns.ts). */
  returns?: OrderReturn[];
  /** An exchange order: the order and return it replaces units of. */
  exchangeFor?: { orderId: string; returnId: string };
  /**
   * Issue 17: when the order's release window is due (it waits in WAITING_RELEASE until then at the latest). Kept after
   * the release: an order that has waited once is never held again.
   */
  releaseAt?: string;
  /** Issue 17 step 3: each time the release moved this order's unaccepted shipments to save money, oldest first. */
  reoptimised?: Reoptimisation[];
  /** How many times the workflow has routed this order; names executions `${orderId}-${attempt}`. */
  attempt: number;
  /**
   * The run (execution id) that owns the current attempt. Express workflows start at least once and do not dedupe
   * names, so two runs of one attempt may exist: the first to record itself here routes, any other stops.
   */
  execution?: string;
  /**
   * The workflow runs that worked on this order, oldest first (at most MAX_RECORDED_RUNS): how the ops console finds
   * each execution's history. Recorded when a run takes an attempt and when a run's failure is recorded.
   */
  runs?: RecordedRun[];
  createdAt: string;
  updatedAt: string;
  version: number;
}

export class InvalidTransitionError extends Error {
  override readonly name = 'InvalidTransitionError';
  constructor(
    readonly from: OrderStatus,
    readonly to: OrderStatus,
  ) {
    super(`An order cannot go from ${from} to ${to}`);
  }
}

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** The order after a status change, with the change in its history. Throws when the lifecycle forbids it. */
export function transition(order: Order, to: OrderStatus, at: Date, reason?: string): Order {
  if (!canTransition(order.status, to)) throw new InvalidTransitionError(order.status, to);
  const change: StatusChange = { status: to, at: at.toISOString(), ...(reason ? { reason } : {}) };
  return {
    ...order,
    status: to,
    ...(reason ? { statusReason: reason } : { statusReason: undefined }),
    // Repeated ROUTING attempts are one history entry each, but the history stays bounded.
    history: [...order.history, change].slice(-100),
    updatedAt: change.at,
    version: order.version + 1,
  };
}

/** Units of each line cancelled line by line (expired or cancelled pickups). */
export function cancelledUnits(order: Pick<Order, 'cancelledLines'>): Map<string, number> {
  const units = new Map<string, number>();
  for (const c of order.cancelledLines ?? []) units.set(c.lineId, (units.get(c.lineId) ?? 0) + c.quantity);
  return units;
}

/** The status an order reaches once routing has reserved what it could. */
export function statusAfterAllocation(order: Pick<Order, 'lines' | 'cancelledLines'>, allocations: Allocation[]): 'ALLOCATED' | 'PARTIALLY_ALLOCATED' | 'BACKORDERED' {
  const cancelled = cancelledUnits(order);
  const wanted = order.lines.reduce((sum, line) => sum + line.quantity - (cancelled.get(line.lineId) ?? 0), 0);
  const got = allocations.reduce((sum, allocation) => sum + allocation.quantity, 0);
  if (got === 0) return 'BACKORDERED';
  return got >= wanted ? 'ALLOCATED' : 'PARTIALLY_ALLOCATED';
}

/** Units of each line not covered by the allocations (nor cancelled line by line). */
export function unallocatedLines(order: Pick<Order, 'lines' | 'cancelledLines'>, allocations: Allocation[]): Array<{ lineId: string; sku: string; quantity: number }> {
  const cancelled = cancelledUnits(order);
  return order.lines
    .map((line) => {
      const allocated = allocations.filter((a) => a.lineId === line.lineId).reduce((sum, a) => sum + a.quantity, 0);
      return { lineId: line.lineId, sku: line.sku, quantity: line.quantity - allocated - (cancelled.get(line.lineId) ?? 0) };
    })
    .filter((line) => line.quantity > 0);
}

export function isFinal(status: OrderStatus): boolean {
  return FINAL_STATUSES.has(status);
}

export interface OrderTotals {
  currency: string;
  /** Unit prices x quantities, over every line. */
  items: string;
  shipping: string;
  total: string;
}

/**
 * What the customer was charged, as decimal strings in the order's currency; undefined for an order placed without
 * prices. Summed in BigInt: 100 lines x 10,000 units x the largest price exceed 2^53 minor units.
 */
export function orderTotals(order: Pick<Order, 'lines' | 'currency' | 'shippingChargedMinor'>): OrderTotals | undefined {
  const { currency } = order;
  if (currency === undefined) return undefined;
  const priced = order.lines.map((line) => {
    if (line.unitPriceMinor === undefined) throw new RangeError(`line ${line.lineId} of a priced order has no unit price`);
    return { quantity: line.quantity, unitPriceMinor: line.unitPriceMinor };
  });
  const items = itemsTotalMinor(priced);
  const shipping = BigInt(order.shippingChargedMinor ?? 0);
  return { currency, items: formatMinor(items, currency), shipping: formatMinor(shipping, currency), total: formatMinor(items + shipping, currency) };
}
