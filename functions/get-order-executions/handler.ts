import { orderExecutions } from '#application/ops/executions';
import { dynamoOrderStore } from '#adapters/dynamodb/order-store';
import { sfnExecutionHistory } from '#adapters/sfn/execution-history';
import { httpHandler } from '#http/handler';
import { orderPathSchema } from '#http/order-schemas';
import { pathParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

const deps = { orders: dynamoOrderStore, executions: sfnExecutionHistory };

/** GET /orders/{orderId}/executions: the order's workflow runs with their state-by-state histories (ops console). */
export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const { orderId } = pathParameters(event, orderPathSchema);
  return json(200, await orderExecutions(deps, tenantId, orderId));
});
