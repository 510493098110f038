import { placeOrderSchema } from '#domain/orders/intake';
import { IdempotencyConflictError, OrderReferenceError, placeOrder } from '#application/orders/place-order';
import { placeOrderDeps } from '#adapters/orders';
import { httpHandler } from '#http/handler';
import { idempotencyKeySchema } from '#http/order-schemas';
import { ConflictError, ValidationError } from '#http/problem';
import { headerOf, parseBody, tenantIdOf, validate } from '#http/request';
import { json } from '#http/response';

export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const body = parseBody(event, placeOrderSchema);
  const key = headerOf(event, 'idempotency-key');
  const idempotencyKey = key === undefined ? undefined : validate(key, idempotencyKeySchema, 'header.Idempotency-Key');
  try {
    const placed = await placeOrder(placeOrderDeps, tenantId, body, idempotencyKey);
    return json(placed.created ? 202 : 200, { orderId: placed.orderId, status: placed.status }, { location: `/orders/${placed.orderId}` });
  } catch (error) {
    if (error instanceof OrderReferenceError) throw new ValidationError(error.fields);
    if (error instanceof IdempotencyConflictError) throw new ConflictError(error.message, [{ field: error.guard === 'idempotencyKey' ? 'header.Idempotency-Key' : 'externalId', message: 'already used with a different body' }]);
    throw error;
  }
});
