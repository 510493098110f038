import { z } from 'zod';
import { defineEvent } from './envelope.ts';
import { transferHeaderSchema, transferLineSchema } from './transfer-data.ts';

export const TransferReceived = defineEvent(
  'TransferReceived',
  '1.0',
  'Units of a transfer were received at its destination and are on hand there; one event per receipt (status RECEIVED once every unit is in).',
  transferHeaderSchema.extend({
    receiptId: z.string(),
    receivedAt: z.string(),
    /** The units this receipt put on hand. */
    received: z.array(transferLineSchema),
    /** Units still in transit after this receipt. */
    inTransit: z.array(transferLineSchema),
  }),
);
