import { orderExecutions } from '#application/ops/executions';
import { expressExecutionHistory, expressLogGroupsFromEnvironment } from '#adapters/cloudwatch-logs/express-execution-history';
import { dynamoOrderStore } from '#adapters/dynamodb/order-store';
import { sfnExecutionHistory } from '#adapters/sfn/execution-history';
import { httpHandler } from '#http/handler';
import { orderPathSchema } from '#http/order-schemas';
import { pathParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

// On AWS the fulfilment workflow's Express runs are read from its log group (its name is set there only); any other
// run, and every run on the local cloud, from Step Functions.
const executions = expressExecutionHistory({ logGroups: expressLogGroupsFromEnvironment(['orderFulfillment']), fallback: sfnExecutionHistory });
const deps = { orders: dynamoOrderStore, executions };

/** GET /orders/{orderId}/executions: the order's workflow runs with their state-by-state histories (ops console). */
export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const { orderId } = pathParameters(event, orderPathSchema);
  return json(200, await orderExecutions(deps, tenantId, orderId));
});
