import { defineEvent } from './envelope.ts';
import { orderEventData } from './order-data.ts';

export const OrderDelivered = defineEvent('OrderDelivered', '1.0', 'Every parcel of the order was delivered.', orderEventData);
