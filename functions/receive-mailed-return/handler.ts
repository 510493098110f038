import { receiveReturn, ReturnConflictError } from '#application/orders/returns';
import { ReturnRefusedError } from '#domain/orders/returns';
import { returnDeps } from '#adapters/orders';
import { httpHandler } from '#http/handler';
import { receiveReturnSchema, returnPathSchema } from '#http/order-schemas';
import { orderView } from '#http/order-views';
import { ConflictError, ValidationError } from '#http/problem';
import { parseBody, pathParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

/** POST /returns/{returnId}/receive: a mail return arrived; 200 with the return received (the same receipt again: as recorded). */
export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const { returnId } = pathParameters(event, returnPathSchema);
  const receipt = parseBody(event, receiveReturnSchema);
  try {
    const { order, received, exchangeOrderId } = await receiveReturn(returnDeps, { tenantId, returnId, receipt });
    return json(200, { return: received, order: orderView(order), ...(exchangeOrderId ? { exchangeOrderId } : {}) });
  } catch (error) {
    if (error instanceof ReturnRefusedError) throw new ValidationError(error.problems);
    if (error instanceof ReturnConflictError) throw new ConflictError(error.message, [{ field: 'returnId', message: 'already received otherwise' }]);
    throw error;
  }
});
