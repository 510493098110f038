import { z } from 'zod';
import { orderEventData, shipmentEventData } from '#events/order-data';
import { OrderDelayed } from '#events/order-delayed';
import { ReturnReceived } from '#events/return-received';
import { PickedUp } from '#events/picked-up';
import { PickupExpired } from '#events/pickup-expired';
import { PickupReady } from '#events/pickup-ready';
import { PickupReminder } from '#events/pickup-reminder';
import { PickupRerouted } from '#events/pickup-rerouted';
import { addressLine, formatDateTimeIn, openingHoursLine } from './store-text.ts';

/**
 * Customer notifications for order status events, rendered as a subject and a plain-text body from the events the DOM
 * publishes (their schemas in events/): the merchant's order number (externalId), the customer's name, the items,
 * what was charged, the carrier, tracking number and link, and the promised date of a parcel.
 */
export const CUSTOMER_NOTIFICATION_EVENTS = [
  'OrderAccepted',
  'OrderAllocated',
  'OrderBackordered',
  'ShipmentShipped',
  'OrderDelivered',
  'OrderCancelled',
  'OrderDelayed',
  'ReturnReceived',
  'PickupReady',
  'PickupReminder',
  'PickedUp',
  'PickupExpired',
  'PickupRerouted',
] as const;

export type CustomerNotificationEvent = (typeof CUSTOMER_NOTIFICATION_EVENTS)[number];

/**
 * What each message reads, parsed with the event's own schema (one schema per concept): a message can only use what
 * the real events carry, and a change to an event that drops a field a message needs fails these types, not a
 * customer's inbox.
 */
const payloadSchemas = {
  OrderAccepted: orderEventData,
  OrderAllocated: orderEventData,
  OrderBackordered: orderEventData,
  OrderDelivered: orderEventData,
  OrderCancelled: orderEventData,
  ShipmentShipped: shipmentEventData,
  OrderDelayed: OrderDelayed.dataSchema,
  ReturnReceived: ReturnReceived.dataSchema,
  PickupReady: PickupReady.dataSchema,
  PickupReminder: PickupReminder.dataSchema,
  PickedUp: PickedUp.dataSchema,
  PickupExpired: PickupExpired.dataSchema,
  PickupRerouted: PickupRerouted.dataSchema,
} satisfies Record<CustomerNotificationEvent, z.ZodType>;

type Payload = z.infer<(typeof payloadSchemas)[CustomerNotificationEvent]>;

/** What a customer-notification subscription receives (the merchant's messaging gateway sends it on). */
export interface CustomerNotification {
  to: string;
  subject: string;
  text: string;
  orderId: string;
  eventType: CustomerNotificationEvent;
}

interface Rendered {
  subject: string;
  lines: string[];
}

