import { z } from 'zod';

/** What every transfer event carries (issue 18 part 5): which transfer, from where to where, and its lines. */
export const transferLineSchema = z.object({ sku: z.string(), quantity: z.number().int() });

export const transferHeaderSchema = z.object({
  transferId: z.string(),
  fromLocationId: z.string(),
  toLocationId: z.string(),
  /** Every line of the transfer: units requested, and received so far. */
  lines: z.array(z.object({ sku: z.string(), quantity: z.number().int(), received: z.number().int() })),
  status: z.string(),
  reason: z.string().optional(),
  suggestionId: z.string().optional(),
  expectedArrivalAt: z.string().optional(),
});
