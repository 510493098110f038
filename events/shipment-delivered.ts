import { defineEvent } from './envelope.ts';
import { shipmentEventData } from './order-data.ts';

export const ShipmentDelivered = defineEvent('ShipmentDelivered', '1.1', 'The parcel was delivered.', shipmentEventData);
