import { z } from 'zod';
import { defineEvent } from './envelope.ts';
import { customerSchema } from './order-data.ts';

export const ShipmentsReoptimised = defineEvent(
  'ShipmentsReoptimised',
  '1.0',
  'An allocated order\'s shipments, none yet accepted by their location, were moved when a release window was planned jointly with them and that saved at least the rule set\'s minSaving (issue 17). The cancelled shipments also send ShipmentCancelled, the new ones FulfillmentRequested. Sent once per order and window.',
  z.object({
    orderId: z.string(),
    reoptimisationId: z.string().describe('The window that moved the order'),
    at: z.string(),
    withOrders: z.array(z.string()).describe('The window\'s orders it was planned with'),
    moves: z.array(z.object({ sku: z.string(), quantity: z.number().int(), fromLocationId: z.string(), toLocationId: z.string() })),
    saved: z.number().describe('What the joint plan saved over keeping every allocation, in the cost model\'s dollars'),
    cancelledShipmentIds: z.array(z.string()),
    requestedShipmentIds: z.array(z.string()),
    allocations: z.array(z.object({ lineId: z.string(), sku: z.string(), locationId: z.string(), quantity: z.number().int() })),
    channel: z.string(),
    externalId: z.string().optional(),
    customer: customerSchema,
  }),
);
