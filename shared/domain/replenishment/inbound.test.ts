import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createInbound, decideReceipt, InboundRefusedError, outstandingOf, receivableOf, sameInbound, type Inbound } from './inbound.ts';

const now = new Date('2026-12-03T10:00:00.000Z');
const request = { inboundId: 'PO-1001', locationId: 'brooklyn', expectedAt: '2026-12-10', tolerancePercent: 10, lines: [{ sku: 'TEE', quantity: 20 }, { sku: 'Mug.Blue', quantity: 5 }] };
const open = () => createInbound('t_1', request, now);

function refusal(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (error instanceof InboundRefusedError) return error.problems;
    throw error;
  }
  throw new Error('not refused');
}

describe('an inbound', () => {
  it('starts open with nothing received and every line on order', () => {
    const inbound = open();
    expect(inbound).toMatchObject({ status: 'OPEN', version: 1, receipts: [], lines: [{ sku: 'TEE', expected: 20, received: 0 }, { sku: 'Mug.Blue', expected: 5, received: 0 }] });
    expect(inbound.lines.map(outstandingOf)).toEqual([20, 5]);
  });

  it('refuses a SKU on two lines, naming the second', () => {
    expect(refusal(() => createInbound('t_1', { ...request, lines: [{ sku: 'TEE', quantity: 1 }, { sku: 'TEE', quantity: 2 }] }, now))).toEqual([{ field: 'lines[1].sku', message: 'TEE is already line 0' }]);
  });

  it('knows a retry of the same creation from another inbound under the same id', () => {
    expect(sameInbound(open(), request)).toBe(true);
    expect(sameInbound(open(), { ...request, lines: [{ sku: 'TEE', quantity: 21 }, { sku: 'Mug.Blue', quantity: 5 }] })).toBe(false);
    expect(sameInbound(open(), { ...request, locationId: 'olean' })).toBe(false);
  });
});

describe('receiving an inbound', () => {
  it('takes a partial receipt: on hand now, off order by what it brings', () => {
    const outcome = decideReceipt(open(), { receiptId: 'R1', lines: [{ sku: 'TEE', quantity: 8 }] }, now);
    expect(outcome.kind).toBe('apply');
    if (outcome.kind !== 'apply') return;
    expect(outcome.decision.moves).toEqual([{ sku: 'TEE', quantity: 8, offOrder: 8 }]);
    expect(outcome.decision.inbound).toMatchObject({ status: 'PARTIALLY_RECEIVED', version: 2, lines: [{ sku: 'TEE', received: 8 }, { sku: 'Mug.Blue', received: 0 }] });
  });

  it('accepts up to expected plus the tolerance exactly, and refuses one unit more naming the line', () => {
    // 20 expected, 10 %: at most 22.
    expect(receivableOf({ expected: 20 }, 10)).toBe(22);
    const outcome = decideReceipt(open(), { receiptId: 'R1', lines: [{ sku: 'Mug.Blue', quantity: 5 }, { sku: 'TEE', quantity: 22 }] }, now);
    if (outcome.kind !== 'apply') throw new Error('expected apply');
    // Over-receipt is on hand, but only the expected part was ever on order.
    expect(outcome.decision.moves).toEqual([{ sku: 'Mug.Blue', quantity: 5, offOrder: 5 }, { sku: 'TEE', quantity: 22, offOrder: 20 }]);
    expect(outcome.decision.inbound.status).toBe('RECEIVED');
    expect(refusal(() => decideReceipt(open(), { receiptId: 'R1', lines: [{ sku: 'TEE', quantity: 23 }] }, now))).toEqual([
      { field: 'lines[0].quantity', message: '23 would make 23 received of 20 expected (at most 22 with a 10% tolerance)' },
    ]);
  });

  it('answers the same receipt id as recorded, and refuses it with other lines', () => {
    const first = decideReceipt(open(), { receiptId: 'R1', lines: [{ sku: 'TEE', quantity: 8 }] }, now);
    if (first.kind !== 'apply') throw new Error('expected apply');
    const again = decideReceipt(first.decision.inbound, { receiptId: 'R1', lines: [{ sku: 'TEE', quantity: 8 }] }, now);
    expect(again).toEqual({ kind: 'already', receipt: first.decision.receipt });
    expect(refusal(() => decideReceipt(first.decision.inbound, { receiptId: 'R1', lines: [{ sku: 'TEE', quantity: 9 }] }, now))[0]!.field).toBe('receiptId');
  });

  it('refuses a SKU that is not on the inbound, or given twice', () => {
    expect(refusal(() => decideReceipt(open(), { receiptId: 'R1', lines: [{ sku: 'CAP', quantity: 1 }] }, now))).toEqual([{ field: 'lines[0].sku', message: 'CAP is not on inbound PO-1001' }]);
    expect(refusal(() => decideReceipt(open(), { receiptId: 'R1', lines: [{ sku: 'TEE', quantity: 1 }, { sku: 'TEE', quantity: 1 }] }, now))[0]!.field).toBe('lines[1].sku');
  });

  it('never receives more than expected plus tolerance, and takes off order exactly what was expected, over any receipts (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 100 }), fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 30 }), (expected, tolerance, receipts) => {
        let inbound: Inbound = createInbound('t_1', { ...request, tolerancePercent: tolerance, lines: [{ sku: 'TEE', quantity: expected }] }, now);
        let onHand = 0;
        let offOrder = 0;
        receipts.forEach((quantity, i) => {
          try {
            const outcome = decideReceipt(inbound, { receiptId: `R${i}`, lines: [{ sku: 'TEE', quantity }] }, now);
            if (outcome.kind !== 'apply') throw new Error('a new receipt id');
            inbound = outcome.decision.inbound;
            onHand += outcome.decision.moves[0]!.quantity;
            offOrder += outcome.decision.moves[0]!.offOrder;
          } catch (error) {
            if (!(error instanceof InboundRefusedError)) throw error;
            expect(inbound.lines[0]!.received + quantity).toBeGreaterThan(receivableOf({ expected }, tolerance));
          }
        });
        expect(onHand).toBe(inbound.lines[0]!.received);
        expect(onHand).toBeLessThanOrEqual(receivableOf({ expected }, tolerance));
        expect(offOrder).toBe(Math.min(expected, onHand));
        expect(offOrder + outstandingOf(inbound.lines[0]!)).toBe(expected);
      }),
    );
  });
});
