import { z } from 'zod';
import { defineEvent } from './envelope.ts';
import { customerSchema } from './order-data.ts';

export const OrderDelayed = defineEvent(
  'OrderDelayed',
  '1.0',
  'A shipment of the order missed its promised delivery date (not shipped, or not delivered, by the end of that day).',
  z.object({
    orderId: z.string(),
    shipmentId: z.string(),
    locationId: z.string(),
    /** The shipment's status when it was found late: REQUESTED or ACCEPTED (not shipped yet), or SHIPPED. */
    shipmentStatus: z.string(),
    previousPromisedDeliveryDate: z.string(),
    reason: z.string(),
    customer: customerSchema.optional(),
    /** The merchant's order reference (the order's externalId), when it has one. */
    externalId: z.string().optional(),
  }),
);
