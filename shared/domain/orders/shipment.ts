import type { PickupStore } from '../inventory/location.ts';
import type { Actor } from '../tenants/api-keys.ts';

/**
 * A shipment: the units one location sends in one parcel, with its carrier service, cost, promise and carbon. Its
 * lifecycle is driven by the location (accept / reject) and the carrier (ship / deliver). A pickup or curbside
 * shipment is handed over at the store instead: READY_FOR_PICKUP (a pickup code is issued), for curbside
 * CUSTOMER_ARRIVED (bay and vehicle), then PICKED_UP once the customer shows the code; one not collected within the
 * store's hold EXPIRED (its units go back, its lines are cancelled and refunded).
 */
export const SHIPMENT_STATUSES = ['REQUESTED', 'ACCEPTED', 'REJECTED', 'SHIPPED', 'DELIVERED', 'READY_FOR_PICKUP', 'CUSTOMER_ARRIVED', 'PICKED_UP', 'EXPIRED', 'CANCELLED'] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];
export type ShipmentAction = 'accept' | 'reject' | 'ship' | 'deliver' | 'ready' | 'arrive' | 'pick-up' | 'expire' | 'cancel';

const NEXT: Record<ShipmentAction, { from: readonly ShipmentStatus[]; to: ShipmentStatus }> = {
  accept: { from: ['REQUESTED'], to: 'ACCEPTED' },
  reject: { from: ['REQUESTED', 'ACCEPTED'], to: 'REJECTED' },
  // A location may ship without accepting first (many WMSs only report the ship event).
  ship: { from: ['REQUESTED', 'ACCEPTED'], to: 'SHIPPED' },
  deliver: { from: ['SHIPPED'], to: 'DELIVERED' },
  // A store may report a pickup ready without accepting it first, as a warehouse may ship.
  ready: { from: ['REQUESTED', 'ACCEPTED'], to: 'READY_FOR_PICKUP' },
  arrive: { from: ['READY_FOR_PICKUP'], to: 'CUSTOMER_ARRIVED' },
  'pick-up': { from: ['READY_FOR_PICKUP', 'CUSTOMER_ARRIVED'], to: 'PICKED_UP' },
  expire: { from: ['READY_FOR_PICKUP', 'CUSTOMER_ARRIVED'], to: 'EXPIRED' },
  cancel: { from: ['REQUESTED', 'ACCEPTED', 'READY_FOR_PICKUP', 'CUSTOMER_ARRIVED'], to: 'CANCELLED' },
};

const PAST_TENSE: Record<ShipmentAction, string> = {
  accept: 'accepted',
  reject: 'rejected',
  ship: 'shipped',
  deliver: 'delivered',
  ready: 'made ready for pickup',
  arrive: 'marked as the customer arrived',
  'pick-up': 'picked up',
  expire: 'expired',
  cancel: 'cancelled',
};

/** Actions that only a pickup or curbside shipment takes (`arrive`: curbside only). */
const PICKUP_ONLY: ReadonlySet<ShipmentAction> = new Set(['ready', 'arrive', 'pick-up', 'expire']);

/** How long a store holds a ready pickup when its location sets no `pickupHoldDays`. */
export const DEFAULT_PICKUP_HOLD_DAYS = 5;
/** Wrong pickup codes a shipment takes before it refuses every code until the store issues a new one. */
export const MAX_PICKUP_CODE_ATTEMPTS = 5;

/** A pickup's hand-over at the store: its code, its hold, the customer's arrival (curbside) and the wrong codes tried. */
export interface PickupState {
  /** Shown by the customer at the counter or the car; sent to the customer in PickupReady, never in a shipment view. */
  code: string;
  readyAt: string;
  /** Halfway through the hold: the customer is reminded once. */
  remindAt: string;
  remindedAt?: string;
  /** The end of the hold: an uncollected pickup expires (its units go back on hand, its lines are refunded). */
  expiresAt: string;
  /** Wrong codes presented since the code was issued. */
  failedAttempts: number;
  arrival?: { at: string; bay?: string; vehicle?: string };
  pickedUpAt?: string;
}

