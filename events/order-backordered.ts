import { defineEvent } from './envelope.ts';
import { orderEventData } from './order-data.ts';

export const OrderBackordered = defineEvent('OrderBackordered', '1.0', 'No unit could be reserved yet; the order waits for stock and is routed again when it arrives.', orderEventData);
