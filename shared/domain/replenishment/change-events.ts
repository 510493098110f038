import { createEvent, type DomainEvent } from '#events/envelope';
import { InboundCreated } from '#events/inbound-created';
import { InboundReceived } from '#events/inbound-received';
import { ReorderSuggested } from '#events/reorder-suggested';
import type { Inbound } from './inbound.ts';
import { becameBelow, type ReorderState } from './reorder.ts';

/** The outbox's view of an item change (ItemChange in shared/domain/table-events/change-events.ts). */
interface Change {
  changeId: string;
  kind: 'INSERT' | 'MODIFY' | 'REMOVE';
  occurredAt: string;
  oldItem?: Record<string, unknown>;
  newItem?: Record<string, unknown>;
}

/**
 * Replenishment's events, from the committed items (the outbox rule): a ReorderState whose `below` became true is a
 * ReorderSuggested; an Inbound inserted is InboundCreated, and each receipt it gained is InboundReceived. Event ids
 * derive from the stream record (and the receipt id), so a replayed record publishes the same ids. Undefined: not
 * replenishment's item.
 */
export function replenishmentEventsForChange(change: Change): DomainEvent[] | undefined {
  const entity = (change.newItem ?? change.oldItem)?.entity;
  if (entity === 'ReorderState') {
    if (!change.newItem) return [];
    const before = change.oldItem as unknown as ReorderState | undefined;
    const after = change.newItem as unknown as ReorderState;
    if (!becameBelow(before, after)) return [];
    return [
      createEvent(ReorderSuggested, meta(change, after.tenantId, 'ReorderSuggested'), {
        sku: after.sku,
        locationId: after.locationId,
        available: Math.max(0, after.available),
        onOrder: after.onOrder,
        position: after.position,
        reorderPoint: after.reorderPoint,
        orderUpTo: after.orderUpTo,
        suggestedQuantity: after.suggestedQuantity,
        ...(after.forecastOrigin ? { forecastOrigin: after.forecastOrigin } : {}),
        crossing: after.crossings,
      }),
    ];
  }
  if (entity === 'Inbound') {
    if (!change.newItem) return [];
    const after = change.newItem as unknown as Inbound;
    const before = change.oldItem as unknown as Inbound | undefined;
    const events: DomainEvent[] = [];
    if (!before) {
      events.push(
        createEvent(InboundCreated, meta(change, after.tenantId, 'InboundCreated'), {
          inboundId: after.inboundId,
          locationId: after.locationId,
          expectedAt: after.expectedAt,
          ...(after.supplierId ? { supplierId: after.supplierId } : {}),
          ...(after.reference ? { reference: after.reference } : {}),
          tolerancePercent: after.tolerancePercent,
          lines: after.lines.map(({ sku, expected }) => ({ sku, expected })),
        }),
      );
    }
    const known = new Set((before?.receipts ?? []).map((r) => r.receiptId));
    for (const receipt of after.receipts ?? []) {
      if (known.has(receipt.receiptId)) continue;
      events.push(
        createEvent(InboundReceived, { ...meta(change, after.tenantId, `InboundReceived:${receipt.receiptId}`) }, {
          inboundId: after.inboundId,
          locationId: after.locationId,
          receiptId: receipt.receiptId,
          receivedAt: receipt.receivedAt,
          status: after.status === 'RECEIVED' ? 'RECEIVED' : 'PARTIALLY_RECEIVED',
          lines: receipt.lines.map(({ sku, quantity }) => {
            const line = after.lines.find((l) => l.sku === sku);
            return { sku, quantity, received: line?.received ?? quantity, expected: line?.expected ?? 0 };
          }),
        }),
      );
    }
    return events;
  }
  return undefined;
}

function meta(change: Change, tenantId: string, type: string) {
  return { eventId: `${change.changeId}:${type}`, occurredAt: change.occurredAt, tenantId, correlationId: change.changeId };
}
