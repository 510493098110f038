import { defineEvent } from './envelope.ts';
import { pickupEventData } from './pickup-data.ts';

export const PickupReminder = defineEvent('PickupReminder', '1.1', 'Halfway through the store\'s hold the pickup is still waiting: remind the customer (once) before `pickup.expiresAt`.', pickupEventData);
