import { defineEvent } from './envelope.ts';
import { shipmentEventData } from './order-data.ts';

export const FulfillmentRequested = defineEvent('FulfillmentRequested', '1.1', 'A location is asked to pick, pack and ship (or hand over) a shipment.', shipmentEventData);
