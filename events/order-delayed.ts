import { z } from 'zod';
import { defineEvent } from './envelope.ts';

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
    customer: z.object({ id: z.string().optional(), email: z.string().optional(), tier: z.string() }).optional(),
  }),
);
