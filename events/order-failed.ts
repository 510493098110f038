import { defineEvent } from './envelope.ts';
import { orderEventData } from './order-data.ts';

export const OrderFailed = defineEvent('OrderFailed', '1.0', 'The fulfilment workflow failed and the order needs ops; the reason says why.', orderEventData);
