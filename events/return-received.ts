import { z } from 'zod';
import { defineEvent } from './envelope.ts';
import { customerSchema } from './order-data.ts';

export const ReturnReceived = defineEvent(
  'ReturnReceived',
  '1.1',
  'Units of an order were received back at a location; restocked (sellable) units are on-hand there, damaged ones in its damaged count. 1.1: the RMA (method, refund, exchange order).',
  z.object({
    orderId: z.string(),
    returnId: z.string(),
    locationId: z.string(),
    lines: z.array(z.object({ lineId: z.string(), sku: z.string(), quantity: z.number().int(), restock: z.boolean(), reason: z.string().optional() })),
    reason: z.string().optional(),
    receivedAt: z.string(),
    /** The order's status after the return (RETURNED once every unit is back). */
    orderStatus: z.string(),
    channel: z.string(),
    externalId: z.string().optional(),
    customer: customerSchema,
    method: z.enum(['in-store', 'mail']).optional(),
    /** The refund recorded with the return (an order with prices), as RefundDue carries it. */
    refund: z
      .object({ currency: z.string(), items: z.string(), shipping: z.string(), restockingFee: z.string(), exchangeCredit: z.string(), total: z.string(), refundTo: z.enum(['original', 'store-credit']) })
      .optional(),
    exchangeOrderId: z.string().optional(),
  }),
);
