import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMinor } from './money.ts';
import { computeRefund, DEFAULT_RETURN_POLICY, minorOfRecorded, returnPolicySchema, type RefundInput } from './refund.ts';

const base = (overrides: Partial<RefundInput> = {}): RefundInput => ({
  currency: 'USD',
  orderLines: [
    { lineId: 'l1', quantity: 3, unitPriceMinor: 1999 },
    { lineId: 'l2', quantity: 1, unitPriceMinor: 10 },
  ],
  shippingChargedMinor: 495,
  received: [{ lineId: 'l1', quantity: 2 }],
  earlierUnitsReceived: 0,
  earlierShippingRefundedMinor: 0n,
  policy: DEFAULT_RETURN_POLICY,
  exchange: false,
  refundTo: 'original',
  ...overrides,
});

describe('the refund of a return', () => {
  it('is unit prices x units received, to the cent, with no shipping and no fee by default', () => {
    expect(computeRefund(base())).toEqual({ currency: 'USD', items: '39.98', shipping: '0.00', restockingFee: '0.00', exchangeCredit: '0.00', total: '39.98', refundTo: 'original' });
  });

  it('keeps a restocking fee rounded down to the cent (12.5 % of 39.98 is 4.9975: 4.99)', () => {
    const refund = computeRefund(base({ policy: { refundShipping: false, restockingFeePercent: 12.5 } }));
    expect(refund).toMatchObject({ items: '39.98', restockingFee: '4.99', total: '34.99' });
  });

  it('gives back shipping in proportion to the units, the last units back taking what is left', () => {
    const policy = { refundShipping: true, restockingFeePercent: 0 };
    // 4.95 over 4 units: 2 units back is floor(495 x 2 / 4) = 247; the last 2 get 248, 4.95 in all.
    const first = computeRefund(base({ policy }));
    expect(first.shipping).toBe('2.47');
    const last = computeRefund(base({ policy, received: [{ lineId: 'l1', quantity: 1 }, { lineId: 'l2', quantity: 1 }], earlierUnitsReceived: 2, earlierShippingRefundedMinor: 247n }));
    expect(last).toMatchObject({ items: '20.09', shipping: '2.48', total: '22.57' });
  });

  it('credits an exchange with the items\' value less the fee: only shipping is paid back', () => {
    const refund = computeRefund(base({ exchange: true, policy: { refundShipping: true, restockingFeePercent: 10 } }));
    expect(refund).toMatchObject({ items: '39.98', restockingFee: '3.99', exchangeCredit: '35.99', shipping: '2.47', total: '2.47' });
  });

  it('works in currencies without or with three decimals, and beyond 2^53 minor units', () => {
    expect(computeRefund(base({ currency: 'JPY', orderLines: [{ lineId: 'l1', quantity: 3, unitPriceMinor: 1500 }], shippingChargedMinor: 0 })).total).toBe('3000');
    expect(computeRefund(base({ currency: 'BHD', orderLines: [{ lineId: 'l1', quantity: 3, unitPriceMinor: 1234 }], shippingChargedMinor: 0 })).total).toBe('2.468');
    const huge = computeRefund(base({ orderLines: [{ lineId: 'l1', quantity: 10_000, unitPriceMinor: 999_999_999_999 }], received: [{ lineId: 'l1', quantity: 10_000 }] }));
    expect(huge.items).toBe('99999999999900.00'); // 9,999,999,999,990,000 cents: above 2^53
  });

  it('policy: defaults, two decimals at most, 0-100 at the bounds', () => {
    expect(returnPolicySchema.parse({})).toEqual({ refundShipping: false, restockingFeePercent: 0 });
    expect(returnPolicySchema.safeParse({ restockingFeePercent: 100 }).success).toBe(true);
    expect(returnPolicySchema.safeParse({ restockingFeePercent: 12.34 }).success).toBe(true);
    expect(returnPolicySchema.safeParse({ restockingFeePercent: 12.345 }).success).toBe(false);
    expect(returnPolicySchema.safeParse({ restockingFeePercent: 100.01 }).success).toBe(false);
    expect(returnPolicySchema.safeParse({ restockingFeePercent: -1 }).success).toBe(false);
  });
});

describe('refunds, whatever the order and however it comes back (property)', () => {
  const order = fc.record({
    lines: fc.array(fc.record({ quantity: fc.integer({ min: 1, max: 10_000 }), unitPriceMinor: fc.integer({ min: 0, max: 999_999_999_999 }) }), { minLength: 1, maxLength: 8 }),
    shipping: fc.integer({ min: 0, max: 999_999_999_999 }),
    policy: fc.record({ refundShipping: fc.boolean(), restockingFeePercent: fc.integer({ min: 0, max: 10_000 }).map((bp) => bp / 100) }),
    currency: fc.constantFrom('USD', 'JPY', 'BHD'),
    seed: fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
    exchange: fc.boolean(),
  });

  it('never refunds more than was charged, never a negative amount, and adds up exactly', () => {
    fc.assert(
      fc.property(order, ({ lines, shipping, policy, currency, seed, exchange }) => {
        const orderLines = lines.map((line, i) => ({ lineId: `l${i}`, ...line }));
        const left = orderLines.map((l) => l.quantity);
        const charged = orderLines.reduce((sum, l) => sum + BigInt(l.unitPriceMinor) * BigInt(l.quantity), 0n) + BigInt(shipping);
        let refunded = 0n;
        let shippingBack = 0n;
        let unitsBack = 0;
        // Returns of random sizes, until every unit is back (or the seed runs out).
        for (const n of seed) {
          const i = n % orderLines.length;
          if (left[i] === 0) continue;
          const quantity = 1 + (n % left[i]!);
          left[i]! -= quantity;
          const refund = computeRefund({
            currency, orderLines, shippingChargedMinor: shipping, received: [{ lineId: `l${i}`, quantity }], earlierUnitsReceived: unitsBack, earlierShippingRefundedMinor: shippingBack, policy, exchange, refundTo: 'original',
          });
          const [items, ship, fee, credit, total] = [refund.items, refund.shipping, refund.restockingFee, refund.exchangeCredit, refund.total].map(minorOfRecorded) as [bigint, bigint, bigint, bigint, bigint];
          for (const amount of [items, ship, fee, credit, total]) expect(amount >= 0n).toBe(true);
          expect(total).toBe(items - fee - credit + ship);
          expect(items).toBe(BigInt(orderLines[i]!.unitPriceMinor) * BigInt(quantity));
          expect(refund.total).toBe(formatMinor(total, currency));
          refunded += total;
          shippingBack += ship;
          unitsBack += quantity;
        }
        expect(refunded <= charged).toBe(true);
        expect(shippingBack <= BigInt(shipping)).toBe(true);
        if (left.every((n) => n === 0) && policy.refundShipping) expect(shippingBack).toBe(BigInt(shipping));
      }),
      { numRuns: 300 },
    );
  });
});
