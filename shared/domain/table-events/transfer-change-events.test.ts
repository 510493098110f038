import { describe, expect, it } from 'vitest';
import { TransferReceived } from '#events/transfer-received';
import { TransferRequested } from '#events/transfer-requested';
import { decideCancel, decideReceipt, decideShip, decideTransferRequest, type Transfer } from '../inventory/transfer.ts';
import { eventsForChange, type ItemChange } from './change-events.ts';

const now = new Date('2026-12-03T22:00:00.000Z');
const item = (transfer: Transfer) => ({ pk: 'x', sk: 'TRANSFER', entity: 'Transfer', ...transfer }) as Record<string, unknown>;
const requested = decideTransferRequest('t_0123456789ab', 'TR-9', { fromLocationId: 'DC', toLocationId: 'STORE', lines: [{ sku: 'TEE', quantity: 5 }], reason: 'restock' }, new Map([['TEE', [{ shard: 0, available: 9 }]]]), now).transfer;
const change = (changeId: string, before: Transfer | undefined, after: Transfer): ItemChange => ({
  changeId,
  kind: before ? 'MODIFY' : 'INSERT',
  occurredAt: after.updatedAt,
  ...(before ? { oldItem: item(before) } : {}),
  newItem: item(after),
});

describe('transfer events from the table stream', () => {
  it('the insert is TransferRequested, valid against its schema, correlated by the transfer id', () => {
    const [event, ...rest] = eventsForChange(change('c1', undefined, requested));
    expect(rest).toEqual([]);
    expect(event!.detailType).toBe('TransferRequested');
    expect(event!.metadata).toMatchObject({ eventId: 'c1:TransferRequested', correlationId: 'TR-9', tenantId: 't_0123456789ab' });
    expect(TransferRequested.envelopeSchema.safeParse({ metadata: event!.metadata, data: event!.data }).success).toBe(true);
  });

  it('shipping is TransferShipped once; each receipt is one TransferReceived with what is still in transit; a replayed record gives the same ids', () => {
    const shipped = decideShip(requested, { carrier: 'ups' }, now).transfer;
    expect(eventsForChange(change('c2', requested, shipped)).map((e) => e.detailType)).toEqual(['TransferShipped']);
    const part = decideReceipt(shipped, { receiptId: 'dock-1', lines: [{ sku: 'TEE', quantity: 2 }] }, now).transfer;
    const events = eventsForChange(change('c3', shipped, part));
    expect(events.map((e) => e.metadata.eventId)).toEqual(['c3:TransferReceived:dock-1']);
    expect(events[0]!.data).toMatchObject({ receiptId: 'dock-1', received: [{ sku: 'TEE', quantity: 2 }], inTransit: [{ sku: 'TEE', quantity: 3 }], status: 'PARTIALLY_RECEIVED' });
    expect(TransferReceived.envelopeSchema.safeParse({ metadata: events[0]!.metadata, data: events[0]!.data }).success).toBe(true);
    expect(eventsForChange(change('c3', shipped, part))).toEqual(events);
    const rest = decideReceipt(part, {}, now).transfer;
    expect(eventsForChange(change('c4', part, rest)).map((e) => e.detailType)).toEqual(['TransferReceived']);
  });

  it('a cancel is TransferCancelled; a change that adds nothing publishes nothing', () => {
    const cancelled = decideCancel(requested, now).transfer;
    expect(eventsForChange(change('c5', requested, cancelled)).map((e) => e.detailType)).toEqual(['TransferCancelled']);
    expect(eventsForChange(change('c6', cancelled, cancelled))).toEqual([]);
  });
});
