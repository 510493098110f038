import { defineEvent } from './envelope.ts';
import { orderEventData } from './order-data.ts';

export const OrderCancelled = defineEvent('OrderCancelled', '1.0', 'The order was cancelled; its unshipped reservations were released.', orderEventData);
