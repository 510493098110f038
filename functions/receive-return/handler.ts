import { requestReturn, ReturnConflictError } from '#application/orders/returns';
import { ReturnIdTakenError } from '#application/orders/ports';
import { ReturnRefusedError } from '#domain/orders/returns';
import { returnDeps } from '#adapters/orders';
import { httpHandler } from '#http/handler';
import { orderPathSchema, returnOrderSchema } from '#http/order-schemas';
import { orderView } from '#http/order-views';
import { ConflictError, ValidationError } from '#http/problem';
import { parseBody, pathParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

/** POST /orders/{orderId}/returns: an RMA, received now in store or authorised for mail; 201 when new, 200 for a repeated return id. */
export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const { orderId } = pathParameters(event, orderPathSchema);
  const request = parseBody(event, returnOrderSchema);
  try {
    const { order, received, repeated, exchangeOrderId } = await requestReturn(returnDeps, { tenantId, orderId, request });
    return json(repeated ? 200 : 201, { return: received, order: orderView(order), ...(exchangeOrderId ? { exchangeOrderId } : {}) });
  } catch (error) {
    if (error instanceof ReturnRefusedError) throw new ValidationError(error.problems);
    if (error instanceof ReturnConflictError) throw new ConflictError(error.message, [{ field: 'returnId', message: 'already used for another return of this order' }]);
    if (error instanceof ReturnIdTakenError) throw new ConflictError(error.message, [{ field: 'returnId', message: 'already used for a return of another order' }]);
    throw error;
  }
});
