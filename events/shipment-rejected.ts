import { defineEvent } from './envelope.ts';
import { shipmentEventData } from './order-data.ts';

export const ShipmentRejected = defineEvent('ShipmentRejected', '1.1', 'The location cannot fulfil the shipment; its lines are routed again elsewhere.', shipmentEventData);
