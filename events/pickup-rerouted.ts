import { z } from 'zod';
import { defineEvent } from './envelope.ts';
import { customerSchema } from './order-data.ts';
import { pickupStoreSchema } from './pickup-data.ts';

export const PickupRerouted = defineEvent(
  'PickupRerouted',
  '1.1',
  'A store rejected a pickup or did not accept it in time; the order\'s pickupFallback took over: nearest-store (the nearest store within 50 km with the units; PickupReady names it), ship (sent as a parcel), or cancel (refunded).',
  z.object({
    orderId: z.string(),
    shipmentId: z.string().describe('The pickup the store could not take'),
    fromLocationId: z.string(),
    fromStore: pickupStoreSchema.optional().describe('The store that could not take it, as it was then (since 1.1)'),
    fallback: z.enum(['nearest-store', 'ship', 'cancel']),
    lineIds: z.array(z.string()),
    reason: z.string(),
    channel: z.string(),
    externalId: z.string().optional(),
    customer: customerSchema,
  }),
);
