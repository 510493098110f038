import { describe, expect, it } from 'vitest';
import { eventsForChange } from './change-events.ts';

// Issue 14: the API key that reported a shipment's status is in its event (`by`), and a pickup's readyBy in its quote.
const requested = {
  pk: 't_0123456789ab#ORDER#o_1',
  sk: 'SHIPMENT#o_1-S1-1-1',
  entity: 'Shipment',
  tenantId: 't_0123456789ab',
  orderId: 'o_1',
  shipmentId: 'o_1-S1-1-1',
  locationId: 'Store.NYC-01',
  fulfillment: 'pickup',
  lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1 }],
  reservationId: 'o_1-S1-1-1',
  quote: { carrier: 'none', service: 'pickup', cost: 0, promisedDeliveryDate: '2026-03-09', readyBy: '2026-03-09T14:00:00.000Z', co2Grams: 0 },
  status: 'REQUESTED',
  history: [{ status: 'REQUESTED', at: '2026-03-09T13:00:00.000Z' }],
  createdAt: '2026-03-09T13:00:00.000Z',
  updatedAt: '2026-03-09T13:00:00.000Z',
  version: 1,
};
const change = (oldItem: Record<string, unknown>, newItem: Record<string, unknown>) => ({ changeId: '42', kind: 'MODIFY' as const, occurredAt: '2026-03-09T13:05:00.000Z', oldItem, newItem });

describe('shipment events and who made the change', () => {
  it('names the API key that accepted the shipment, and carries the pickup\'s readyBy', () => {
    const accepted = { ...requested, status: 'ACCEPTED', history: [...requested.history, { status: 'ACCEPTED', at: '2026-03-09T13:05:00.000Z', by: { keyId: 'k_abc', keyName: 'NYC tablet' } }] };
    const [event] = eventsForChange(change(requested, accepted));
    expect(event!.detailType).toBe('ShipmentAccepted');
    expect(event!.metadata.version).toBe('1.1');
    expect(event!.data).toMatchObject({ by: { keyId: 'k_abc', keyName: 'NYC tablet' }, quote: { readyBy: '2026-03-09T14:00:00.000Z' } });
  });

  it('names no key for the DOM\'s own changes', () => {
    const cancelled = { ...requested, status: 'CANCELLED', history: [...requested.history, { status: 'CANCELLED', at: '2026-03-09T13:05:00.000Z', reason: 'order cancelled' }] };
    const [event] = eventsForChange(change(requested, cancelled));
    expect(event!.detailType).toBe('ShipmentCancelled');
    expect(event!.data).not.toHaveProperty('by');
  });
});
