import { defineEvent } from './envelope.ts';
import { pickupEventData } from './pickup-data.ts';

export const CustomerArrived = defineEvent('CustomerArrived', '1.1', 'A curbside customer is at the store: `pickup.arrival` says the bay and the vehicle.', pickupEventData);
