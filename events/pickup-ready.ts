import { z } from 'zod';
import { defineEvent } from './envelope.ts';
import { pickupEventData, pickupStateSchema } from './pickup-data.ts';

export const PickupReady = defineEvent(
  'PickupReady',
  '1.0',
  'A pickup is ready at its store (`locationId`): `pickup.code` is what the customer shows there, held until `pickup.expiresAt`. Sent again when the store issues a new code.',
  pickupEventData.extend({ pickup: pickupStateSchema.extend({ code: z.string().describe('The pickup code (only this event carries it)') }) }),
);
