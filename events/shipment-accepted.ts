import { defineEvent } from './envelope.ts';
import { shipmentEventData } from './order-data.ts';

export const ShipmentAccepted = defineEvent('ShipmentAccepted', '1.1', 'The location accepted the shipment.', shipmentEventData);