export interface ShipmentQuote {
  carrier: string;
  service: string;
  /** What the carrier charges the merchant. */
  cost: number;
  /** What the customer pays for shipping (less than `cost` when a VIP upgrade is on the merchant). */
  chargedToCustomer?: number;
  promisedDeliveryDate: string;
  /** A pickup's promise to the minute: when the store will have it ready (from its opening hours and handling). */
  readyBy?: string;
  co2Grams: number;
  upgraded?: boolean;
}

export interface Shipment {
  tenantId: string;
  orderId: string;
  shipmentId: string;
  locationId: string;
  fulfillment: 'ship' | 'pickup' | 'curbside';
  lines: Array<{ lineId: string; sku: string; quantity: number }>;
  /** The reservation holding this shipment's units; committed on ship, released on reject or cancel. */
  reservationId: string;
  /**
   * Set by the store when the reservation took units from shards of a sharded location+SKU (docs/inventory.md): the
   * reservation item then says which shards, and finishing it reads them. Not part of any answer or event.
   */
  stockShards?: boolean;
  /** Copied from the order, so shipment events can notify the customer without a read back. */
  customer?: { id?: string; email?: string; name?: string; tier: 'standard' | 'vip' };
  /** The merchant's order reference, copied from the order for the same reason. */
  externalId?: string;
  quote?: ShipmentQuote;
  tracking?: { carrier?: string; trackingNumber: string; url?: string };
  /**
   * While REQUESTED: the time by which the location must accept (or ship) it, after which it is taken away and its
   * lines routed elsewhere. Set from the location's type when the shipment is requested.
   */
  acceptBy?: string;
  /** The store's hold in days, copied from its location when the shipment was requested (default 5). */
  pickupHoldDays?: number;
  /**
   * A pickup's store as its customer is told (name, address, zone, hours): copied from the location when the shipment
   * was requested, and again when the store makes it ready. Every pickup event carries it.
   */
  store?: PickupStore;
  /** A pickup or curbside shipment once ready: see PickupState. */
  pickup?: PickupState;
  /** Set once, when the promised delivery date passed with the parcel not delivered (the customer was told). */
  delayed?: { at: string; previousPromisedDeliveryDate: string; reason: string };
  /**
   * Issue 17: shipments of one customer's orders (same address) released in one window from one location travel as ONE
   * parcel: each lists the parcel's shipments; the lead carries the parcel's carrier quote, the others a quote of 0.
   */
  parcel?: { parcelId: string; shipmentIds: string[]; orderIds: string[]; lead: boolean };
  /**
   * A pickup at a store with `pickupSlotsPerDay`: the store's local day whose slot it holds (taken in the allocation's
   * transaction, given back in the transaction that releases its reservation).
   */
  pickupSlot?: { day: string };
  status: ShipmentStatus;
  /** Each status with when, why and, for a report over the API, which API key made it (`by`). */
  history: Array<{ status: ShipmentStatus; at: string; reason?: string; by?: Actor }>;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export class InvalidShipmentActionError extends Error {
  override readonly name = 'InvalidShipmentActionError';
  constructor(
    readonly action: ShipmentAction,
    readonly status: ShipmentStatus,
    detail?: string,
  ) {
    super(detail ?? `A ${status.toLowerCase().replaceAll('_', ' ')} shipment cannot be ${PAST_TENSE[action]}`);
  }
}

/** `true` when the action was already applied (an idempotent retry); throws when it cannot apply. */
export function isRepeat(shipment: Shipment, action: ShipmentAction): boolean {
  return shipment.status === NEXT[action].to;
}

/** A pickup action on a parcel, or curbside arrival on a plain pickup: refused whatever the status. */
function checkFulfillment(shipment: Shipment, action: ShipmentAction): void {
  if (PICKUP_ONLY.has(action) && shipment.fulfillment === 'ship') {
    throw new InvalidShipmentActionError(action, shipment.status, `A parcel shipment cannot be ${PAST_TENSE[action]}: it is not a pickup`);
  }
  if (action === 'arrive' && shipment.fulfillment !== 'curbside') {
    throw new InvalidShipmentActionError(action, shipment.status, 'Only a curbside pickup records the customer\'s arrival');
  }
}

export function applyShipmentAction(
  shipment: Shipment,
  action: ShipmentAction,
  at: Date,
  extra: { reason?: string; tracking?: Shipment['tracking']; by?: Actor; pickup?: PickupState } = {},
): Shipment {
  const rule = NEXT[action];
  checkFulfillment(shipment, action);
  if (!rule.from.includes(shipment.status)) throw new InvalidShipmentActionError(action, shipment.status);
  const when = at.toISOString();
  return {
    ...shipment,
    status: rule.to,
    ...(extra.tracking ? { tracking: extra.tracking } : {}),
    ...(extra.pickup ? { pickup: extra.pickup } : {}),
    history: [...shipment.history, { status: rule.to, at: when, ...(extra.reason ? { reason: extra.reason } : {}), ...(extra.by ? { by: extra.by } : {}) }],
    updatedAt: when,
    version: shipment.version + 1,
  };
}

/**
 * `${orderId}-S${attempt}-${round}-${n}`: a shipment id names its order, so a location's call finds it with one key,
 * and is unique per routing attempt and round, so it can double as the idempotency key of its reservation.
 */
export function shipmentId(orderId: string, attempt: number, round: number, index: number): string {
  return `${orderId}-S${attempt}-${round}-${index + 1}`;
}

export function orderIdOfShipment(id: string): string | undefined {
  const match = /^(o_[a-z0-9]+)-S\d+-\d+-\d+$/.exec(id);
  return match?.[1];
}

/**
 * A ready pickup's hold, from the moment it was made ready: the reminder halfway, the expiry at the end. `code` is the
 * one the store hands the customer (generated outside the domain).
 */
export function pickupHold(readyAt: Date, holdDays: number | undefined, code: string): PickupState {
  const holdMs = (holdDays ?? DEFAULT_PICKUP_HOLD_DAYS) * 86_400_000;
  return {
    code,
    readyAt: readyAt.toISOString(),
    remindAt: new Date(readyAt.getTime() + holdMs / 2).toISOString(),
    expiresAt: new Date(readyAt.getTime() + holdMs).toISOString(),
    failedAttempts: 0,
  };
}

/** Where a ready pickup's hold stands at `now`: nothing due, the reminder due, or the expiry due. */
export function pickupHoldDue(shipment: Shipment, now: Date): 'nothing' | 'remind' | 'expire' {
  const pickup = shipment.pickup;
  if (!pickup || (shipment.status !== 'READY_FOR_PICKUP' && shipment.status !== 'CUSTOMER_ARRIVED')) return 'nothing';
  const at = now.toISOString();
  if (pickup.expiresAt <= at) return 'expire';
  if (!pickup.remindedAt && pickup.remindAt <= at) return 'remind';
  return 'nothing';
}

/** The ready pickup with its reminder recorded (once), a version step. */
export function markReminded(shipment: Shipment, now: Date): Shipment {
  const at = now.toISOString();
  return { ...shipment, pickup: { ...shipment.pickup!, remindedAt: at }, updatedAt: at, version: shipment.version + 1 };
}

/** Shipments still on their way to the customer: a promise is being kept or broken. */
const OPEN: ReadonlySet<ShipmentStatus> = new Set(['REQUESTED', 'ACCEPTED', 'SHIPPED']);

/** The UTC calendar date of an instant, `YYYY-MM-DD`, the form promised dates take. */
export const calendarDate = (at: Date): string => at.toISOString().slice(0, 10);

/**
 * The date by which an open shipment, not yet reported late, must be delivered; undefined when none applies. The
 * promise is broken once that whole day has passed.
 */
export function promiseToWatch(shipment: Shipment): string | undefined {
  if (!OPEN.has(shipment.status) || shipment.delayed) return undefined;
  return shipment.quote?.promisedDeliveryDate;
}

export function isLate(shipment: Shipment, now: Date): boolean {
  const promised = promiseToWatch(shipment);
  return promised !== undefined && promised < calendarDate(now);
}

/** The shipment marked late, once: the reason says what has not happened yet. */
export function markDelayed(shipment: Shipment, now: Date): Shipment {
  const promised = promiseToWatch(shipment);
  if (promised === undefined || !isLate(shipment, now)) throw new Error(`Shipment ${shipment.shipmentId} is not late`);
  const what = shipment.status === 'SHIPPED' ? 'not delivered' : 'not shipped yet';
  const at = now.toISOString();
  return {
    ...shipment,
    delayed: { at, previousPromisedDeliveryDate: promised, reason: `${what}; it was promised for ${promised}` },
    updatedAt: at,
    version: shipment.version + 1,
  };
}

/**
 * How long a location has to accept a requested shipment before it is re-routed: a store picks from its shop floor
 * between customers, so it gets a few hours; warehouses and 3PLs work in daily waves; a drop-shipper is another
 * company's system, polled or mailed.
 */
export const ACCEPTANCE_HOURS: Readonly<Record<string, number>> = { store: 4, warehouse: 24, '3pl': 24, dropship: 48 };
const DEFAULT_ACCEPTANCE_HOURS = 24;

/**
 * When a shipment requested at `requestedAt` must have been accepted: after the location's own window (`PUT
 * /locations/{id}` `acceptanceHours`) or the default of its type.
 */
export function acceptByFor(locationType: string, requestedAt: Date, ownHours?: number): string {
  const hours = ownHours ?? ACCEPTANCE_HOURS[locationType] ?? DEFAULT_ACCEPTANCE_HOURS;
  return new Date(requestedAt.getTime() + hours * 3_600_000).toISOString();
}

/** The acceptance deadline that still applies: a shipment's `acceptBy` while it is REQUESTED, else none. */
export function pendingAcceptBy(shipment: Shipment): string | undefined {
  return shipment.status === 'REQUESTED' ? shipment.acceptBy : undefined;
}

/** A requested shipment its location did not accept in time. */
export function isAcceptanceOverdue(shipment: Shipment, now: Date): boolean {
  const deadline = pendingAcceptBy(shipment);
  return deadline !== undefined && deadline <= now.toISOString();
}

/**
 * The next instant the scheduled check must look at a shipment, or undefined when nothing is watched: its acceptance
 * deadline while it is requested, and the end of its promised delivery day while the promise is watched.
 */
export function nextCheckAt(shipment: Shipment): string | undefined {
  const hold = pickupHoldCheckAt(shipment);
  if (hold) return hold;
  const promised = promiseToWatch(shipment);
  const promiseBroken = promised ? new Date(Date.parse(`${promised}T00:00:00.000Z`) + 86_400_000).toISOString() : undefined;
  const acceptance = pendingAcceptBy(shipment);
  if (acceptance && promiseBroken) return acceptance < promiseBroken ? acceptance : promiseBroken;
  return acceptance ?? promiseBroken;
}


/** A ready pickup's next hold instant: its reminder until sent, then its expiry. */
function pickupHoldCheckAt(shipment: Shipment): string | undefined {
  const pickup = shipment.pickup;
  if (!pickup || (shipment.status !== 'READY_FOR_PICKUP' && shipment.status !== 'CUSTOMER_ARRIVED')) return undefined;
  return pickup.remindedAt ? pickup.expiresAt : pickup.remindAt;
}
