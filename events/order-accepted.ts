import { defineEvent } from './envelope.ts';
import { orderEventData } from './order-data.ts';

export const OrderAccepted = defineEvent('OrderAccepted', '1.0', 'An order was accepted through the API; its fulfilment workflow starts from this event.', orderEventData);
