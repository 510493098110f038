import { defineEvent } from './envelope.ts';
import { orderEventData } from './order-data.ts';

export const OrderReturned = defineEvent('OrderReturned', '1.0', 'Every unit of the order came back (see ReturnReceived for each return).', orderEventData);