const templates: Record<CustomerNotificationEvent, (d: Facts) => Rendered> = {
  OrderAccepted: (d) => ({
    subject: `We have received your order ${d.ref}`,
    lines: [`Thank you for your order ${d.ref}. We are getting it ready.`, ...d.items, ...d.charged],
  }),
  OrderAllocated: (d) => ({
    subject: `Your order ${d.ref} is being prepared`,
    lines: [`Good news: every item of your order ${d.ref} is reserved and being prepared for shipping.`, 'We will send you the tracking details when it ships.'],
  }),
  OrderBackordered: (d) => ({
    subject: `Part of your order ${d.ref} is on backorder`,
    lines: [`Some items of your order ${d.ref} are not in stock right now. We will ship them as soon as they arrive.`, ...d.backordered],
  }),
  ShipmentShipped: (d) => ({
    subject: `Your order ${d.ref} has shipped`,
    lines: [`${d.parcelItems ? `${d.parcelItems} of your order ${d.ref}` : `Your order ${d.ref}`} ${d.parcelItems === '1 item' ? 'is' : 'are'} on the way.`, ...d.tracking, ...d.promise('Estimated delivery:')],
  }),
  OrderDelivered: (d) => ({
    subject: `Your order ${d.ref} was delivered`,
    lines: [`Your order ${d.ref} was delivered. We hope you enjoy it.`],
  }),
  OrderCancelled: (d) => ({
    subject: `Your order ${d.ref} was cancelled`,
    lines: [
      `Your order ${d.ref} was cancelled.`,
      ...(d.reason ? [`Reason: ${d.reason}`] : []),
      d.total ? `The ${d.total} you were charged will be refunded.` : 'If you were charged, the amount will be refunded.',
    ],
  }),
  ReturnReceived: (d) => ({
    subject: `We received your return for order ${d.ref}`,
    lines: [`We received the items you sent back from your order ${d.ref}:`, ...d.returned, d.refund ?? 'If a refund is due, it is on its way.'],
  }),
  PickupReady: (d) => ({
    subject: `Your order ${d.ref} is ready for ${d.pickup?.curbside ? 'curbside pickup' : 'pickup'}`,
    lines: [
      `${d.parcelItems ? `${d.parcelItems} of your order ${d.ref}` : `Your order ${d.ref}`} ${d.parcelItems === '1 item' ? 'is' : 'are'} ready at ${d.pickup?.store ?? 'the store'}.`,
      ...(d.pickup?.storeDetails ?? []),
      ...(d.pickup?.code ? [`Your pickup code: ${d.pickup.code}`] : []),
      ...(d.pickup?.curbside ? ['When you arrive, tell the store your parking bay and we will bring it out.'] : []),
      ...(d.pickup?.until ? [`We hold it for you until ${d.pickup.until}.`] : []),
    ],
  }),
  PickupReminder: (d) => ({
    subject: `Your order ${d.ref} is waiting for you`,
    lines: [`A reminder: your order ${d.ref} is waiting for you at ${d.pickup?.store ?? 'the store'}.`, ...(d.pickup?.storeDetails ?? []), ...(d.pickup?.until ? [`We hold it until ${d.pickup.until}; after that it is cancelled and refunded.`] : [])],
  }),
  PickedUp: (d) => ({
    subject: `You picked up your order ${d.ref}`,
    lines: [`You picked up your order ${d.ref} at ${d.pickup?.store ?? 'the store'}. We hope you enjoy it.`],
  }),
  PickupExpired: (d) => ({
    subject: `Your pickup of order ${d.ref} was cancelled`,
    lines: [`Your order ${d.ref} was not collected at ${d.pickup?.store ?? 'the store'} in time, so we cancelled the pickup.`, 'What you paid for it will be refunded.'],
  }),
  PickupRerouted: (d) => ({
    subject: `A change to the pickup of your order ${d.ref}`,
    lines: [
      `${d.reroute?.from ?? 'The store'} cannot prepare your order ${d.ref}.`,
      d.reroute?.fallback === 'ship'
        ? 'We will ship it to your address instead, and send you the tracking details.'
        : d.reroute?.fallback === 'cancel'
          ? 'We cancelled that part of your order; what you paid for it will be refunded.'
          : 'We are moving it to the nearest store that has it, and will tell you when and where it is ready.',
    ],
  }),
  OrderDelayed: (d) => ({
    subject: `Your order ${d.ref} is delayed`,
    lines: [
      `We are sorry: your order ${d.ref} will arrive later than we said.`,
      ...(d.previousDate ? [`Previously expected: ${d.previousDate}`] : []),
      'We will let you know the new delivery date as soon as we have it.',
      ...(d.reason ? [`Reason: ${d.reason}`] : []),
    ],
  }),
};

interface Facts {
  ref: string;
  promisedDate: string | undefined;
  previousDate: string | undefined;
  reason: string | undefined;
  /** "2 items" in the shipment, when the event is a shipment's. */
  parcelItems: string | undefined;
  tracking: string[];
  items: string[];
  backordered: string[];
  returned: string[];
  /** The refund a received return records (ReturnReceived 1.1), in words, when something is paid back. */
  refund: string | undefined;
  /** "54.93 USD", when the order was placed with prices. */
  total: string | undefined;
  charged: string[];
  promise(lead: string): string[];
  /**
   * A pickup's store (its name; its address and hours, when the event carries them, as lines), code (PickupReady only)
   * and hold, in words: the hold's end in the store's zone when it is known.
   */
  pickup: { store: string; storeDetails: string[]; code?: string; until?: string; curbside: boolean } | undefined;
  /** A pickup its store could not take: which store, and what the order's fallback does. */
  reroute: { from: string; fallback: string } | undefined;
}

export function hasCustomerTemplate(eventType: string): eventType is CustomerNotificationEvent {
  return (CUSTOMER_NOTIFICATION_EVENTS as readonly string[]).includes(eventType);
}

/**
 * The customer's message for an order status event, or undefined when the event has no template, its data does not
 * carry an order id, or there is no customer e-mail address to send to.
 */
export function renderCustomerNotification(eventType: string, data: unknown): CustomerNotification | undefined {
  if (!hasCustomerTemplate(eventType)) return undefined;
  const parsed = payloadSchemas[eventType].safeParse(data);
  if (!parsed.success) return undefined;
  const payload = parsed.data;
  const to = payload.customer?.email?.trim();
  if (!to || !z.email().safeParse(to).success) return undefined;
  const rendered = templates[eventType](factsOf(payload));
  const name = oneLine(payload.customer?.name ?? '');
  const text = [name ? `Hi ${name},` : 'Hello,', '', ...rendered.lines, '', 'Thank you for shopping with us.', ''].join('\n');
  return { to, subject: oneLine(rendered.subject), text, orderId: payload.orderId, eventType };
}

