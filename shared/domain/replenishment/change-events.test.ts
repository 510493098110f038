import { describe, expect, it } from 'vitest';
import { eventsForChange } from '../table-events/change-events.ts';
import { createInbound, decideReceipt } from './inbound.ts';

const now = new Date('2026-12-03T10:00:00.000Z');
const state = { entity: 'ReorderState', tenantId: 't_1', sku: 'TEE', locationId: 'brooklyn', onOrder: 2, below: false, reorderPoint: 20, orderUpTo: 34, available: 18, position: 20, suggestedQuantity: 14, crossings: 0, forecastOrigin: '2026-12-02', evaluatedAt: now.toISOString(), version: 3 };
const change = (oldItem: Record<string, unknown> | undefined, newItem: Record<string, unknown> | undefined) => ({ changeId: 'abc', kind: (oldItem ? 'MODIFY' : 'INSERT') as 'MODIFY' | 'INSERT', occurredAt: now.toISOString(), oldItem, newItem });

describe('replenishment events from the outbox', () => {
  it('publishes ReorderSuggested when a reorder state becomes below, with an id from the stream record', () => {
    const [event, ...rest] = eventsForChange(change(state, { ...state, below: true, crossings: 1 }));
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      detailType: 'ReorderSuggested',
      metadata: { eventId: 'abc:ReorderSuggested', tenantId: 't_1' },
      data: { sku: 'TEE', locationId: 'brooklyn', available: 18, onOrder: 2, position: 20, reorderPoint: 20, orderUpTo: 34, suggestedQuantity: 14, crossing: 1, forecastOrigin: '2026-12-02' },
    });
  });

  it('publishes nothing for a state that stays below, goes back above, or only changed units on order', () => {
    const below = { ...state, below: true, crossings: 1 };
    expect(eventsForChange(change(below, { ...below, onOrder: 5, version: 4 }))).toEqual([]);
    expect(eventsForChange(change(below, { ...state, crossings: 1 }))).toEqual([]);
    expect(eventsForChange(change(state, { ...state, onOrder: 9 }))).toEqual([]);
  });

  it('publishes InboundCreated for a new inbound and InboundReceived for each receipt it gains', () => {
    const inbound = createInbound('t_1', { inboundId: 'PO-1', locationId: 'brooklyn', expectedAt: '2026-12-10', lines: [{ sku: 'TEE', quantity: 20 }] }, now);
    const item = (x: object) => ({ entity: 'Inbound', pk: 'k', sk: 'INBOUND', ...x });
    expect(eventsForChange(change(undefined, item(inbound))).map((e) => [e.detailType, e.data])).toEqual([
      ['InboundCreated', { inboundId: 'PO-1', locationId: 'brooklyn', expectedAt: '2026-12-10', tolerancePercent: 0, lines: [{ sku: 'TEE', expected: 20 }] }],
    ]);
    const outcome = decideReceipt(inbound, { receiptId: 'DN-7', lines: [{ sku: 'TEE', quantity: 8 }] }, now);
    if (outcome.kind !== 'apply') throw new Error('expected apply');
    const events = eventsForChange(change(item(inbound), item(outcome.decision.inbound)));
    expect(events.map((e) => [e.detailType, e.metadata.eventId, e.data])).toEqual([
      ['InboundReceived', 'abc:InboundReceived:DN-7', { inboundId: 'PO-1', locationId: 'brooklyn', receiptId: 'DN-7', receivedAt: now.toISOString(), status: 'PARTIALLY_RECEIVED', lines: [{ sku: 'TEE', quantity: 8, received: 8, expected: 20 }] }],
    ]);
  });
});
