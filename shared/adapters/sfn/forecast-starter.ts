import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ForecastWorkflowStarter } from '#application/demand/ports';
import { envGetter } from '#config/env';
import { stateMachineArnEnv } from '#config/names';

const client = new SFNClient({});
const stateMachineArn = envGetter(stateMachineArnEnv('demandForecast'));

/** A tenant's daily forecast run (Standard: a name is unique, so a second start of the same day is a no-op). */
export const sfnForecastStarter: ForecastWorkflowStarter = {
  async start({ name, tenantId, origin, correlationId }) {
    try {
      await client.send(new StartExecutionCommand({ stateMachineArn: stateMachineArn(), name, input: JSON.stringify({ tenantId, origin, correlationId }) }));
      return 'started';
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) return 'already-started';
      throw error;
    }
  },
};
