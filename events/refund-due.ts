import { z } from 'zod';
import { defineEvent } from './envelope.ts';
import { customerSchema } from './order-data.ts';

/** Decimal strings in the order's currency with its full decimals ("19.99", "1500" JPY): never binary floats. */
const amount = z.string().regex(/^\d+(\.\d+)?$/);

export const RefundDue = defineEvent(
  'RefundDue',
  '1.1',
  'A received return, or units cancelled line by line (an expired pickup, a pickup its store could not take), is owed a refund: the merchant\'s payment system pays `total` to `refundTo`. Sent once per return or cancellation, keyed by its id.',
  z.object({
    orderId: z.string(),
    returnId: z.string().describe('The return; for a cancellation (since 1.1), the cancellation id'),
    cause: z.enum(['return', 'pickup-expired', 'pickup-cancelled']).optional().describe('Since 1.1: what the refund is for (absent: a return)'),
    shipmentId: z.string().optional().describe('Since 1.1: the cancelled pickup, for a cancellation'),
    currency: z.string().describe('ISO 4217 code of the order'),
    items: amount.describe('Unit prices x units received'),
    shipping: amount.describe('Shipping given back under the tenant\'s return policy'),
    restockingFee: amount.describe('Kept under the tenant\'s return policy'),
    exchangeCredit: amount.describe('An exchange: the items\' value (less the fee) that paid for the replacement'),
    total: amount.describe('items - restockingFee - exchangeCredit + shipping'),
    refundTo: z.enum(['original', 'store-credit']),
    receivedAt: z.string().describe('When the return was received, or the units cancelled'),
    exchangeOrderId: z.string().optional(),
    channel: z.string(),
    externalId: z.string().optional(),
    customer: customerSchema,
  }),
);
