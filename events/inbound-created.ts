import { z } from 'zod';
import { defineEvent } from './envelope.ts';

export const InboundCreated = defineEvent(
  'InboundCreated',
  '1.0',
  'Stock is on its way to a location (POST /inbound): its lines are on order there until received.',
  z.object({
    inboundId: z.string(),
    locationId: z.string(),
    expectedAt: z.string(),
    supplierId: z.string().optional(),
    reference: z.string().optional(),
    tolerancePercent: z.number(),
    lines: z.array(z.object({ sku: z.string(), expected: z.number().int() })),
  }),
);
