import { z } from 'zod';
import { lineIdSchema, locationIdSchema, MAX_LINES, MAX_UNITS_PER_LINE, returnIdSchema, skuSchema } from '#domain/orders/intake';
import { ORDER_STATUSES, PICKUP_FALLBACKS } from '#domain/orders/order';
import { SHIPMENT_STATUSES } from '#domain/orders/shipment';
import { actorSchema, quoteSchema } from '#events/order-data';

/** Request and response schemas of the order and shipment routes (operations.ts lists the routes). */

export const orderPathSchema = z.strictObject({ orderId: z.string().regex(/^o_[a-z0-9]{10,40}$/, 'must be an order id (o_...)') });
export const shipmentPathSchema = z.strictObject({ shipmentId: z.string().regex(/^o_[a-z0-9]{10,40}-S\d+-\d+-\d+$/, 'must be a shipment id (o_...-S1-1-1)') });

export const listOrdersQuerySchema = z.strictObject({
  status: z.enum(ORDER_STATUSES).optional(),
  q: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(254, 'must be at most 254 characters')
    .optional()
    .describe('Find orders by order id, external id, customer id or customer email (exact match; an email in any case). A page may hold fewer than `limit` orders while `nextCursor` is set'),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2048).optional(),
});

export const locationShipmentsQuerySchema = z.strictObject({
  status: z.enum(SHIPMENT_STATUSES).optional().describe('Only shipments in this status: REQUESTED is the pick list'),
  limit: z.coerce.number().int('must be an integer').min(1, 'must be >= 1').max(100, 'must be <= 100').default(50),
  cursor: z.string().max(2048, 'must be at most 2048 characters').optional().describe('The `nextCursor` of the previous page'),
});

export const idempotencyKeySchema = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

export const shipmentReportSchema = z
  .strictObject({
    reason: z.string().trim().max(500, 'must be at most 500 characters').optional(),
    tracking: z
      .strictObject({
        carrier: z.string().max(64).optional(),
        trackingNumber: z.string().min(1).max(64),
        url: z.url().max(2048).optional(),
      })
      .optional(),
  })
  .meta({ id: 'ShipmentReport' });

const pickupNote = z.string().trim().max(500, 'must be at most 500 characters');

/** POST /shipments/{id}/ready: the store has the units at the counter; `reissueCode` on a ready pickup issues a new code. */
export const pickupReadySchema = z
  .strictObject({
    reason: pickupNote.optional(),
    reissueCode: z.boolean({ error: 'must be true or false' }).optional().describe('A ready pickup: issue a new code (the old one stops working, wrong tries start again)'),
  })
  .meta({ id: 'PickupReady' });

/** POST /shipments/{id}/arrived: a curbside customer is at the store. */
export const pickupArrivedSchema = z
  .strictObject({
    bay: z.string().trim().min(1, 'must not be empty').max(32, 'must be at most 32 characters').optional().describe('Where the car waits, e.g. "3"'),
    vehicle: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional().describe('What to look for, e.g. "blue Civic, NY ABC-1234"'),
    reason: pickupNote.optional(),
  })
  .meta({ id: 'PickupArrival' });

/** POST /shipments/{id}/picked-up: the customer shows the pickup code. */
export const pickedUpSchema = z
  .strictObject({
    code: z.string({ error: 'is required: the pickup code the customer shows' }).trim().min(1, 'must not be empty').max(32, 'must be at most 32 characters'),
    reason: pickupNote.optional(),
  })
  .meta({ id: 'PickupHandOver' });

export const cancelOrderSchema = z.strictObject({ reason: z.string().trim().max(500, 'must be at most 500 characters').optional() }).meta({ id: 'CancelOrder' });

const returnQuantity = z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(MAX_UNITS_PER_LINE, `must be at most ${MAX_UNITS_PER_LINE}`);
const conditionSchema = z.enum(['sellable', 'damaged']);

/**
 * `POST /orders/{orderId}/returns`: an RMA. `in-store` (the default, and the shape before RMAs: `locationId` and lines
 * with `restock`) is received at once; `mail` is authorised with a label and received later
 * (`POST /returns/{returnId}/receive`).
 */
