import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { envGetter } from '#config/env';
import { stateMachineArnEnv } from '#config/names';
import type { WorkflowStarter } from '#application/orders/fulfillment-ports';

const client = new SFNClient({});
const stateMachineArn = envGetter(stateMachineArnEnv('orderFulfillment'));

/** One execution per order attempt: the name `${orderId}-${attempt}` makes a second start of the same attempt a no-op. */
export const sfnWorkflowStarter: WorkflowStarter = {
  async start({ tenantId, orderId, attempt, correlationId }) {
    try {
      await client.send(
        new StartExecutionCommand({
          stateMachineArn: stateMachineArn(),
          name: `${orderId}-${attempt}`,
          input: JSON.stringify({ tenantId, orderId, attempt, correlationId }),
        }),
      );
      return 'started';
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) return 'already-started';
      throw error;
    }
  },
};
