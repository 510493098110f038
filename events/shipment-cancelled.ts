import { defineEvent } from './envelope.ts';
import { shipmentEventData } from './order-data.ts';

export const ShipmentCancelled = defineEvent('ShipmentCancelled', '1.1', 'The shipment was cancelled with its order; its units went back to stock.', shipmentEventData);
