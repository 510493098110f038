import { z } from 'zod';
import { defineEvent } from './envelope.ts';
import { customerSchema } from './order-data.ts';

export const ReturnReceived = defineEvent(
  'ReturnReceived',
  '1.0',
  'Units of an order were received back at a location; restocked units are on-hand there.',
  z.object({
    orderId: z.string(),
    returnId: z.string(),
    locationId: z.string(),
    lines: z.array(z.object({ lineId: z.string(), sku: z.string(), quantity: z.number().int(), restock: z.boolean() })),
    reason: z.string().optional(),
    receivedAt: z.string(),
    /** The order's status after the return (RETURNED once every unit is back). */
    orderStatus: z.string(),
    channel: z.string(),
    externalId: z.string().optional(),
    customer: customerSchema,
  }),
);
