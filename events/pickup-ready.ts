import { z } from 'zod';
import { defineEvent } from './envelope.ts';
import { pickupEventData, pickupStateSchema } from './pickup-data.ts';

export const PickupReady = defineEvent(
  'PickupReady',
  '1.1',
  'A pickup is ready at its store (`locationId`; since 1.1 `store`: its name, address, zone and hours): `pickup.code` is what the customer shows there, held until `pickup.expiresAt`. Sent again when the store issues a new code.',
  pickupEventData.extend({ pickup: pickupStateSchema.extend({ code: z.string().describe('The pickup code (only this event carries it)') }) }),
);
