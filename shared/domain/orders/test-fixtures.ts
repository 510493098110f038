import type { Order } from './order.ts';

export const FIXED_TIME = new Date('2026-11-26T12:00:00Z');

/** An order of two ship lines (2 TEE, 1 CAP), ACCEPTED at FIXED_TIME, with whatever the test overrides. */
export function anOrder(overrides: Partial<Order> = {}): Order {
  return {
    tenantId: 't_0123456789ab',
    orderId: 'o_01abc',
    channel: 'web',
    customer: { tier: 'standard' },
    shipTo: { country: 'US', postalCode: '10001' },
    lines: [
      { lineId: 'l1', sku: 'TEE', quantity: 2, fulfillment: { type: 'ship' } },
      { lineId: 'l2', sku: 'CAP', quantity: 1, fulfillment: { type: 'ship' } },
    ],
    status: 'ACCEPTED',
    allocations: [],
    backorderedLines: [],
    history: [{ status: 'ACCEPTED', at: FIXED_TIME.toISOString() }],
    attempt: 0,
    createdAt: FIXED_TIME.toISOString(),
    updatedAt: FIXED_TIME.toISOString(),
    version: 1,
    ...overrides,
  };
}
