import { z } from 'zod';
import { defineEvent } from './envelope.ts';
import { transferHeaderSchema } from './transfer-data.ts';

export const TransferCancelled = defineEvent(
  'TransferCancelled',
  '1.0',
  'A transfer that had not shipped was cancelled: its units are back on hand at the origin.',
  transferHeaderSchema.extend({ cancelledAt: z.string() }),
);
