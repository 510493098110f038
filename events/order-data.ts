import { z } from 'zod';

/** The customer of an order, as intake took it (`name` for the messages they get). */
export const customerSchema = z.object({ id: z.string().optional(), email: z.string().optional(), name: z.string().optional(), tier: z.string() });

/** The data every order status event carries: enough for a webhook consumer or a notification without a read back. */
export const orderEventData = z.object({
  orderId: z.string(),
  status: z.string(),
  previousStatus: z.string().optional(),
  reason: z.string().optional(),
  channel: z.string(),
  externalId: z.string().optional(),
  customer: customerSchema,
  attempt: z.number().int(),
  /** What was ordered (the fulfilment workflow reads the SKUs' stock together with the order, in one read). */
  lines: z.array(z.object({ lineId: z.string(), sku: z.string(), quantity: z.number().int(), unitPrice: z.string().optional() })).optional(),
  /**
   * The order's money, when it was placed with prices: decimal strings in `currency` (ISO 4217), as the API shows
   * them; `totals` is what the customer was charged (items = unit prices x quantities, plus shipping).
   */
  currency: z.string().optional(),
  shippingCharged: z.string().optional(),
  totals: z.object({ currency: z.string(), items: z.string(), shipping: z.string(), total: z.string() }).optional(),
  allocations: z.array(z.object({ lineId: z.string(), sku: z.string(), locationId: z.string(), quantity: z.number().int() })),
  backorderedLines: z.array(z.object({ lineId: z.string(), sku: z.string(), quantity: z.number().int() })),
});

/** A shipment's carrier quote: service, cost, promise and carbon. */
export const quoteSchema = z.object({
  carrier: z.string(),
  service: z.string(),
  cost: z.number(),
  chargedToCustomer: z.number().optional(),
  promisedDeliveryDate: z.string(),
  /** A pickup's promise to the minute (since 1.1): when the store will have it ready, from its opening hours. */
  readyBy: z.string().optional(),
  co2Grams: z.number(),
  upgraded: z.boolean().optional(),
});

/** The API key that made a change (a store's, a 3PL's, or the tenant's admin key `admin`). */
export const actorSchema = z.object({ keyId: z.string(), keyName: z.string().optional() });

/** The data every shipment event carries. */
export const shipmentEventData = z.object({
  orderId: z.string(),
  shipmentId: z.string(),
  locationId: z.string(),
  status: z.string(),
  fulfillment: z.string(),
  lines: z.array(z.object({ lineId: z.string(), sku: z.string(), quantity: z.number().int() })),
  quote: quoteSchema.optional(),
  /** While REQUESTED: the time by which the location must accept the shipment, or it is routed elsewhere. */
  acceptBy: z.string().optional(),
  tracking: z.object({ carrier: z.string().optional(), trackingNumber: z.string(), url: z.string().optional() }).optional(),
  reason: z.string().optional(),
  customer: customerSchema.optional(),
  /** The merchant's order reference (the order's externalId), when it has one. */
  externalId: z.string().optional(),
  /** The API key that reported this status (since 1.1; absent for the DOM's own changes: requests, cancellations). */
  by: actorSchema.optional(),
});
