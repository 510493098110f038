import { defineEvent } from './envelope.ts';
import { pickupEventData } from './pickup-data.ts';

export const PickedUp = defineEvent('PickedUp', '1.1', 'The customer showed the pickup code and took the units (the reservation is committed: on-hand went down).', pickupEventData);
