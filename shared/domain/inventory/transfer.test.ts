import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decideCancel,
  decideReceipt,
  decideShip,
  decideTransferRequest,
  inTransit,
  isSameRequest,
  requestTransferSchema,
  TransferRefusedError,
  TransferShortError,
  TransferStateError,
  transferEndProblems,
  type Transfer,
} from './transfer.ts';

const now = new Date('2026-12-03T22:00:00.000Z');
const later = new Date('2026-12-04T09:00:00.000Z');
const request = { fromLocationId: 'DC', toLocationId: 'STORE', lines: [{ sku: 'TEE', quantity: 6 }, { sku: 'CAP', quantity: 2 }] };
const stock = new Map([
  ['TEE', [{ shard: 0, available: 10 }]],
  ['CAP', [{ shard: 0, available: 2 }]],
]);
const requested = (): Transfer => decideTransferRequest('t_test0000001', 'TR-1', request, stock, now).transfer;

describe('requesting a transfer', () => {
  it('takes each line from the origin and starts REQUESTED with everything in transit', () => {
    const { transfer, takes } = decideTransferRequest('t_test0000001', 'TR-1', request, stock, now);
    expect(takes).toEqual([
      { locationId: 'DC', sku: 'TEE', shard: 0, quantity: 6 },
      { locationId: 'DC', sku: 'CAP', shard: 0, quantity: 2 },
    ]);
    expect(transfer).toMatchObject({ status: 'REQUESTED', version: 1, requestedAt: now.toISOString() });
    expect(inTransit(transfer)).toEqual([{ sku: 'TEE', quantity: 6 }, { sku: 'CAP', quantity: 2 }]);
  });

  it('is refused naming every line the origin cannot give, including a SKU it never held', () => {
    const short = () => decideTransferRequest('t_test0000001', 'TR-1', { ...request, lines: [{ sku: 'TEE', quantity: 11 }, { sku: 'CAP', quantity: 2 }, { sku: 'NEW', quantity: 1 }] }, stock, now);
    expect(short).toThrow(TransferShortError);
    try {
      short();
    } catch (error) {
      expect((error as TransferShortError).shortages).toEqual([
        { index: 0, sku: 'TEE', requested: 11, available: 10 },
        { index: 2, sku: 'NEW', requested: 1, available: 0 },
      ]);
    }
  });

  it('takes from several shards of a sharded origin when no one shard holds the line', () => {
    const shards = new Map([['TEE', [{ shard: 0, available: -1 }, { shard: 1, available: 4 }, { shard: 2, available: 4 }]]]);
    const { takes } = decideTransferRequest('t_test0000001', 'TR-1', { ...request, lines: [{ sku: 'TEE', quantity: 6 }] }, shards, now);
    expect(takes.reduce((sum, take) => sum + take.quantity, 0)).toBe(6);
    expect(takes.every((take) => take.shard !== 0 && take.quantity <= 4)).toBe(true);
  });

  it('is the same request whatever the order of its lines, its reason or arrival, and not with another quantity or destination', () => {
    const transfer = requested();
    expect(isSameRequest(transfer, { ...request, lines: [...request.lines].reverse() })).toBe(true);
    expect(isSameRequest(transfer, { ...request, lines: [{ sku: 'TEE', quantity: 5 }, { sku: 'CAP', quantity: 2 }] })).toBe(false);
    expect(isSameRequest(transfer, { ...request, toLocationId: 'OTHER' })).toBe(false);
    expect(isSameRequest(transfer, { ...request, reason: 'worded afresh', expectedArrivalAt: '2026-12-09T10:00:00Z' })).toBe(true);
  });

  it('schema: names a SKU listed twice, the same origin and destination, and quantities at and past the bounds', () => {
    const issues = (body: unknown) => requestTransferSchema.safeParse(body).error?.issues.map((i) => i.path.join('.')) ?? [];
    expect(issues({ fromLocationId: 'A', toLocationId: 'A', lines: [{ sku: 'X', quantity: 1 }, { sku: 'X', quantity: 1 }] })).toEqual(['lines.1.sku', 'toLocationId']);
    expect(issues({ fromLocationId: 'A', toLocationId: 'A', lines: [{ sku: 'X', quantity: 1 }] })).toEqual(['toLocationId']);
    expect(issues({ fromLocationId: 'A', toLocationId: 'B', lines: [{ sku: 'X', quantity: 1_000_000_000 }] })).toEqual([]);
    expect(issues({ fromLocationId: 'A', toLocationId: 'B', lines: [{ sku: 'X', quantity: 1_000_000_001 }] })).toEqual(['lines.0.quantity']);
    expect(issues({ fromLocationId: 'A', toLocationId: 'B', lines: Array.from({ length: 50 }, (_, i) => ({ sku: `S${i}`, quantity: 1 })) })).toEqual([]);
    expect(issues({ fromLocationId: 'A', toLocationId: 'B', lines: Array.from({ length: 51 }, (_, i) => ({ sku: `S${i}`, quantity: 1 })) })).toEqual(['lines']);
  });
});