export const returnOrderSchema = z
  .strictObject({
    returnId: returnIdSchema.describe('Your id of the return (an RMA number), unique in your account: sending it again is safe'),
    method: z.enum(['in-store', 'mail']).default('in-store').describe('in-store: received now at locationId; mail: authorised now, received later'),
    locationId: locationIdSchema
      .optional()
      .describe('In store: where the units are received (required): any active location but a drop-shipper. Mail: where the label sends them (default: the nearest location that stocks the SKUs)'),
    lines: z
      .array(
        z.strictObject({
          lineId: lineIdSchema,
          quantity: returnQuantity,
          reason: z.string().trim().max(500, 'must be at most 500 characters').optional(),
          condition: conditionSchema.optional().describe('In store: sellable (default) goes on hand, damaged to the damaged count'),
          restock: z.boolean().optional().describe('Before RMAs: true is sellable, false damaged (condition wins when both are given)'),
        }),
      )
      .min(1, 'must hold at least one line')
      .max(MAX_LINES, `must hold at most ${MAX_LINES} lines`),
    reason: z.string().trim().max(500, 'must be at most 500 characters').optional(),
    refundTo: z.enum(['original', 'store-credit']).optional().describe('Where the refund goes (default original: the payment method)'),
    exchange: z
      .strictObject({
        lines: z
          .array(z.strictObject({ sku: skuSchema, quantity: returnQuantity }))
          .min(1, 'must hold at least one line')
          .max(MAX_LINES, `must hold at most ${MAX_LINES} lines`),
        shipFirst: z.boolean().optional().describe('Route the replacement now, before the return arrives (default: when it is received)'),
      })
      .optional()
      .describe('Replacement units: a linked order (exchangeFor), routed like any other; an even swap'),
  })
  .superRefine((body, ctx) => {
    if (body.method === 'in-store' && body.locationId === undefined) ctx.addIssue({ code: 'custom', message: 'an in-store return needs the location that receives it', path: ['locationId'] });
  })
  .meta({ id: 'OrderReturnRequest' });

export const returnPathSchema = z.strictObject({ returnId: returnIdSchema });

/** `POST /returns/{returnId}/receive`: a mail return arrived. */
export const receiveReturnSchema = z
  .strictObject({
    locationId: locationIdSchema.describe('Where it arrived: any active location but a drop-shipper'),
    lines: z
      .array(z.strictObject({ lineId: lineIdSchema, quantity: returnQuantity, condition: conditionSchema.describe('sellable goes on hand here, damaged to the damaged count') }))
      .min(1, 'must hold at least one line')
      .max(MAX_LINES, `must hold at most ${MAX_LINES} lines`),
  })
  .meta({ id: 'ReturnReceipt' });

/** Money as the API shows it: decimal strings in the order's currency, never binary floats. */
const refundAmount = z.string().regex(/^\d+(\.\d+)?$/);

export const refundSchema = z
  .object({
    currency: z.string(),
    items: refundAmount.describe('Unit prices x units received'),
    shipping: refundAmount.describe('Shipping given back under the return policy'),
    restockingFee: refundAmount.describe('Kept under the return policy'),
    exchangeCredit: refundAmount.describe('An exchange: the items\' value (less the fee) paying for the replacement'),
    total: refundAmount.describe('items - restockingFee - exchangeCredit + shipping: what is paid back'),
    refundTo: z.enum(['original', 'store-credit']),
  })
  .meta({ id: 'Refund' });

const returnSchema = z
  .object({
    returnId: z.string(),
    method: z.enum(['in-store', 'mail']).optional(),
    status: z.enum(['AUTHORISED', 'RECEIVED']).optional(),
    locationId: z.string().describe('Where it was received (authorised: where it is to be received)'),
    lines: z.array(z.object({ lineId: z.string(), sku: z.string(), quantity: z.number().int(), restock: z.boolean().describe('false: damaged'), reason: z.string().optional() })),
    reason: z.string().optional(),
    refundTo: z.enum(['original', 'store-credit']).optional(),
    authorisedAt: z.string().optional(),
    authorisedLines: z.array(z.object({ lineId: z.string(), sku: z.string(), quantity: z.number().int(), reason: z.string().optional() })).optional(),
    destination: z.string().optional(),
    label: z
      .object({
        toLocationId: z.string(),
        carrier: z.string(),
        serviceCode: z.string(),
        serviceName: z.string(),
        cost: z.number(),
        currency: z.string(),
        distanceKm: z.number(),
        promisedDeliveryDate: z.string(),
      })
      .optional()
      .describe('A mail return\'s label, quoted by the carrier model'),
    receivedAt: z.string().optional(),
    refund: refundSchema.optional(),
    exchange: z.object({ orderId: z.string(), lines: z.array(z.object({ sku: z.string(), quantity: z.number().int() })), shipFirst: z.boolean() }).optional(),
  })
  .meta({ id: 'OrderReturn' });