const units = (n: number) => `${n} ${n === 1 ? 'item' : 'items'}`;
const lineText = (line: { sku: string; quantity: number }) => `- ${oneLine(line.sku)} x ${line.quantity}`;

function factsOf(payload: Payload): Facts {
  const quote = 'quote' in payload ? payload.quote : undefined;
  const tracking = 'tracking' in payload ? payload.tracking : undefined;
  const promisedDate = formatDate(quote?.promisedDeliveryDate);
  const carrier = tracking?.carrier ?? quote?.carrier;
  const trackingLines = tracking
    ? [
        `Shipment: ${[carrier, `tracking number ${tracking.trackingNumber}`].filter(Boolean).map((part) => oneLine(part!)).join(', ')}`,
        ...(tracking.url ? [`Track it: ${oneLine(tracking.url)}`] : []),
      ]
    : carrier
      ? [`Carrier: ${oneLine(carrier)}`]
      : [];
  const totals = 'totals' in payload ? payload.totals : undefined;
  const total = totals ? `${totals.total} ${totals.currency}` : undefined;
  const isShipment = 'shipmentId' in payload && 'lines' in payload && 'fulfillment' in payload;
  return {
    ref: oneLine(('externalId' in payload && payload.externalId) || payload.orderId),
    promisedDate,
    previousDate: formatDate('previousPromisedDeliveryDate' in payload ? payload.previousPromisedDeliveryDate : undefined),
    reason: 'reason' in payload && payload.reason ? oneLine(payload.reason) : undefined,
    parcelItems: isShipment ? units(payload.lines.reduce((sum, line) => sum + line.quantity, 0)) : undefined,
    tracking: trackingLines,
    items: !isShipment && 'lines' in payload && payload.lines && !('returnId' in payload) ? payload.lines.map(lineText) : [],
    backordered: 'backorderedLines' in payload ? payload.backorderedLines.map(lineText) : [],
    returned: 'returnId' in payload ? payload.lines.map(lineText) : [],
    refund: 'refund' in payload && payload.refund && /[1-9]/.test(payload.refund.total) ? refundText(payload.refund) : undefined,
    total,
    charged: totals ? [`Total charged: ${totals.total} ${totals.currency} (shipping ${totals.shipping}).`] : [],
    promise: (lead) => (promisedDate ? [`${lead} ${promisedDate}.`] : []),
    pickup: 'pickup' in payload && 'locationId' in payload ? pickupFacts(payload) : undefined,
    reroute: 'fromLocationId' in payload ? { from: oneLine(payload.fromStore?.name || payload.fromLocationId), fallback: payload.fallback } : undefined,
  };
}

type PickupPayload = z.infer<typeof PickupReady.dataSchema> | z.infer<typeof PickupReminder.dataSchema>;

/** The store by name (its id when the event predates 1.1), its address and hours as lines, the hold in its zone. */
function pickupFacts(payload: PickupPayload): NonNullable<Facts['pickup']> {
  const store = payload.store;
  const address = addressLine(store?.address);
  const hours = store ? openingHoursLine(store) : undefined;
  const until = formatDateTimeIn(payload.pickup.expiresAt, store?.timeZone);
  return {
    store: oneLine(store?.name || payload.locationId),
    storeDetails: [...(address ? [`Address: ${address}`] : []), ...(hours ? [oneLine(hours)] : [])],
    ...('code' in payload.pickup ? { code: oneLine(payload.pickup.code) } : {}),
    ...(until ? { until } : {}),
    curbside: payload.fulfillment === 'curbside',
  };
}

function refundText(refund: { total: string; currency: string; refundTo: 'original' | 'store-credit' }): string {
  const to = refund.refundTo === 'store-credit' ? 'as store credit' : 'to your original payment method';
  return `A refund of ${oneLine(refund.total)} ${oneLine(refund.currency)} is on its way ${to}.`;
}

const dateFormat = new Intl.DateTimeFormat('en-US', { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });

/** `2026-12-03` or an ISO timestamp as `Thursday, December 3, 2026`; anything else is shown as given. */
export function formatDate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const time = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  return Number.isNaN(time) ? oneLine(value) : dateFormat.format(new Date(time));
}

/** Data from events ends up in mail headers: no line breaks or control characters, bounded length. */
function oneLine(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 200);
}
