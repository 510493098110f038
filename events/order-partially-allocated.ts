import { defineEvent } from './envelope.ts';
import { orderEventData } from './order-data.ts';

export const OrderPartiallyAllocated = defineEvent('OrderPartiallyAllocated', '1.0', 'Some units are reserved and shipping; the rest wait for stock (backorderedLines).', orderEventData);
