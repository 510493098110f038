import { z } from 'zod';
import { defineEvent } from './envelope.ts';

export const ReorderSuggested = defineEvent(
  'ReorderSuggested',
  '1.0',
  'A SKU at a location reached its reorder point: its position (available + on order) is at or below the reorder point of its latest forecast. Published once per crossing (`crossing` counts them); it rearms when the position rises above the reorder point.',
  z.object({
    sku: z.string(),
    locationId: z.string(),
    available: z.number().int().describe('Sellable units at the location when it crossed (never below 0)'),
    onOrder: z.number().int().describe('Units of open inbound shipments not yet received'),
    position: z.number().int().describe('available + onOrder'),
    reorderPoint: z.number().int(),
    orderUpTo: z.number().int().describe('The reorder point plus the expected demand of one review period after the lead time'),
    suggestedQuantity: z.number().int().describe('orderUpTo - position'),
    forecastOrigin: z.string().optional().describe('The last day of history of the forecast the levels came from'),
    crossing: z.number().int().describe('How many times this SKU x location has crossed: with sku and locationId, the crossing\'s id'),
  }),
);
