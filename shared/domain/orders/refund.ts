/**
 * What a return refunds (pure, exact): unit prices x the units received, less the tenant's restocking fee, plus the
 * share of the shipping charge the tenant's return policy gives back. Amounts are integer minor units, summed in
 * BigInt like money.ts, so a refund never rounds through a binary float, and the refunds of every return of an order
 * together never exceed what the order charged (items + shipping).
 */
import { z } from 'zod';
import { formatMinor } from './money.ts';

/** The tenant's return policy (a tenant setting); `DEFAULT_RETURN_POLICY` until the tenant sets one. */
export interface ReturnPolicy {
  /** Give back the shipping charge, in proportion to the units returned (the last units back take what is left). */
  refundShipping: boolean;
  /** Kept from the refunded items' value, 0-100 with at most two decimals (12.5 is 12.5 %); rounded down to a minor unit. */
  restockingFeePercent: number;
}

export const DEFAULT_RETURN_POLICY: ReturnPolicy = { refundShipping: false, restockingFeePercent: 0 };

export const returnPolicySchema = z
  .strictObject({
    refundShipping: z.boolean({ error: 'must be true or false' }).default(false).describe('Refund the shipping charge, in proportion to the units returned'),
    restockingFeePercent: z
      .number({ error: 'must be a number' })
      .min(0, 'must be at least 0')
      .max(100, 'must be at most 100')
      .refine((n) => Number.isInteger(Math.round(n * 100)) && Math.abs(Math.round(n * 100) - n * 100) < 1e-9, 'must have at most two decimals')
      .default(0)
      .describe('Percent of the returned items\' value kept as a restocking fee (0-100, two decimals at most)'),
  })
  .meta({ id: 'ReturnPolicy' });

/**
 * A refund as recorded on a return and shown by the API and the RefundDue event: decimal strings in the order's
 * currency with its full number of decimals (a return of 100 lines x 10,000 units may exceed 2^53 minor units).
 */
export interface Refund {
  currency: string;
  /** Unit prices x units received. */
  items: string;
  /** The shipping charge given back under the policy. */
  shipping: string;
  restockingFee: string;
  /** An exchange is an even swap: the received items' value (less the fee) pays for the replacement instead. */
  exchangeCredit: string;
  /** items - restocking fee - exchange credit + shipping: what the merchant's payment system pays back. */
  total: string;
  refundTo: 'original' | 'store-credit';
}

/** A recorded amount back in minor units: formatMinor always writes the currency's full decimals. */
export function minorOfRecorded(amount: string): bigint {
  return BigInt(amount.replace('.', ''));
}

export interface RefundInput {
  currency: string;
  /** Every line of the order with its unit price and the units ordered. */
  orderLines: ReadonlyArray<{ lineId: string; quantity: number; unitPriceMinor: number }>;
  shippingChargedMinor: number;
  /** Units received by this return, per line (a line may appear more than once, e.g. sellable and damaged). */
  received: ReadonlyArray<{ lineId: string; quantity: number }>;
  /** Units received by the order's earlier returns, and the shipping they refunded. */
  earlierUnitsReceived: number;
  earlierShippingRefundedMinor: bigint;
  policy: ReturnPolicy;
  exchange: boolean;
  refundTo: 'original' | 'store-credit';
}

/** Percent with two decimals as basis points of a percent (12.5 % -> 1250 of 10,000). */
const feeBasisPoints = (percent: number) => BigInt(Math.min(10_000, Math.max(0, Math.round(percent * 100))));

/**
 * The refund of one return. Shipping is refunded cumulatively: after this return, the order has given back
 * floor(shipping x units received so far / units ordered), so several partial returns add up to the whole charge
 * exactly once every unit is back, and never more.
 */
export function computeRefund(input: RefundInput): Refund {
  const prices = new Map(input.orderLines.map((line) => [line.lineId, BigInt(line.unitPriceMinor)]));
  let items = 0n;
  let units = 0;
  for (const line of input.received) {
    const price = prices.get(line.lineId);
    if (price === undefined) throw new RangeError(`line ${line.lineId} is not a line of the order`);
    items += price * BigInt(line.quantity);
    units += line.quantity;
  }
  const fee = (items * feeBasisPoints(input.policy.restockingFeePercent)) / 10_000n;
  let shipping = 0n;
  const ordered = input.orderLines.reduce((sum, line) => sum + line.quantity, 0);
  if (input.policy.refundShipping && ordered > 0) {
    const receivedSoFar = BigInt(Math.min(ordered, input.earlierUnitsReceived + units));
    const due = (BigInt(input.shippingChargedMinor) * receivedSoFar) / BigInt(ordered);
    const already = input.earlierShippingRefundedMinor;
    shipping = due > already ? due - already : 0n;
  }
  const credit = input.exchange ? items - fee : 0n;
  const money = (minor: bigint) => formatMinor(minor, input.currency);
  return {
    currency: input.currency,
    items: money(items),
    shipping: money(shipping),
    restockingFee: money(fee),
    exchangeCredit: money(credit),
    total: money(items - fee - credit + shipping),
    refundTo: input.refundTo,
  };
}
