/**
 * The one manifest of the DOM's moving parts. The CDK app (infra/aws) and the embedded local cloud (infra/local) are
 * both built from this file, so the two clouds cannot drift apart. Nothing here imports CDK or the local cloud.
 */

export type FunctionId =
  | 'authorizeRequest'
  | 'getHealth'
  | 'getOpenapi'
  | 'getTenant'
  | 'publishTableEvents'
  | 'seedTenantDefaults';

export type QueueId = 'tableEventsDlq' | 'workflowFailures';

export type StateMachineId = 'tenantOnboarding';

/** What a function may touch. CDK turns these into least-privilege grants; locally they document intent. */
export interface FunctionGrants {
  table?: 'read' | 'readWrite';
  bus?: 'put';
  queues?: QueueId[];
  stateMachines?: StateMachineId[];
}

export interface FunctionSpec {
  /** Path from the repository root to the handler module; it exports `handler`. */
  entry: string;
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  grants: FunctionGrants;
}

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** API Gateway path syntax: `/orders/{orderId}`. */
  path: string;
  function: FunctionId;
  /** `apiKey`: the Lambda authorizer runs first and the handler sees the tenant in the authorizer context. */
  auth: 'apiKey' | 'none';
}

/** An EventBridge event pattern, as documented by AWS (exact values, prefix, suffix, anything-but, numeric, ...). */
export type EventPattern = { [key: string]: unknown };

export type RuleTarget =
  | { kind: 'stateMachine'; stateMachine: StateMachineId }
  | { kind: 'function'; function: FunctionId }
  | { kind: 'queue'; queue: QueueId };

export interface RuleSpec {
  description: string;
  pattern: EventPattern;
  targets: RuleTarget[];
}

export interface QueueSpec {
  description: string;
  visibilityTimeoutSeconds: number;
  /** Receives before a message moves to this queue's dead-letter queue. */
  maxReceiveCount: number;
  /** Seconds a message is kept; the DLQ keeps its messages 14 days. */
  retentionSeconds: number;
}

/** The table's DynamoDB stream feeding a function (Lambda event source mapping). */
export interface StreamMappingSpec {
  function: FunctionId;
  batchSize: number;
  maxBatchingWindowSeconds: number;
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** Retries of a failing batch before its records go to the on-failure queue. */
  retryAttempts: number;
  bisectBatchOnError: boolean;
  onFailure: QueueId;
}

/** A queue feeding a function, reporting partial batch failures. */
export interface QueueMappingSpec {
  queue: QueueId;
  function: FunctionId;
  batchSize: number;
  maxBatchingWindowSeconds: number;
}

/**
 * A `${Placeholder}` in an ASL file and what fills it: a function's ARN, a queue's URL, the bus name or the table name.
 */
export type Substitution =
  | { functionArn: FunctionId }
  | { queueUrl: QueueId }
  | { busName: true }
  | { tableName: true };

export interface StateMachineSpec {
  description: string;
  /** Path from the repository root to the ASL (JSONPath) definition. */
  definitionFile: string;
  substitutions: Record<string, Substitution>;
}

export interface Topology {
  functions: Record<FunctionId, FunctionSpec>;
  routes: RouteSpec[];
  rules: Record<string, RuleSpec>;
  queues: Record<QueueId, QueueSpec>;
  streamMappings: Record<string, StreamMappingSpec>;
  queueMappings: Record<string, QueueMappingSpec>;
  stateMachines: Record<StateMachineId, StateMachineSpec>;
}

/** The event source of everything the DOM publishes on its bus. */
export const EVENT_SOURCE = 'dom';

/** Environment variable names shared by every function, in both clouds. */
export const ENV = {
  tableName: 'TABLE_NAME',
  busName: 'EVENT_BUS_NAME',
} as const;

