import { getInbound } from '#application/replenishment/inbound';
import { inboundDeps } from '#adapters/replenishment';
import { httpHandler } from '#http/handler';
import { inboundPathSchema } from '#http/replenishment-schemas';
import { inboundView } from '#http/replenishment-views';
import { pathParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

/** GET /inbound/{inboundId}: an inbound with its lines (expected, received, on order) and receipts; 404 when unknown. */
export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const { inboundId } = pathParameters(event, inboundPathSchema);
  return json(200, inboundView(await getInbound(inboundDeps, tenantId, inboundId)));
});
