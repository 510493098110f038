/**
 * Names shared by the deployed functions and both clouds' wiring: environment variables and the event source.
 * infra/topology.ts re-exports them; functions read them through shared/config so they never import infra/.
 */

/** The event source of everything the DOM publishes on its bus. */
export const EVENT_SOURCE = 'dom';

/** Environment variable names shared by every function, in both clouds. */
export const ENV = {
  tableName: 'TABLE_NAME',
  busName: 'EVENT_BUS_NAME',
  /** `true` lets webhooks use loopback http URLs: the local cloud only (see shared/config/webhooks.ts). */
  webhookAllowInsecureLoopback: 'WEBHOOK_ALLOW_INSECURE_LOOPBACK',
} as const;

function screamingSnake(id: string): string {
  return id.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}

/** `WORKFLOW_FAILURES_QUEUE_URL` for the queue `workflowFailures`: the variable through which a function finds a queue. */
export function queueUrlEnv(queue: string): string {
  return `${screamingSnake(queue)}_QUEUE_URL`;
}

/** `WEBHOOK_DELIVERIES_DLQ_URL` for the queue `webhookDeliveries`: how a function finds a queue's dead-letter queue. */
export function deadLetterQueueUrlEnv(queue: string): string {
  return `${screamingSnake(queue)}_DLQ_URL`;
}

/** `TENANT_ONBOARDING_STATE_MACHINE_ARN` for the state machine `tenantOnboarding`. */
export function stateMachineArnEnv(stateMachine: string): string {
  return `${screamingSnake(stateMachine)}_STATE_MACHINE_ARN`;
}

/**
 * `ORDER_FULFILLMENT_LOG_GROUP_NAME` for the state machine `orderFulfillment`: the log group an Express machine logs its
 * executions to, the only place their histories are kept on AWS. Set on AWS only; locally Step Functions keeps them.
 */
export function stateMachineLogGroupEnv(stateMachine: string): string {
  return `${screamingSnake(stateMachine)}_LOG_GROUP_NAME`;
}
