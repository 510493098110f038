import { z } from 'zod';

/**
 * Customer notifications for order status events, rendered as a subject and a plain-text body. The order events are
 * defined by the orders module; their `data` is read loosely here (only what a message needs, everything optional but
 * the order id), so a richer event still renders and a leaner one falls back to neutral wording.
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
] as const;

export type CustomerNotificationEvent = (typeof CUSTOMER_NOTIFICATION_EVENTS)[number];

const dateText = z.string().min(1);

export const orderStatusDataSchema = z.looseObject({
  orderId: z.string().min(1),
  /** The merchant's own order reference, shown to the customer when present. */
  orderNumber: z.string().min(1).optional(),
  customer: z.looseObject({ email: z.string().optional(), name: z.string().optional() }).optional(),
  promisedDeliveryDate: dateText.optional(),
  previousPromisedDeliveryDate: dateText.optional(),
  reason: z.string().optional(),
  shipments: z
    .array(
      z.looseObject({
        carrier: z.string().optional(),
        trackingNumber: z.string().optional(),
        trackingUrl: z.string().optional(),
        estimatedDeliveryDate: dateText.optional(),
      }),
    )
    .optional(),
  backorderedLines: z.array(z.looseObject({ sku: z.string().optional(), name: z.string().optional(), quantity: z.number().optional() })).optional(),
});

export type OrderStatusData = z.infer<typeof orderStatusDataSchema>;

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
    lines: [`Thank you for your order ${d.ref}. We are getting it ready.`, ...d.promise('We expect to deliver it by')],
  }),
  OrderAllocated: (d) => ({
    subject: `Your order ${d.ref} is being prepared`,
    lines: [`Good news: every item of your order ${d.ref} is reserved and being prepared for shipping.`, ...d.promise('We expect to deliver it by')],
  }),
  OrderBackordered: (d) => ({
    subject: `Part of your order ${d.ref} is on backorder`,
    lines: [
      `Some items of your order ${d.ref} are not in stock right now. We will ship them as soon as they arrive.`,
      ...d.backordered,
      ...d.promise('Our current estimate for delivery is'),
    ],
  }),
  ShipmentShipped: (d) => ({
    subject: `Your order ${d.ref} has shipped`,
    lines: [`Your order ${d.ref} is on its way.`, ...d.tracking, ...d.promise('Estimated delivery:')],
  }),
  OrderDelivered: (d) => ({
    subject: `Your order ${d.ref} was delivered`,
    lines: [`Your order ${d.ref} was delivered. We hope you enjoy it.`],
  }),
  OrderCancelled: (d) => ({
    subject: `Your order ${d.ref} was cancelled`,
    lines: [`Your order ${d.ref} was cancelled.`, ...(d.reason ? [`Reason: ${d.reason}`] : []), 'If you were charged, the amount will be refunded.'],
  }),
  ReturnReceived: (d) => ({
    subject: `We received your return for order ${d.ref}`,
    lines: [`We received the items you sent back from your order ${d.ref}.`, 'If a refund is due, it is on its way.'],
  }),
  OrderDelayed: (d) => ({
    subject: `Your order ${d.ref} is delayed`,
    lines: [
      `We are sorry: your order ${d.ref} will arrive later than we said.`,
      ...(d.previousDate ? [`Previously expected: ${d.previousDate}`] : []),
      ...(d.promisedDate ? [`Now expected: ${d.promisedDate}`] : ['We will let you know the new delivery date as soon as we have it.']),
      ...(d.reason ? [`Reason: ${d.reason}`] : []),
    ],
  }),
};

interface Facts {
  ref: string;
  promisedDate: string | undefined;
  previousDate: string | undefined;
  reason: string | undefined;
  tracking: string[];
  backordered: string[];
  promise(lead: string): string[];
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
  const parsed = orderStatusDataSchema.safeParse(data);
  if (!parsed.success) return undefined;
  const order = parsed.data;
  const to = order.customer?.email?.trim();
  if (!to || !z.email().safeParse(to).success) return undefined;
  const facts = factsOf(order);
  const rendered = templates[eventType](facts);
  const name = oneLine(order.customer?.name ?? '');
  const text = [name ? `Hi ${name},` : 'Hello,', '', ...rendered.lines, '', 'Thank you for shopping with us.', ''].join('\n');
  return { to, subject: oneLine(rendered.subject), text, orderId: order.orderId, eventType };
}

function factsOf(order: OrderStatusData): Facts {
  const promisedDate = formatDate(order.promisedDeliveryDate ?? order.shipments?.find((s) => s.estimatedDeliveryDate)?.estimatedDeliveryDate);
  const tracking = (order.shipments ?? []).flatMap((shipment) => {
    const parts = [shipment.carrier, shipment.trackingNumber && `tracking number ${shipment.trackingNumber}`].filter(Boolean).map(String);
    const line = parts.length ? `Shipment: ${parts.map(oneLine).join(', ')}` : undefined;
    return [line, shipment.trackingUrl && `Track it: ${oneLine(shipment.trackingUrl)}`].filter((l): l is string => Boolean(l));
  });
  const backordered = (order.backorderedLines ?? []).map(
    (line) => `- ${oneLine(line.name ?? line.sku ?? 'item')}${line.quantity !== undefined ? ` (x${line.quantity})` : ''}`,
  );
  return {
    ref: oneLine(order.orderNumber ?? order.orderId),
    promisedDate,
    previousDate: formatDate(order.previousPromisedDeliveryDate),
    reason: order.reason ? oneLine(order.reason) : undefined,
    tracking,
    backordered,
    promise: (lead) => (promisedDate ? [`${lead} ${promisedDate}.`] : []),
  };
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
