import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { envGetter } from '#config/env';
import { stateMachineArnEnv } from '#config/names';
import type { WorkflowStarter } from '#application/orders/fulfillment-ports';

const client = new SFNClient({});
const stateMachineArn = envGetter(stateMachineArnEnv('orderFulfillment'));

/** One execution per order attempt: its name (claimed on the order, see attempts.ts) makes a second start a no-op. */
export const sfnWorkflowStarter: WorkflowStarter = {
  async start({ tenantId, orderId, attempt, name, correlationId }) {
    try {
      await client.send(
        new StartExecutionCommand({
          stateMachineArn: stateMachineArn(),
          name,
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
