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

/** The data of every pickup event: the shipment's, with its hold. */
export const pickupEventData = shipmentEventData.extend({ pickup: pickupStateSchema });
