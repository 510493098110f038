import { defineEvent } from './envelope.ts';
import { orderEventData } from './order-data.ts';

export const OrderAllocated = defineEvent('OrderAllocated', '1.0', 'Every unit of the order is reserved and its shipments are requested from their locations.', orderEventData);
