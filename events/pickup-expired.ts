import { defineEvent } from './envelope.ts';
import { pickupEventData } from './pickup-data.ts';

export const PickupExpired = defineEvent(
  'PickupExpired',
  '1.1',
  'The pickup was not collected within the store\'s hold: its units are back on hand at the store, its lines cancelled, and their price is due back (RefundDue).',
  pickupEventData,
);
