import { defineEvent } from './envelope.ts';
import { orderEventData } from './order-data.ts';

export const OrderShipped = defineEvent('OrderShipped', '1.0', 'Every unit of the order has left its location.', orderEventData);
