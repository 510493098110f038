import { createEvent, type DomainEvent } from '#events/envelope';
import { TransferCancelled } from '#events/transfer-cancelled';
import { TransferReceived } from '#events/transfer-received';
import { TransferRequested } from '#events/transfer-requested';
import { TransferShipped } from '#events/transfer-shipped';
import { inTransit, type Transfer } from '../inventory/transfer.ts';
import type { ItemChange } from './change-events.ts';

/**
 * A committed change of a Transfer item becomes its events: the insert TransferRequested, the step to SHIPPED
 * TransferShipped, each receipt the change added TransferReceived (one per receipt, its id in the event id, so a replayed
 * stream record publishes the same ids), the step to CANCELLED TransferCancelled. Undefined for any other item.
 */
export function transferEventsForChange(change: ItemChange): DomainEvent[] | undefined {
  if ((change.newItem ?? change.oldItem)?.entity !== 'Transfer' || !change.newItem) return undefined;
  const after = change.newItem as unknown as Transfer;
  const before = change.oldItem as unknown as Transfer | undefined;
  const meta = (type: string) => ({ eventId: `${change.changeId}:${type}`, occurredAt: change.occurredAt, tenantId: after.tenantId, correlationId: after.transferId });
  const header = {
    transferId: after.transferId,
    fromLocationId: after.fromLocationId,
    toLocationId: after.toLocationId,
    lines: after.lines.map(({ sku, quantity, received }) => ({ sku, quantity, received })),
    status: after.status,
    ...(after.reason !== undefined ? { reason: after.reason } : {}),
    ...(after.suggestionId !== undefined ? { suggestionId: after.suggestionId } : {}),
    ...(after.expectedArrivalAt !== undefined ? { expectedArrivalAt: after.expectedArrivalAt } : {}),
  };
  const events: DomainEvent[] = [];
  if (!before) events.push(createEvent(TransferRequested, meta('TransferRequested'), { ...header, requestedAt: after.requestedAt }));
  if (after.shipment && !before?.shipment) {
    events.push(createEvent(TransferShipped, meta('TransferShipped'), { ...header, shippedAt: after.shipment.shippedAt, ...(after.shipment.carrier ? { carrier: after.shipment.carrier } : {}), ...(after.shipment.trackingNumber ? { trackingNumber: after.shipment.trackingNumber } : {}) }));
  }
  const seen = new Set((before?.receipts ?? []).map((receipt) => receipt.receiptId));
  for (const receipt of after.receipts ?? []) {
    if (seen.has(receipt.receiptId)) continue;
    events.push(
      createEvent(TransferReceived, meta(`TransferReceived:${receipt.receiptId}`), {
        ...header,
        receiptId: receipt.receiptId,
        receivedAt: receipt.receivedAt,
        received: receipt.lines,
        inTransit: inTransit(after),
      }),
    );
  }
  if (after.status === 'CANCELLED' && before?.status !== 'CANCELLED') events.push(createEvent(TransferCancelled, meta('TransferCancelled'), { ...header, cancelledAt: after.cancelledAt ?? after.updatedAt }));
  return events;
}
