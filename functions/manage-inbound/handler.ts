import { getInbound, receiveInbound, receiveInboundNotice } from '#application/replenishment/inbound';
import { inboundDeps } from '#adapters/replenishment';
import { httpHandler } from '#http/handler';
import { createInboundSchema, inboundPathSchema, receiveInboundSchema } from '#http/replenishment-schemas';
import { inboundProblem, inboundView } from '#http/replenishment-views';
import { parseBody, pathParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

/**
 * Inbound stock (one function for its three routes: the stateless stack is near CloudFormation's 500 resources):
 * - POST /inbound: on its way to a location, on order there until received; 201 (a retry with its inboundId: 200);
 * - POST /inbound/{inboundId}/receive: units on hand at once (the same receiptId again: answered as recorded);
 * - GET /inbound/{inboundId}: its lines (expected, received, on order) and receipts; 404 when unknown.
 */
export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  if (event.resource === '/inbound') {
    const { inbound, created } = await receiveInboundNotice(inboundDeps, tenantId, parseBody(event, createInboundSchema)).catch(inboundProblem);
    return json(created ? 201 : 200, inboundView(inbound));
  }
  const { inboundId } = pathParameters(event, inboundPathSchema);
  if (event.httpMethod === 'POST') {
    const result = await receiveInbound(inboundDeps, tenantId, inboundId, parseBody(event, receiveInboundSchema)).catch(inboundProblem);
    return json(200, { inbound: inboundView(result.inbound), receipt: result.receipt, applied: result.applied });
  }
  return json(200, inboundView(await getInbound(inboundDeps, tenantId, inboundId)));
});