/** `WORKFLOW_FAILURES_QUEUE_URL` for `workflowFailures`: the variable through which a function finds a queue. */
export function queueUrlEnv(queue: QueueId): string {
  return `${queue.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}_QUEUE_URL`;
}

/** `TENANT_ONBOARDING_STATE_MACHINE_ARN` for `tenantOnboarding`. */
export function stateMachineArnEnv(stateMachine: StateMachineId): string {
  return `${stateMachine.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}_STATE_MACHINE_ARN`;
}

export const topology: Topology = {
  functions: {
    authorizeRequest: {
      entry: 'functions/authorize-request/handler.ts',
      description: 'API Gateway Lambda authorizer: maps a bearer API key to its tenant',
      memoryMb: 256,
      timeoutSeconds: 5,
      grants: { table: 'read' },
    },
    getHealth: {
      entry: 'functions/get-health/handler.ts',
      description: 'GET /health: liveness of the API',
      memoryMb: 128,
      timeoutSeconds: 3,
      grants: {},
    },
    getOpenapi: {
      entry: 'functions/get-openapi/handler.ts',
      description: 'GET /openapi.json: the OpenAPI 3.1 document built from the request schemas',
      memoryMb: 256,
      timeoutSeconds: 5,
      grants: {},
    },
    getTenant: {
      entry: 'functions/get-tenant/handler.ts',
      description: 'GET /tenant: the calling tenant',
      memoryMb: 256,
      timeoutSeconds: 5,
      grants: { table: 'read' },
    },
    publishTableEvents: {
      entry: 'functions/publish-table-events/handler.ts',
      description: 'Table stream consumer: turns committed item changes into domain events on the bus (outbox)',
      memoryMb: 512,
      timeoutSeconds: 30,
      grants: { bus: 'put' },
    },
    seedTenantDefaults: {
      entry: 'functions/seed-tenant-defaults/handler.ts',
      description: 'Tenant onboarding task: writes the default settings of a new tenant',
      memoryMb: 256,
      timeoutSeconds: 10,
      grants: { table: 'readWrite' },
    },
  },

  routes: [
    { method: 'GET', path: '/health', function: 'getHealth', auth: 'none' },
    { method: 'GET', path: '/openapi.json', function: 'getOpenapi', auth: 'none' },
    { method: 'GET', path: '/tenant', function: 'getTenant', auth: 'apiKey' },
  ],

  rules: {
    tenantCreated: {
      description: 'A new tenant starts its onboarding workflow',
      pattern: { source: [EVENT_SOURCE], 'detail-type': ['TenantCreated'] },
      targets: [{ kind: 'stateMachine', stateMachine: 'tenantOnboarding' }],
    },
  },

  queues: {
    tableEventsDlq: {
      description: 'Stream batches the event publisher could not deliver after its retries',
      visibilityTimeoutSeconds: 60,
      maxReceiveCount: 5,
      retentionSeconds: 14 * 24 * 3600,
    },
    workflowFailures: {
      description: 'Workflow executions that ended in a failure state, for ops',
      visibilityTimeoutSeconds: 60,
      maxReceiveCount: 5,
      retentionSeconds: 14 * 24 * 3600,
    },
  },

  streamMappings: {
    tableEvents: {
      function: 'publishTableEvents',
      batchSize: 100,
      maxBatchingWindowSeconds: 0,
      startingPosition: 'TRIM_HORIZON',
      retryAttempts: 5,
      bisectBatchOnError: true,
      onFailure: 'tableEventsDlq',
    },
  },

  queueMappings: {},

  stateMachines: {
    tenantOnboarding: {
      description: 'Onboards a new tenant: seeds its default settings',
      definitionFile: 'state-machines/tenant-onboarding.asl.json',
      substitutions: {
        SeedTenantDefaultsFunctionArn: { functionArn: 'seedTenantDefaults' },
        WorkflowFailuresQueueUrl: { queueUrl: 'workflowFailures' },
      },
    },
  },
};
