import { z } from 'zod';
import { defineEvent } from './envelope.ts';
import { transferHeaderSchema } from './transfer-data.ts';

export const TransferShipped = defineEvent(
  'TransferShipped',
  '1.0',
  'The units of a transfer left its origin (carrier, tracking and expected arrival when given).',
  transferHeaderSchema.extend({ shippedAt: z.string(), carrier: z.string().optional(), trackingNumber: z.string().optional() }),
);