export const placedOrderSchema = z.object({ orderId: z.string(), status: z.enum(ORDER_STATUSES) }).meta({ id: 'PlacedOrder' });

export const retriedOrderSchema = z
  .strictObject({
    orderId: z.string(),
    status: z.literal('ROUTING'),
    attempt: z.number().int().describe('The new attempt'),
    execution: z.string().describe('Its execution name: never one used before'),
  })
  .meta({ id: 'RetriedOrder' });

export const shipmentSchema = z
  .object({
    shipmentId: z.string(),
    orderId: z.string(),
    locationId: z.string(),
    fulfillment: z.enum(['ship', 'pickup', 'curbside']),
    status: z.enum(SHIPMENT_STATUSES),
    lines: z.array(z.object({ lineId: z.string(), sku: z.string(), quantity: z.number().int() })),
    carrier: z.string().optional(),
    service: z.string().optional(),
    cost: z.number().optional(),
    promisedDeliveryDate: z.string().optional(),
    readyBy: z.string().optional().describe('A pickup: when the store will have it ready, from its opening hours and handling time'),
    pickupSlot: z
      .object({ day: z.string() })
      .optional()
      .describe('A pickup at a store with pickupSlotsPerDay: the store-local day whose slot it holds (given back when it is cancelled, rejected or expires)'),
    co2Grams: z.number().optional(),
    quote: quoteSchema.optional(),
    tracking: z.object({ carrier: z.string().optional(), trackingNumber: z.string(), url: z.string().optional() }).optional(),
    acceptBy: z.string().optional().describe('While REQUESTED: the time by which the location must accept it, or it is routed elsewhere'),
    pickupHoldDays: z.number().int().optional().describe('A pickup: days its store holds it once ready (from the location; default 5)'),
    pickup: z
      .object({
        readyAt: z.string(),
        remindAt: z.string().describe('The customer is reminded once, halfway through the hold'),
        remindedAt: z.string().optional(),
        expiresAt: z.string().describe('Not collected by then: it expires, its units go back on hand and its price is refunded'),
        failedAttempts: z.number().int().describe('Wrong codes presented since the code was issued (5 lock it until a new code is issued)'),
        arrival: z.object({ at: z.string(), bay: z.string().optional(), vehicle: z.string().optional() }).optional(),
        pickedUpAt: z.string().optional(),
      })
      .optional()
      .describe('A pickup once ready: its hold and hand-over (the code itself is only in the PickupReady event)'),
    delayed: z
      .object({ at: z.string(), previousPromisedDeliveryDate: z.string(), reason: z.string() })
      .optional()
      .describe('Set when the promised delivery date passed with the parcel not delivered (OrderDelayed was sent)'),
    history: z.array(
      z.object({
        status: z.enum(SHIPMENT_STATUSES),
        at: z.string(),
        reason: z.string().optional(),
        by: actorSchema.optional().describe('The API key that reported this status (absent for the DOM\'s own changes)'),
      }),
    ),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Shipment' });

export const shipmentPageSchema = z
  .object({ items: z.array(shipmentSchema), nextCursor: z.string().optional().describe('Pass as `cursor` for the next page; absent on the last') })
  .meta({ id: 'ShipmentPage' });

/** Money as the API shows it: decimal strings in the order's currency, never binary floats. */
const amountSchema = z.string().regex(/^\d+(\.\d+)?$/);

export const orderTotalsSchema = z
  .object({
    currency: z.string().describe('ISO 4217 code'),
    items: amountSchema.describe('Unit prices x quantities over every line'),
    shipping: amountSchema.describe('Shipping charged'),
    total: amountSchema.describe('items + shipping'),
  })
  .meta({ id: 'OrderTotals', description: 'What the customer was charged, as decimal strings with the currency\'s decimals' });

export const orderSchema = z
  .object({
    orderId: z.string(),
    status: z.enum(ORDER_STATUSES),
    statusReason: z.string().optional(),
    channel: z.string(),
    externalId: z.string().optional(),
    customer: z.object({ id: z.string().optional(), email: z.string().optional(), name: z.string().optional(), tier: z.enum(['standard', 'vip']) }),
    shipTo: z.object({ country: z.string() }).passthrough(),
    lines: z.array(z.object({ lineId: z.string(), sku: z.string(), quantity: z.number().int(), unitPrice: amountSchema.optional().describe('Price of one unit') }).passthrough()),
    currency: z.string().optional().describe('ISO 4217 code of the prices; absent on an order placed without prices'),
    shippingCharged: amountSchema.optional(),
    totals: orderTotalsSchema.optional(),
    preference: z.enum(['fastest', 'cheapest', 'greenest', 'balanced']).optional(),
    splitPolicy: z.enum(['allow', 'minimize', 'single']).optional(),
    pickupFallback: z.enum(PICKUP_FALLBACKS).optional().describe('What a pickup its store cannot take becomes (absent: nearest-store)'),
    pickupReroutes: z
      .array(z.object({ shipmentId: z.string(), fromLocationId: z.string(), fallback: z.enum(PICKUP_FALLBACKS), lineIds: z.array(z.string()), reason: z.string(), at: z.string() }))
      .optional()
      .describe('Pickups a store could not take, and what the fallback did (PickupRerouted)'),
    cancelledLines: z
      .array(
        z.object({
          cancellationId: z.string(),
          lineId: z.string(),
          sku: z.string(),
          quantity: z.number().int(),
          cause: z.enum(['pickup-expired', 'pickup-cancelled']),
          shipmentId: z.string().optional(),
          locationId: z.string().optional(),
          reason: z.string(),
          at: z.string(),
          refund: refundSchema.optional(),
        }),
      )
      .optional()
      .describe('Units cancelled line by line (an expired pickup, or one the fallback cancelled), each refunded (RefundDue)'),
    allocations: z.array(z.object({ lineId: z.string(), sku: z.string(), locationId: z.string(), quantity: z.number().int() })),
    backorderedLines: z.array(z.object({ lineId: z.string(), sku: z.string(), quantity: z.number().int() })),
    shipments: z.array(shipmentSchema).optional(),
    routing: z.object({ attempt: z.number().int(), decidedAt: z.string(), explanation: z.array(z.string()) }).optional(),
    releaseAt: z
      .string()
      .optional()
      .describe('When the order\'s release window is due (status WAITING_RELEASE until then at the latest); kept once it has been released'),
    reoptimised: z
      .array(
        z.object({
          id: z.string().describe('The release window that moved the order'),
          at: z.string(),
          withOrders: z.array(z.string()),
          moves: z.array(z.object({ sku: z.string(), quantity: z.number().int(), fromLocationId: z.string(), toLocationId: z.string() })),
          saved: z.number().describe('The joint plan\'s saving over keeping every allocation, in the cost model\'s dollars'),
          cancelledShipmentIds: z.array(z.string()),
          requestedShipmentIds: z.array(z.string()),
        }),
      )
      .optional()
      .describe('Each time re-optimisation moved the order\'s not yet accepted shipments with a release window (ShipmentsReoptimised)'),
    returns: z.array(returnSchema).optional(),
    exchangeFor: z.object({ orderId: z.string(), returnId: z.string() }).optional().describe('An exchange order: the order and return it replaces units of'),
    history: z.array(z.object({ status: z.enum(ORDER_STATUSES), at: z.string(), reason: z.string().optional() })),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Order' });

export const receivedReturnSchema = z
  .object({ return: returnSchema, order: orderSchema, exchangeOrderId: z.string().optional().describe('The exchange order, once placed') })
  .meta({ id: 'ReceivedReturn' });

export const orderPageSchema = z
  .object({ items: z.array(orderSchema), nextCursor: z.string().optional().describe('Pass as `cursor` for the next page; absent on the last') })
  .meta({ id: 'OrderPage' });
