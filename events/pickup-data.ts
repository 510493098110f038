import { z } from 'zod';
import { shipmentEventData } from './order-data.ts';

/** A pickup's hold and hand-over as its events carry it. */
export const pickupStateSchema = z.object({
  readyAt: z.string(),
  /** The customer is reminded once, halfway through the store's hold. */
  remindAt: z.string(),
  remindedAt: z.string().optional(),
  /** Not collected by then: the pickup expires, its units go back on hand and its price is refunded. */
  expiresAt: z.string(),
  arrival: z.object({ at: z.string(), bay: z.string().optional(), vehicle: z.string().optional() }).optional(),
  pickedUpAt: z.string().optional(),
});

const interval = z.object({ opens: z.string().describe('Local HH:MM'), closes: z.string().describe('Local HH:MM, 24:00 for midnight') });

/**
 * A pickup's store as its customer is told (since 1.1): copied from the location when the pickup was planned and again
 * when the store made it ready, so a message needs no read back and shows the store as it was then.
 */
export const pickupStoreSchema = z.object({
  locationId: z.string(),
  name: z.string(),
  address: z
    .object({ line1: z.string().optional(), line2: z.string().optional(), city: z.string().optional(), region: z.string().optional(), postalCode: z.string(), country: z.string() })
    .optional(),
  timeZone: z.string().optional().describe('IANA zone of the store: its hours and the hold\'s end are local to it'),
  openingHours: z
    .object({ sun: z.array(interval).optional(), mon: z.array(interval).optional(), tue: z.array(interval).optional(), wed: z.array(interval).optional(), thu: z.array(interval).optional(), fri: z.array(interval).optional(), sat: z.array(interval).optional() })
    .optional()
    .describe('Local opening hours per weekday; a day left out is closed; absent: the store gave none'),
});

/** The data of every pickup event: the shipment's, with its hold and (since 1.1) its store. */
export const pickupEventData = shipmentEventData.extend({ pickup: pickupStateSchema, store: pickupStoreSchema.optional() });
