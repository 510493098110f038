import { z } from 'zod';
import { defineEvent } from './envelope.ts';

export const InboundReceived = defineEvent(
  'InboundReceived',
  '1.0',
  'A receipt against an inbound shipment: its units are on hand at the location (one per receipt id).',
  z.object({
    inboundId: z.string(),
    locationId: z.string(),
    receiptId: z.string(),
    receivedAt: z.string(),
    status: z.enum(['PARTIALLY_RECEIVED', 'RECEIVED']),
    lines: z.array(z.object({ sku: z.string(), quantity: z.number().int().describe('Units received by this receipt'), received: z.number().int().describe('Units received in all'), expected: z.number().int() })),
  }),
);
