import { z } from 'zod';
import { locationIdSchema } from '#domain/inventory/schemas';
import { TRANSFER_STATUSES, transferIdSchema } from '#domain/inventory/transfer';

/** The HTTP views of transfers (the request schemas are the domain's: shared/domain/inventory/transfer.ts). */
export const transferPathSchema = z.strictObject({ transferId: transferIdSchema });

export const listTransfersQuerySchema = z
  .strictObject({
    fromLocationId: locationIdSchema.optional().describe('The transfers leaving this location'),
    toLocationId: locationIdSchema.optional().describe('The transfers coming to this location'),
    status: z.enum(TRANSFER_STATUSES).optional().describe('Only transfers in this status'),
    limit: z.coerce.number().int('must be an integer').min(1, 'must be >= 1').max(100, 'must be <= 100').default(50),
    cursor: z.string().max(2048, 'must be at most 2048 characters').optional().describe('The `nextCursor` of the previous page'),
  })
  .superRefine((query, ctx) => {
    if ((query.fromLocationId === undefined) === (query.toLocationId === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['fromLocationId'], message: 'give exactly one of fromLocationId and toLocationId' });
    }
  });

const lineSchema = z.object({ sku: z.string(), quantity: z.number().int() });

export const transferSchema = z
  .object({
    transferId: z.string(),
    fromLocationId: z.string(),
    toLocationId: z.string(),
    status: z.enum(TRANSFER_STATUSES),
    lines: z.array(z.object({ sku: z.string(), quantity: z.number().int(), received: z.number().int(), inTransit: z.number().int() })),
    reason: z.string().optional(),
    suggestionId: z.string().optional().describe('The rebalancing suggestion this transfer was created from'),
    expectedArrivalAt: z.string().optional(),
    shipment: z.object({ shippedAt: z.string(), carrier: z.string().optional(), trackingNumber: z.string().optional() }).optional(),
    receipts: z.array(z.object({ receiptId: z.string(), receivedAt: z.string(), lines: z.array(lineSchema) })),
    requestedAt: z.string(),
    updatedAt: z.string(),
    receivedAt: z.string().optional(),
    cancelledAt: z.string().optional(),
    version: z.number().int(),
  })
  .meta({ id: 'Transfer' });

export const transferPageSchema = z
  .object({ items: z.array(transferSchema), nextCursor: z.string().optional().describe('Pass as `cursor` for the next page; absent on the last') })
  .meta({ id: 'TransferPage' });
