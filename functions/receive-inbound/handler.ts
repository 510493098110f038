import { receiveInbound } from '#application/replenishment/inbound';
import { inboundDeps } from '#adapters/replenishment';
import { httpHandler } from '#http/handler';
import { inboundPathSchema, receiveInboundSchema } from '#http/replenishment-schemas';
import { inboundProblem, inboundView } from '#http/replenishment-views';
import { parseBody, pathParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

/** POST /inbound/{inboundId}/receive: units arrived, on hand at once (the same receiptId again: answered as recorded). */
export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const { inboundId } = pathParameters(event, inboundPathSchema);
  const receipt = parseBody(event, receiveInboundSchema);
  const result = await receiveInbound(inboundDeps, tenantId, inboundId, receipt).catch(inboundProblem);
  return json(200, { inbound: inboundView(result.inbound), receipt: result.receipt, applied: result.applied });
});