describe('the ends of a transfer', () => {
  const at = (locationId: string, type: 'warehouse' | 'store' | 'dropship', active = true) => ({ locationId, type, active });
  it('are the merchant\'s own locations: no drop-shipper at either end, no closed destination; a closed origin may send', () => {
    const ends = { fromLocationId: 'A', toLocationId: 'B' };
    expect(transferEndProblems(ends, at('A', 'warehouse', false), at('B', 'store'))).toEqual([]);
    expect(transferEndProblems(ends, at('A', 'dropship'), at('B', 'dropship')).map((p) => p.field)).toEqual(['fromLocationId', 'toLocationId']);
    expect(transferEndProblems(ends, at('A', 'warehouse'), at('B', 'store', false)).map((p) => p.field)).toEqual(['toLocationId']);
    expect(transferEndProblems(ends, undefined, undefined).map((p) => p.message)).toEqual(['no location A', 'no location B']);
  });
});

describe('shipping, receiving and cancelling', () => {
  it('ships once; a second ship is a repeat; after a receipt it is refused', () => {
    const shipped = decideShip(requested(), { carrier: 'ups' }, later);
    expect(shipped.transfer).toMatchObject({ status: 'SHIPPED', shipment: { shippedAt: later.toISOString(), carrier: 'ups' }, version: 2 });
    expect(decideShip(shipped.transfer, {}, later).changed).toBe(false);
    const received = decideReceipt(shipped.transfer, {}, later).transfer;
    expect(() => decideShip(received, {}, later)).toThrow(TransferStateError);
  });

  it('receives in parts, puts exactly the received units on hand at the destination, and a repeated receipt id changes nothing', () => {
    const first = decideReceipt(requested(), { receiptId: 'r1', lines: [{ sku: 'TEE', quantity: 4 }] }, later);
    expect(first.stock).toEqual([{ locationId: 'STORE', sku: 'TEE', quantity: 4 }]);
    expect(first.transfer.status).toBe('PARTIALLY_RECEIVED');
    expect(decideReceipt(first.transfer, { receiptId: 'r1', lines: [{ sku: 'TEE', quantity: 4 }] }, later).changed).toBe(false);
    const rest = decideReceipt(first.transfer, {}, later);
    expect(rest.stock).toEqual([{ locationId: 'STORE', sku: 'TEE', quantity: 2 }, { locationId: 'STORE', sku: 'CAP', quantity: 2 }]);
    expect(rest.transfer).toMatchObject({ status: 'RECEIVED', receivedAt: later.toISOString() });
    expect(decideReceipt(rest.transfer, {}, later).changed).toBe(false);
  });

  it('refuses a receipt beyond what is in transit or of a SKU the transfer does not carry, naming the line', () => {
    try {
      decideReceipt(requested(), { lines: [{ sku: 'TEE', quantity: 7 }, { sku: 'HAT', quantity: 1 }] }, later);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TransferRefusedError);
      expect((error as TransferRefusedError).problems.map((p) => p.field)).toEqual(['lines[0].quantity', 'lines[1].sku']);
    }
  });

  it('cancels only before shipping, giving the units back to the origin; nothing is in transit after', () => {
    const cancelled = decideCancel(requested(), later);
    expect(cancelled.stock).toEqual([{ locationId: 'DC', sku: 'TEE', quantity: 6 }, { locationId: 'DC', sku: 'CAP', quantity: 2 }]);
    expect(inTransit(cancelled.transfer)).toEqual([]);
    expect(decideCancel(cancelled.transfer, later).changed).toBe(false);
    expect(() => decideReceipt(cancelled.transfer, {}, later)).toThrow(TransferStateError);
    expect(() => decideCancel(decideShip(requested(), {}, later).transfer, later)).toThrow(TransferStateError);
  });

  it('never receives more than was sent, whatever the receipts: on hand added = received, received + in transit = sent', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ sku: fc.constantFrom('TEE', 'CAP'), quantity: fc.integer({ min: 1, max: 8 }) }), { maxLength: 12 }), (receipts) => {
        let transfer = requested();
        let added = 0;
        for (const line of receipts) {
          try {
            const change = decideReceipt(transfer, { lines: [line] }, later);
            added += change.stock.reduce((sum, s) => sum + s.quantity, 0);
            transfer = change.transfer;
          } catch (error) {
            if (!(error instanceof TransferRefusedError)) throw error;
          }
        }
        const received = transfer.lines.reduce((sum, l) => sum + l.received, 0);
        const moving = inTransit(transfer).reduce((sum, l) => sum + l.quantity, 0);
        expect(added).toBe(received);
        expect(received + moving).toBe(8);
        expect(transfer.lines.every((l) => l.received <= l.quantity)).toBe(true);
        expect(transfer.status === 'RECEIVED').toBe(moving === 0);
      }),
    );
  });
});
