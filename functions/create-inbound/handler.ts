import { receiveInboundNotice } from '#application/replenishment/inbound';
import { inboundDeps } from '#adapters/replenishment';
import { httpHandler } from '#http/handler';
import { createInboundSchema } from '#http/replenishment-schemas';
import { inboundProblem, inboundView } from '#http/replenishment-views';
import { parseBody, tenantIdOf } from '#http/request';
import { json } from '#http/response';

/** POST /inbound: stock on its way to a location, on order there until received; 201 (a retry with its inboundId: 200). */
export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const input = parseBody(event, createInboundSchema);
  const { inbound, created } = await receiveInboundNotice(inboundDeps, tenantId, input).catch(inboundProblem);
  return json(created ? 201 : 200, inboundView(inbound));
});
