import { z } from 'zod';
import { defineEvent } from './envelope.ts';

export const StockLow = defineEvent(
  'StockLow',
  '1.0',
  'A SKU\'s network availability dropped below its low-stock threshold (published once per crossing).',
  z.object({ sku: z.string(), available: z.number().int(), threshold: z.number().int() }),
);
