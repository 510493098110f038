import { defineEvent } from './envelope.ts';
import { shipmentEventData } from './order-data.ts';

export const ShipmentShipped = defineEvent('ShipmentShipped', '1.1', 'The carrier has the parcel; its reservation is committed (on-hand went down).', shipmentEventData);
