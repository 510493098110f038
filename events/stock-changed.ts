import { z } from 'zod';
import { defineEvent } from './envelope.ts';

const locationAvailability = z.object({
  locationId: z.string(),
  onHand: z.number().int(),
  reserved: z.number().int(),
  safetyStock: z.number().int(),
  available: z.number().int(),
});

export const StockChanged = defineEvent(
  'StockChanged',
  '1.1',
  'The availability of a SKU changed at one or more locations (from the SKU network projection).',
  z.object({
    sku: z.string(),
    available: z.number().int().describe('Network availability after the change'),
    previousAvailable: z.number().int(),
    availableDelta: z.number().int().optional().describe('available - previousAvailable (since 1.1): rules match new stock with it'),
    locations: z.array(locationAvailability).describe('The locations that changed, with their new counts'),
    projectedAt: z.iso.datetime(),
  }),
);
