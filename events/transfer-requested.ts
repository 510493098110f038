import { z } from 'zod';
import { defineEvent } from './envelope.ts';
import { transferHeaderSchema } from './transfer-data.ts';

export const TransferRequested = defineEvent(
  'TransferRequested',
  '1.0',
  'A transfer between two locations was requested: its units left the origin\'s stock and are in transit (sellable nowhere) until received.',
  transferHeaderSchema.extend({ requestedAt: z.string() }),
);
