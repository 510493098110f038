/**
 * The one manifest of the DOM's moving parts. The CDK app (infra/aws) and the embedded local cloud (infra/local) are
 * both built from this file, so the two clouds cannot drift apart. Nothing here imports CDK or the local cloud.
 */
import { EVENT_SOURCE } from '../shared/config/names.ts';

export { deadLetterQueueUrlEnv, ENV, EVENT_SOURCE, queueUrlEnv, stateMachineArnEnv, stateMachineLogGroupEnv } from '../shared/config/names.ts';

export type FunctionId =
  | 'authorizeRequest'
  | 'getHealth'
  | 'getOpenapi'
  | 'getTenant'
  | 'putTenantSettings'
  | 'publishTableEvents'
  | 'seedTenantDefaults'
  | 'putLocation'
  | 'getLocations'
  | 'getLocation'
  | 'putSku'
  | 'getSku'
  | 'putChannel'
  | 'getChannels'
  | 'adjustInventory'
  | 'getSkuInventory'
  | 'getAvailability'
  | 'getLocationInventory'
  | 'consumeInventoryFeed'
  | 'handleInventoryChanges'
  | 'importDemandHistory'
  | 'getDemandHistory'
  | 'getForecasts'
  | 'manageReplenishment'
  | 'manageInbound'
  | 'startDemandForecasts'
  | 'planDemandForecast'
  | 'forecastSkuChunk'
  | 'createWebhook'
  | 'listWebhooks'
  | 'deleteWebhook'
  | 'testWebhook'
  | 'listWebhookDeliveries'
  | 'fanOutWebhooks'
  | 'deliverWebhook'
  | 'placeOrder'
  | 'getOrder'
  | 'listOrders'
  | 'cancelOrder'
  | 'retryOrder'
  | 'receiveReturn'
  | 'receiveMailedReturn'
  | 'putReturnPolicy'
  | 'updateShipment'
  | 'updatePickup'
  | 'listLocationShipments'
  | 'createApiKey'
  | 'listApiKeys'
  | 'revokeApiKey'
  | 'startFulfillment'
  | 'planFulfillment'
  | 'reserveStock'
  | 'rateShipment'
  | 'markOrderFailed'
  | 'retryBackorders'
  | 'sweepStuckOrders'
  | 'flagLateShipments'
  | 'releaseOrderWindows'
  | 'reconcileStock'
  | 'putRoutingRules'
  | 'simulateRouting'
  | 'manageShadowRules'
  | 'getRoutingRules'
  | 'getOrderExecutions'
  | 'listDeadLetters'
  | 'redriveDeadLetters'
  | 'getOpsKpis'
  | 'manageTransfers'
  | 'rebalanceStock';

export type QueueId = 'tableEventsDlq' | 'eventDeliveryDlq' | 'workflowFailures' | 'inventoryFeed' | 'inventoryStreamDlq' | 'webhookEvents' | 'webhookDeliveries';

export type StateMachineId = 'tenantOnboarding' | 'orderFulfillment' | 'demandForecast';

/** What a function may touch. CDK turns these into least-privilege grants; locally they document intent. */
export interface FunctionGrants {
  table?: 'read' | 'readWrite';
  /** PartiQL writes (INSERT, UPDATE) on the table, which table grants do not cover: for BatchExecuteStatement. */
  tableStatements?: 'write';
  bus?: 'put';
  queues?: QueueId[];
  stateMachines?: StateMachineId[];
  /**
   * Queues whose dead letters the function reads and moves back: it receives, deletes and hides messages of each
   * queue's DLQ and sends to the queue (the ops console's redrive). It is told both URLs.
   */
  deadLetters?: QueueId[];
  /**
   * State machines whose executions the function describes and reads the history of (never starts or stops). For an
   * EXPRESS machine, whose runs keep their history in its log group only on AWS, it is also told the machine's ARN and
   * log group and may search that log group (logs:FilterLogEvents), nothing else of CloudWatch Logs.
   */
  executionHistory?: StateMachineId[];
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
  /**
   * A 2xx from this route revokes a credential. The local gateway then drops its cached authorizer decisions, so the
   * revoked key fails at once; API Gateway on AWS keeps a cached decision until its TTL (`resultsCacheTtl`, 60 s).
   */
  revokesCredentials?: true;
}

/**
 * How much the REST API accepts. Two layers: one throttle for the whole stage (API Gateway's token bucket, shared by
 * every caller: the backstop that protects the account's capacity), and a limit per API key so that one tenant cannot
 * use up the stage's share of the others (an AWS WAF rate-based rule keyed on the `Authorization` header; the local
 * gateway emulates it). See docs/aws.md, "Per-tenant throttling".
 */
export interface ApiLimitsSpec {
  /** Requests per second (steady) and burst of the stage's method throttling, for all callers together. */
  stageThrottle: { rateLimit: number; burstLimit: number };
  /**
   * Requests one API key (one `Authorization` header value) may send within a trailing window. WAF accepts windows of
   * 60, 120, 300 or 600 s and a limit of at least 10.
   */
  perApiKey: { limit: number; windowSeconds: 60 | 120 | 300 | 600 };
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
  /**
   * Lambda event filtering (FilterCriteria): only records matching one of these patterns (EventBridge pattern syntax,
   * applied to the Lambda-shaped stream record) reach the function; the others count as processed.
   */
  filters?: EventPattern[];
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
  /**
   * STANDARD where something waits or must run exactly once; EXPRESS for short synchronous work that is idempotent
   * step by step (at least once, names not deduped, priced by duration instead of per transition).
   */
  type: 'STANDARD' | 'EXPRESS';
  /** Path from the repository root to the ASL (JSONPath) definition. */
  definitionFile: string;
  substitutions: Record<string, Substitution>;
}

/** The one DynamoDB table: generic keys, one GSI, a stream with both images and a TTL attribute. */
export interface TableSpec {
  partitionKey: 'pk';
  sortKey: 'sk';
  globalIndexes: Array<{ name: string; partitionKey: string; sortKey: string }>;
  ttlAttribute: string;
  streamViewType: 'NEW_AND_OLD_IMAGES';
}

/** A function run on a fixed rate (EventBridge Scheduler on AWS, a timer locally). */
export interface ScheduleSpec {
  description: string;
  function: FunctionId;
  rateMinutes: number;
}

export interface Topology {
  table: TableSpec;
  functions: Record<FunctionId, FunctionSpec>;
  routes: RouteSpec[];
  apiLimits: ApiLimitsSpec;
  rules: Record<string, RuleSpec>;
  /** Where every rule target's undeliverable events go after EventBridge's retries. */
  ruleTargetDeadLetterQueue: QueueId;
  queues: Record<QueueId, QueueSpec>;
  streamMappings: Record<string, StreamMappingSpec>;
  queueMappings: Record<string, QueueMappingSpec>;
  stateMachines: Record<StateMachineId, StateMachineSpec>;
  schedules: Record<string, ScheduleSpec>;
}

export const topology: Topology = {
  table: {
    partitionKey: 'pk',
    sortKey: 'sk',
    globalIndexes: [
      { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
      { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    ],
    ttlAttribute: 'expiresAt',
    streamViewType: 'NEW_AND_OLD_IMAGES',
  },

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
    putTenantSettings: {
      entry: 'functions/put-tenant-settings/handler.ts',
      description: 'PUT /tenant/settings: the tenant\'s routing defaults (preference, split policy) and custom regions for rule scopes',
      memoryMb: 256,
      timeoutSeconds: 10,
      grants: { table: 'readWrite' },
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
    putLocation: {
      entry: 'functions/put-location/handler.ts',
      description: 'PUT /locations/{locationId}: creates or replaces a location (US ZIPs geocoded offline)',
      memoryMb: 512,
      timeoutSeconds: 10,
      grants: { table: 'readWrite' },
    },
    getLocations: {
      entry: 'functions/get-locations/handler.ts',
      description: 'GET /locations: pages the tenant\'s locations',
      memoryMb: 256,
      timeoutSeconds: 5,
      grants: { table: 'read' },
    },
    getLocation: {
      entry: 'functions/get-location/handler.ts',
      description: 'GET /locations/{locationId}: one location',
      memoryMb: 256,
      timeoutSeconds: 5,
      grants: { table: 'read' },
    },
    putSku: {
      entry: 'functions/put-sku/handler.ts',
      description: 'PUT /skus/{sku}: creates or replaces a catalogue SKU',
      memoryMb: 256,
      timeoutSeconds: 5,
      grants: { table: 'readWrite' },
    },
    getSku: {
      entry: 'functions/get-sku/handler.ts',
      description: 'GET /skus/{sku}: one catalogue SKU',
      memoryMb: 256,
      timeoutSeconds: 5,
      grants: { table: 'read' },
    },
    putChannel: {
      entry: 'functions/put-channel/handler.ts',
      description: 'PUT /channels/{channel}: the stock a channel may not sell (hold-back for other channels)',
      memoryMb: 256,
      timeoutSeconds: 5,
      grants: { table: 'readWrite' },
    },
    getChannels: {
      entry: 'functions/get-channels/handler.ts',
      description: 'GET /channels: the tenant\'s channel hold-back rules',
      memoryMb: 256,
      timeoutSeconds: 5,
      grants: { table: 'read' },
    },
    adjustInventory: {
      entry: 'functions/adjust-inventory/handler.ts',
      description: 'POST /inventory/adjustments: absolute counts and movements, up to 500, answered per item',
      memoryMb: 512,
      timeoutSeconds: 29,
      grants: { table: 'readWrite' },
    },
    getSkuInventory: {
      entry: 'functions/get-sku-inventory/handler.ts',
      description: 'GET /inventory/{sku}: a SKU\'s availability at every location (optionally for a channel)',
      memoryMb: 256,
      timeoutSeconds: 5,
      grants: { table: 'read' },
    },
    getAvailability: {
      entry: 'functions/get-availability/handler.ts',
      description: 'GET /availability: the stores near a customer that can hold a pickup of a SKU now (stock, distance, free slots, ready-by)',
      memoryMb: 256,
      timeoutSeconds: 5,
      grants: { table: 'read' },
    },
    getLocationInventory: {
      entry: 'functions/get-location-inventory/handler.ts',
      description: 'GET /inventory?locationId=: pages a location\'s stock',
      memoryMb: 256,
      timeoutSeconds: 5,
      grants: { table: 'read' },
    },
    consumeInventoryFeed: {
      entry: 'functions/consume-inventory-feed/handler.ts',
      description: 'Inventory feed queue consumer: adjustments from a WMS/ERP integration, partial batch failures',
      memoryMb: 512,
      timeoutSeconds: 60,
      grants: { table: 'readWrite' },
    },
    handleInventoryChanges: {
      entry: 'functions/handle-inventory-changes/handler.ts',
      description: 'Table stream consumer: keeps the per-SKU network projection and gives back the units of expired reservations',
      memoryMb: 512,
      timeoutSeconds: 30,
      grants: { table: 'readWrite', tableStatements: 'write' },
    },
    importDemandHistory: {
      entry: 'functions/import-demand-history/handler.ts',
      description: 'POST /demand-history: past sales (text/csv or JSON rows, up to 5,000) set as daily demand history',
      memoryMb: 512,
      timeoutSeconds: 29,
      grants: { table: 'readWrite' },
    },
    getDemandHistory: {
      entry: 'functions/get-demand-history/handler.ts',
      description: 'GET /demand-history/{sku}?from=&to=: a SKU\'s daily demand per location and per destination region',
      memoryMb: 256,
      timeoutSeconds: 10,
      grants: { table: 'read' },
    },
    getForecasts: {
      entry: 'functions/get-forecasts/handler.ts',
      description: 'GET /forecasts/{sku}?locationId=: the latest stored demand forecast and reorder points of a SKU',
      memoryMb: 256,
      timeoutSeconds: 5,
      grants: { table: 'read' },
    },
    manageReplenishment: {
      entry: 'functions/manage-replenishment/handler.ts',
      description: 'GET /replenishment?status=below-reorder|all (reorder suggestions: reorder point, order-up-to, on order, quantity; paged); GET / PUT /replenishment/settings (service level, lead times, review period)',
      memoryMb: 256,
      timeoutSeconds: 10,
      grants: { table: 'readWrite' },
    },
    manageInbound: {
      entry: 'functions/manage-inbound/handler.ts',
      description: 'POST /inbound (lines on order at a location, one transaction), GET /inbound/{inboundId}, POST /inbound/{inboundId}/receive (units on hand and off order with the inbound, one transaction)',
      memoryMb: 256,
      timeoutSeconds: 10,
      grants: { table: 'readWrite' },
    },
    startDemandForecasts: {
      entry: 'functions/start-demand-forecasts/handler.ts',
      description: 'Scheduled daily: starts one demand forecast run per tenant (named tenant-origin, so once a day)',
      memoryMb: 256,
      timeoutSeconds: 120,
      grants: { table: 'read', stateMachines: ['demandForecast'] },
    },
    planDemandForecast: {
      entry: 'functions/plan-demand-forecast/handler.ts',
      description: 'Demand forecast task: the run\'s origin, settings and the tenant\'s SKUs with history in chunks',
      memoryMb: 512,
      timeoutSeconds: 60,
      grants: { table: 'read' },
    },
    forecastSkuChunk: {
      entry: 'functions/forecast-sku-chunk/handler.ts',
      description: 'Demand forecast task (one Map item): reads a chunk of SKUs\' history, forecasts, stores forecasts and reorder points',
      memoryMb: 1024,
      timeoutSeconds: 120,
      grants: { table: 'readWrite' },
    },
    createWebhook: {
      entry: 'functions/create-webhook/handler.ts',
      description: 'POST /webhooks: registers a webhook subscription and shows its signing secret once',
      memoryMb: 256,
      timeoutSeconds: 10,
      grants: { table: 'readWrite' },
    },
    listWebhooks: {
      entry: 'functions/list-webhooks/handler.ts',
      description: 'GET /webhooks: the tenant\'s webhook subscriptions, without secrets',
      memoryMb: 256,
      timeoutSeconds: 5,
      grants: { table: 'read' },
    },
    deleteWebhook: {
      entry: 'functions/delete-webhook/handler.ts',
      description: 'DELETE /webhooks/{webhookId}',
      memoryMb: 256,
      timeoutSeconds: 5,
      grants: { table: 'readWrite' },
    },
    testWebhook: {
      entry: 'functions/test-webhook/handler.ts',
      description: 'POST /webhooks/{webhookId}/test: queues a signed WebhookTest ping',
      memoryMb: 256,
      timeoutSeconds: 10,
      grants: { table: 'readWrite', queues: ['webhookDeliveries'] },
    },
    listWebhookDeliveries: {
      entry: 'functions/list-webhook-deliveries/handler.ts',
      description: 'GET /webhooks/{webhookId}/deliveries: recent deliveries and their attempts',
      memoryMb: 256,
      timeoutSeconds: 5,
      grants: { table: 'read' },
    },
    fanOutWebhooks: {
      entry: 'functions/fan-out-webhooks/handler.ts',
      description: 'Consumer of the webhook-events queue (batches of up to 100 bus events): queues one delivery per matching webhook subscription of each event\'s tenant',
      memoryMb: 256,
      timeoutSeconds: 30,
      grants: { table: 'readWrite', queues: ['webhookDeliveries'] },
    },
    deliverWebhook: {
      entry: 'functions/deliver-webhook/handler.ts',
      description: 'Queue consumer: POSTs signed webhook deliveries to merchant endpoints (internet egress), backs off on failure',
      memoryMb: 256,
      timeoutSeconds: 30,
      // The queue grant gives the function the queue's URL, for ChangeMessageVisibility (the backoff).
      grants: { table: 'readWrite', queues: ['webhookDeliveries'] },
    },
    placeOrder: {
      entry: 'functions/place-order/handler.ts',
      description: 'POST /orders: validates and stores an order as ACCEPTED (idempotent by key and by channel + externalId)',
      memoryMb: 512,
      timeoutSeconds: 10,
      grants: { table: 'readWrite' },
    },
    getOrder: {
      entry: 'functions/get-order/handler.ts',
      description: 'GET /orders/{orderId}: the order with its shipments, explanation and history',
      memoryMb: 256,
      timeoutSeconds: 5,
      grants: { table: 'read' },
    },
    listOrders: {
      entry: 'functions/list-orders/handler.ts',
      description: 'GET /orders: pages a tenant\'s orders, optionally by status',
      memoryMb: 256,
      timeoutSeconds: 5,
      grants: { table: 'read' },
    },
    cancelOrder: {
      entry: 'functions/cancel-order/handler.ts',
      description: 'POST /orders/{orderId}/cancel: releases unshipped reservations; refuses shipped lines',
      memoryMb: 256,
      timeoutSeconds: 10,
      grants: { table: 'readWrite' },
    },
    retryOrder: {
      entry: 'functions/retry-order/handler.ts',
      description: 'POST /orders/{orderId}/retry: ops re-drive a FAILED or stuck order as a new attempt (a fresh execution name)',
      memoryMb: 256,
      timeoutSeconds: 10,
      grants: { table: 'readWrite', stateMachines: ['orderFulfillment'] },
    },
    receiveReturn: {
      entry: 'functions/receive-return/handler.ts',
      description: 'POST /orders/{orderId}/returns: an RMA, received in store now (stock and refund with the order in one transaction) or authorised for mail with a label',
      memoryMb: 256,
      timeoutSeconds: 10,
      grants: { table: 'readWrite' },
    },
    receiveMailedReturn: {
      entry: 'functions/receive-mailed-return/handler.ts',
      description: 'POST /returns/{returnId}/receive: a mail return arrives; sellable units on hand, damaged to the damaged count, refund recorded, in one transaction',
      memoryMb: 256,
      timeoutSeconds: 10,
      grants: { table: 'readWrite' },
    },
    putReturnPolicy: {
      entry: 'functions/put-return-policy/handler.ts',
      description: 'PUT /tenant/return-policy: whether returns refund shipping, and the restocking fee',
      memoryMb: 256,
      timeoutSeconds: 10,
      grants: { table: 'readWrite' },
    },
    updateShipment: {
      entry: 'functions/update-shipment/handler.ts',
      description: 'POST /shipments/{id}/accept|reject|ship|deliver: the fulfilment lifecycle reported by locations and carriers',
      memoryMb: 256,
      timeoutSeconds: 10,
      grants: { table: 'readWrite' },
    },
    updatePickup: {
      entry: 'functions/update-pickup/handler.ts',
      description: 'POST /shipments/{id}/ready|arrived|picked-up: a pickup\'s hand-over at the store (code issued, curbside arrival, code checked)',
      memoryMb: 256,
      timeoutSeconds: 10,
      grants: { table: 'readWrite' },
    },
    listLocationShipments: {
      entry: 'functions/list-location-shipments/handler.ts',
      description: 'GET /locations/{id}/shipments?status=: a location\'s work queue (REQUESTED: its pick list), for its scoped key or the admin key',
      memoryMb: 256,
      timeoutSeconds: 10,
      grants: { table: 'read' },
    },
    createApiKey: {
      entry: 'functions/create-api-key/handler.ts',
      description: 'POST /api-keys (admin key): a key scoped to some locations; its secret is answered once, only its digest stored',
      memoryMb: 256,
      timeoutSeconds: 10,
      grants: { table: 'readWrite' },
    },
    listApiKeys: {
      entry: 'functions/list-api-keys/handler.ts',
      description: 'GET /api-keys (admin key): the tenant\'s working keys, never their secrets',
      memoryMb: 256,
      timeoutSeconds: 5,
      grants: { table: 'read' },
    },
    revokeApiKey: {
      entry: 'functions/revoke-api-key/handler.ts',
      description: 'DELETE /api-keys/{keyId} (admin key): the key stops working (on AWS within the authorizer cache TTL)',
      memoryMb: 256,
      timeoutSeconds: 10,
      grants: { table: 'readWrite' },
    },
    startFulfillment: {
      entry: 'functions/start-fulfillment/handler.ts',
      description: 'Rule target (ShipmentRejected): claims an order\'s next fulfilment attempt on the order and starts its execution (named orderId-attempt)',
      memoryMb: 256,
      timeoutSeconds: 10,
      grants: { table: 'readWrite', stateMachines: ['orderFulfillment'] },
    },
    planFulfillment: {
      entry: 'functions/plan-fulfillment/handler.ts',
      description: 'Workflow task (the routing function): routes an attempt (routing engine over the stock projection, carrier costs, tenant rules), rates its parcels, reserves and confirms in one transaction',
      memoryMb: 1024,
      timeoutSeconds: 15,
      grants: { table: 'readWrite' },
    },
    reserveStock: {
      entry: 'functions/reserve-stock/handler.ts',
      description: 'Workflow task (the reservation function), for allocations too large for one transaction: reserves the rated parcels and confirms, in two phases; reports lost races for re-routing',
      memoryMb: 512,
      timeoutSeconds: 15,
      grants: { table: 'readWrite' },
    },
    rateShipment: {
      entry: 'functions/rate-shipment/handler.ts',
      description: 'Workflow task (Map, allocations too large for one transaction): the carrier-rate function: service, cost, promised date and CO2 of one parcel',
      memoryMb: 256,
      timeoutSeconds: 10,
      grants: { table: 'read' },
    },
    markOrderFailed: {
      entry: 'functions/mark-order-failed/handler.ts',
      description: 'Workflow catch: marks the order FAILED with the reason',
      memoryMb: 256,
      timeoutSeconds: 10,
      grants: { table: 'readWrite' },
    },
    retryBackorders: {
      entry: 'functions/retry-backorders/handler.ts',
      description: 'Rule target (StockChanged): starts routing attempts for orders waiting for the SKU, oldest first',
      memoryMb: 256,
      timeoutSeconds: 30,
      grants: { table: 'readWrite', stateMachines: ['orderFulfillment'] },
    },
    sweepStuckOrders: {
      entry: 'functions/sweep-stuck-orders/handler.ts',
      description: 'Scheduled: re-drives orders stuck in ACCEPTED or ROUTING past their deadline, and waiting orders whose stock arrived',
      memoryMb: 256,
      timeoutSeconds: 120,
      grants: { table: 'readWrite', stateMachines: ['orderFulfillment'] },
    },
    releaseOrderWindows: {
      entry: 'functions/release-order-windows/handler.ts',
      description: 'Scheduled every minute: claims each tenant\'s due release window and allocates its waiting orders together (batch allocator)',
      memoryMb: 1024,
      // Below the claim's 2-minute lease (RELEASE_LEASE_MS), so a window is never worked by two releases at once.
      timeoutSeconds: 60,
      grants: { table: 'readWrite', stateMachines: ['orderFulfillment'] },
    },
    flagLateShipments: {
      entry: 'functions/flag-late-shipments/handler.ts',
      description: 'Scheduled: re-routes picks not accepted by their deadline; marks shipments past their promised date (OrderDelayed); reminds and expires ready pickups',
      memoryMb: 256,
      timeoutSeconds: 120,
      grants: { table: 'readWrite' },
    },
    reconcileStock: {
      entry: 'functions/reconcile-stock/handler.ts',
      description: 'Scheduled: recomputes reserved units from open reservations, reports stock drift (metric StockDrift) and corrects it under a version guard',
      memoryMb: 512,
      timeoutSeconds: 300,
      grants: { table: 'readWrite' },
    },
    putRoutingRules: {
      entry: 'functions/put-routing-rules/handler.ts',
      description: 'PUT /routing-rules: a new version of the tenant\'s routing rules (validated, every version kept)',
      memoryMb: 256,
      timeoutSeconds: 10,
      grants: { table: 'readWrite' },
    },
    simulateRouting: {
      entry: 'functions/simulate-routing/handler.ts',
      description: 'POST /simulations: replays the tenant\'s recorded routing decisions of a period under candidate rule sets, side by side with what was decided (read-only)',
      memoryMb: 1024,
      timeoutSeconds: 29,
      grants: { table: 'read' },
    },
    manageShadowRules: {
      entry: 'functions/manage-shadow-rules/handler.ts',
      description: 'GET|PUT|DELETE /routing-rules/shadow: the shadow rule set every order in its scope is also routed under (no reservation); GET /routing-rules/shadow/kpis: what it would change',
      memoryMb: 512,
      timeoutSeconds: 29,
      grants: { table: 'readWrite' },
    },
    getRoutingRules: {
      entry: 'functions/get-routing-rules/handler.ts',
      description: 'GET /routing-rules: the tenant\'s current routing rules (the defaults until it stores some)',
      memoryMb: 256,
      timeoutSeconds: 5,
      grants: { table: 'read' },
    },
    getOrderExecutions: {
      entry: 'functions/get-order-executions/handler.ts',
      description: 'GET /orders/{orderId}/executions (ops console): each workflow run of the order with its state-by-state history',
      memoryMb: 256,
      timeoutSeconds: 10,
      grants: { table: 'read', executionHistory: ['orderFulfillment'] },
    },
    listDeadLetters: {
      entry: 'functions/list-dead-letters/handler.ts',
      description: 'GET /ops/dead-letters (ops console): the calling tenant\'s dead letters in each redrivable queue\'s DLQ, left in place',
      memoryMb: 256,
      timeoutSeconds: 20,
      grants: { deadLetters: ['inventoryFeed', 'webhookEvents', 'webhookDeliveries'] },
    },
    redriveDeadLetters: {
      entry: 'functions/redrive-dead-letters/handler.ts',
      description: 'POST /ops/dead-letters/{queue}/redrive (ops console): moves the calling tenant\'s dead letters of a queue back to it',
      memoryMb: 256,
      timeoutSeconds: 25,
      grants: { deadLetters: ['inventoryFeed', 'webhookEvents', 'webhookDeliveries'] },
    },
    getOpsKpis: {
      entry: 'functions/get-ops-kpis/handler.ts',
      description: 'GET /ops/kpis?from=&to= (ops console): the tenant\'s business KPIs over a window, computed from its orders, shipments and stock',
      memoryMb: 512,
      timeoutSeconds: 25,
      grants: { table: 'read' },
    },
    manageTransfers: {
      entry: 'functions/manage-transfers/handler.ts',
      description: 'POST/GET /transfers, GET /transfers/{id}, POST /transfers/{id}/ship|receive|cancel: units leave the origin with the request and go on hand at the destination with each receipt, one transaction each',
      memoryMb: 256,
      timeoutSeconds: 10,
      grants: { table: 'readWrite' },
    },
    rebalanceStock: {
      entry: 'functions/rebalance-stock/handler.ts',
      description: 'GET /rebalancing and POST /rebalancing/{id}/accept: transfers worth making where forecast demand exceeds a location\'s stock while another holds more than it will sell',
      memoryMb: 512,
      timeoutSeconds: 25,
      grants: { table: 'readWrite' },
    },
  },

  // One tenant may use half the stage (50 requests/s averaged over a minute), so a single noisy tenant always leaves
  // the other half to the rest.
  apiLimits: {
    stageThrottle: { rateLimit: 100, burstLimit: 200 },
    perApiKey: { limit: 3000, windowSeconds: 60 },
  },

  routes: [
    { method: 'GET', path: '/health', function: 'getHealth', auth: 'none' },
    { method: 'GET', path: '/openapi.json', function: 'getOpenapi', auth: 'none' },
    { method: 'GET', path: '/tenant', function: 'getTenant', auth: 'apiKey' },
    { method: 'PUT', path: '/tenant/settings', function: 'putTenantSettings', auth: 'apiKey' },
    { method: 'PUT', path: '/tenant/return-policy', function: 'putReturnPolicy', auth: 'apiKey' },
    { method: 'PUT', path: '/locations/{locationId}', function: 'putLocation', auth: 'apiKey' },
    { method: 'GET', path: '/locations', function: 'getLocations', auth: 'apiKey' },
    { method: 'GET', path: '/locations/{locationId}', function: 'getLocation', auth: 'apiKey' },
    { method: 'PUT', path: '/skus/{sku}', function: 'putSku', auth: 'apiKey' },
    { method: 'GET', path: '/skus/{sku}', function: 'getSku', auth: 'apiKey' },
    { method: 'PUT', path: '/channels/{channel}', function: 'putChannel', auth: 'apiKey' },
    { method: 'GET', path: '/channels', function: 'getChannels', auth: 'apiKey' },
    { method: 'POST', path: '/inventory/adjustments', function: 'adjustInventory', auth: 'apiKey' },
    { method: 'GET', path: '/inventory/{sku}', function: 'getSkuInventory', auth: 'apiKey' },
    { method: 'GET', path: '/availability', function: 'getAvailability', auth: 'apiKey' },
    { method: 'GET', path: '/inventory', function: 'getLocationInventory', auth: 'apiKey' },
    { method: 'POST', path: '/demand-history', function: 'importDemandHistory', auth: 'apiKey' },
    { method: 'GET', path: '/demand-history/{sku}', function: 'getDemandHistory', auth: 'apiKey' },
    { method: 'GET', path: '/forecasts/{sku}', function: 'getForecasts', auth: 'apiKey' },
    { method: 'GET', path: '/replenishment', function: 'manageReplenishment', auth: 'apiKey' },
    { method: 'GET', path: '/replenishment/settings', function: 'manageReplenishment', auth: 'apiKey' },
    { method: 'PUT', path: '/replenishment/settings', function: 'manageReplenishment', auth: 'apiKey' },
    { method: 'POST', path: '/inbound', function: 'manageInbound', auth: 'apiKey' },
    { method: 'GET', path: '/inbound/{inboundId}', function: 'manageInbound', auth: 'apiKey' },
    { method: 'POST', path: '/inbound/{inboundId}/receive', function: 'manageInbound', auth: 'apiKey' },
    { method: 'POST', path: '/webhooks', function: 'createWebhook', auth: 'apiKey' },
    { method: 'GET', path: '/webhooks', function: 'listWebhooks', auth: 'apiKey' },
    { method: 'DELETE', path: '/webhooks/{webhookId}', function: 'deleteWebhook', auth: 'apiKey' },
    { method: 'POST', path: '/webhooks/{webhookId}/test', function: 'testWebhook', auth: 'apiKey' },
    { method: 'GET', path: '/webhooks/{webhookId}/deliveries', function: 'listWebhookDeliveries', auth: 'apiKey' },
    { method: 'PUT', path: '/routing-rules', function: 'putRoutingRules', auth: 'apiKey' },
    { method: 'GET', path: '/routing-rules', function: 'getRoutingRules', auth: 'apiKey' },
    { method: 'GET', path: '/routing-rules/shadow', function: 'manageShadowRules', auth: 'apiKey' },
    { method: 'PUT', path: '/routing-rules/shadow', function: 'manageShadowRules', auth: 'apiKey' },
    { method: 'DELETE', path: '/routing-rules/shadow', function: 'manageShadowRules', auth: 'apiKey' },
    { method: 'GET', path: '/routing-rules/shadow/kpis', function: 'manageShadowRules', auth: 'apiKey' },
    { method: 'POST', path: '/simulations', function: 'simulateRouting', auth: 'apiKey' },
    { method: 'POST', path: '/orders', function: 'placeOrder', auth: 'apiKey' },
    { method: 'GET', path: '/orders', function: 'listOrders', auth: 'apiKey' },
    { method: 'GET', path: '/orders/{orderId}', function: 'getOrder', auth: 'apiKey' },
    { method: 'POST', path: '/orders/{orderId}/cancel', function: 'cancelOrder', auth: 'apiKey' },
    { method: 'POST', path: '/orders/{orderId}/retry', function: 'retryOrder', auth: 'apiKey' },
    { method: 'GET', path: '/orders/{orderId}/executions', function: 'getOrderExecutions', auth: 'apiKey' },
    { method: 'GET', path: '/ops/dead-letters', function: 'listDeadLetters', auth: 'apiKey' },
    { method: 'POST', path: '/ops/dead-letters/{queue}/redrive', function: 'redriveDeadLetters', auth: 'apiKey' },
    { method: 'GET', path: '/ops/kpis', function: 'getOpsKpis', auth: 'apiKey' },
    { method: 'POST', path: '/transfers', function: 'manageTransfers', auth: 'apiKey' },
    { method: 'GET', path: '/transfers', function: 'manageTransfers', auth: 'apiKey' },
    { method: 'GET', path: '/transfers/{transferId}', function: 'manageTransfers', auth: 'apiKey' },
    { method: 'POST', path: '/transfers/{transferId}/ship', function: 'manageTransfers', auth: 'apiKey' },
    { method: 'POST', path: '/transfers/{transferId}/receive', function: 'manageTransfers', auth: 'apiKey' },
    { method: 'POST', path: '/transfers/{transferId}/cancel', function: 'manageTransfers', auth: 'apiKey' },
    { method: 'GET', path: '/rebalancing', function: 'rebalanceStock', auth: 'apiKey' },
    { method: 'POST', path: '/rebalancing/{suggestionId}/accept', function: 'rebalanceStock', auth: 'apiKey' },
    { method: 'POST', path: '/orders/{orderId}/returns', function: 'receiveReturn', auth: 'apiKey' },
    { method: 'POST', path: '/returns/{returnId}/receive', function: 'receiveMailedReturn', auth: 'apiKey' },
    { method: 'POST', path: '/shipments/{shipmentId}/accept', function: 'updateShipment', auth: 'apiKey' },
    { method: 'POST', path: '/shipments/{shipmentId}/reject', function: 'updateShipment', auth: 'apiKey' },
    { method: 'POST', path: '/shipments/{shipmentId}/ship', function: 'updateShipment', auth: 'apiKey' },
    { method: 'POST', path: '/shipments/{shipmentId}/deliver', function: 'updateShipment', auth: 'apiKey' },
    { method: 'POST', path: '/shipments/{shipmentId}/ready', function: 'updatePickup', auth: 'apiKey' },
    { method: 'POST', path: '/shipments/{shipmentId}/arrived', function: 'updatePickup', auth: 'apiKey' },
    { method: 'POST', path: '/shipments/{shipmentId}/picked-up', function: 'updatePickup', auth: 'apiKey' },
    { method: 'GET', path: '/locations/{locationId}/shipments', function: 'listLocationShipments', auth: 'apiKey' },
    { method: 'POST', path: '/api-keys', function: 'createApiKey', auth: 'apiKey' },
    { method: 'GET', path: '/api-keys', function: 'listApiKeys', auth: 'apiKey' },
    { method: 'DELETE', path: '/api-keys/{keyId}', function: 'revokeApiKey', auth: 'apiKey', revokesCredentials: true },
  ],

  rules: {
    tenantCreated: {
      description: 'A new tenant starts its onboarding workflow',
      pattern: { source: [EVENT_SOURCE], 'detail-type': ['TenantCreated'] },
      targets: [{ kind: 'stateMachine', stateMachine: 'tenantOnboarding' }],
    },
    webhookFanOut: {
      // StockChanged is left out: one per reservation, it would cost a Lambda invocation per unit sold; stock webhooks
      // get StockLow (and merchants read availability with GET /inventory). WebhookTest is the machinery's own ping.
      description: 'Every DOM event but StockChanged is offered to its tenant\'s webhook subscriptions',
      pattern: { source: [EVENT_SOURCE], 'detail-type': [{ 'anything-but': ['StockChanged', 'WebhookTest'] }] },
      // Through a queue: the fan-out function reads events in batches (one invocation per batch, not per event).
      targets: [{ kind: 'queue', queue: 'webhookEvents' }],
    },
    orderAccepted: {
      // No function in between: the workflow's first state takes the order and its SKUs from the event.
      description: 'An accepted order starts its fulfilment workflow (attempt 1)',
      pattern: { source: [EVENT_SOURCE], 'detail-type': ['OrderAccepted'] },
      targets: [{ kind: 'stateMachine', stateMachine: 'orderFulfillment' }],
    },
    shipmentRejected: {
      description: 'A rejected shipment starts a re-routing attempt, claimed on the order',
      pattern: { source: [EVENT_SOURCE], 'detail-type': ['ShipmentRejected'] },
      targets: [{ kind: 'function', function: 'startFulfillment' }],
    },
    stockArrived: {
      description: 'New stock for a SKU (availability went up) re-routes the orders waiting for it',
      pattern: { source: [EVENT_SOURCE], 'detail-type': ['StockChanged'], detail: { data: { availableDelta: [{ numeric: ['>', 0] }] } } },
      targets: [{ kind: 'function', function: 'retryBackorders' }],
    },
  },

  ruleTargetDeadLetterQueue: 'eventDeliveryDlq',

  queues: {
    tableEventsDlq: {
      description: 'Stream batches the event publisher could not deliver after its retries',
      visibilityTimeoutSeconds: 60,
      maxReceiveCount: 5,
      retentionSeconds: 14 * 24 * 3600,
    },
    eventDeliveryDlq: {
      description: 'Bus events a rule could not deliver to its target after the retries (every rule target uses it)',
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
    inventoryFeed: {
      description: 'Inventory adjustments from WMS/ERP integrations ({ tenantId, adjustments }); failures go to its DLQ',
      visibilityTimeoutSeconds: 360,
      maxReceiveCount: 5,
      retentionSeconds: 4 * 24 * 3600,
    },
    inventoryStreamDlq: {
      description: 'Stream batches the inventory consumer (projection, reservation expiry) could not process after its retries',
      visibilityTimeoutSeconds: 60,
      maxReceiveCount: 5,
      retentionSeconds: 14 * 24 * 3600,
    },
    webhookEvents: {
      description: 'Bus events for webhook fan-out (the webhookFanOut rule\'s target), read in batches; failures go to its DLQ',
      // Longer than the consumer's timeout plus the batching window, as Lambda requires of a queue it reads.
      visibilityTimeoutSeconds: 180,
      maxReceiveCount: 5,
      retentionSeconds: 4 * 24 * 3600,
    },
    webhookDeliveries: {
      description: 'One message per webhook delivery; a failed attempt hides its message for 2^n s (capped at 1 h), ~4 h of retries before its DLQ',
      visibilityTimeoutSeconds: 60,
      maxReceiveCount: 15,
      retentionSeconds: 4 * 24 * 3600,
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
      // Only the entities whose changes are events (shared/domain/table-events): stock and reservation writes, two
      // thirds of the stream under load, never reach the relay.
      filters: [
        { dynamodb: { NewImage: { entity: { S: ['Tenant', 'Order', 'Shipment', 'SkuNetwork', 'Transfer', 'Inbound'] } } } },
        // A reorder state is an event only when it is below its reorder point (ReorderSuggested, once per crossing).
        { dynamodb: { NewImage: { entity: { S: ['ReorderState'] }, below: { BOOL: [true] } } } },
      ],
    },
    // The stream's second (and last: a shard takes two readers) consumer; filters keep the other entities away.
    inventoryChanges: {
      function: 'handleInventoryChanges',
      // Large batches: the consumer folds a batch per SKU and writes SKUs in parallel, so it keeps up by batching.
      batchSize: 1000,
      maxBatchingWindowSeconds: 0,
      startingPosition: 'TRIM_HORIZON',
      retryAttempts: 10,
      bisectBatchOnError: true,
      onFailure: 'inventoryStreamDlq',
      filters: [
        { eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { entity: { S: ['Stock', 'Sku'] } } } },
        {
          eventName: ['REMOVE'],
          userIdentity: { type: ['Service'], principalId: ['dynamodb.amazonaws.com'] },
          dynamodb: { OldImage: { entity: { S: ['Reservation'] }, status: { S: ['PENDING'] } } },
        },
        // Demand history (issue 18): a shipment created is demand at its location; rejected or cancelled, it is not.
        { eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['Shipment'] } } } },
        { eventName: ['MODIFY'], dynamodb: { NewImage: { entity: { S: ['Shipment'] }, status: { S: ['REJECTED', 'CANCELLED'] } } } },
        // Replenishment (issue 18 part 4): a forecast written or units on order moved are assessed against the reorder point.
        { eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { entity: { S: ['Forecast', 'ReorderState'] } } } },
      ],
    },
  },

  queueMappings: {
    inventoryFeed: { queue: 'inventoryFeed', function: 'consumeInventoryFeed', batchSize: 10, maxBatchingWindowSeconds: 1 },
    // Batched: webhooks of the whole flow cost a fraction of an invocation per order (a second of delay at most).
    webhookEvents: { queue: 'webhookEvents', function: 'fanOutWebhooks', batchSize: 100, maxBatchingWindowSeconds: 1 },
    webhookDeliveries: { queue: 'webhookDeliveries', function: 'deliverWebhook', batchSize: 10, maxBatchingWindowSeconds: 0 },
  },

  stateMachines: {
    tenantOnboarding: {
      description: 'Onboards a new tenant: seeds its default settings',
      type: 'STANDARD',
      definitionFile: 'state-machines/tenant-onboarding.asl.json',
      substitutions: {
        SeedTenantDefaultsFunctionArn: { functionArn: 'seedTenantDefaults' },
        WorkflowFailuresQueueUrl: { queueUrl: 'workflowFailures' },
      },
    },
    orderFulfillment: {
      description: 'Fulfils one routing attempt of an order: plan, rate each parcel, reserve and confirm in one transaction (re-plan on a lost race)',
      // Seconds of work, every step idempotent, the run that owns an attempt recorded on the order: Express.
      type: 'EXPRESS',
      definitionFile: 'state-machines/order-fulfillment.asl.json',
      substitutions: {
        PlanFulfillmentFunctionArn: { functionArn: 'planFulfillment' },
        ReserveStockFunctionArn: { functionArn: 'reserveStock' },
        RateShipmentFunctionArn: { functionArn: 'rateShipment' },
        MarkOrderFailedFunctionArn: { functionArn: 'markOrderFailed' },
        WorkflowFailuresQueueUrl: { queueUrl: 'workflowFailures' },
      },
    },
    demandForecast: {
      description: 'A tenant\'s daily demand forecast: plan, then a distributed Map over chunks of SKUs that forecasts and stores each',
      // Minutes of work, a Map of child executions (a distributed Map needs a Standard parent), once a day: Standard.
      type: 'STANDARD',
      definitionFile: 'state-machines/demand-forecast.asl.json',
      substitutions: {
        PlanDemandForecastFunctionArn: { functionArn: 'planDemandForecast' },
        ForecastSkuChunkFunctionArn: { functionArn: 'forecastSkuChunk' },
        WorkflowFailuresQueueUrl: { queueUrl: 'workflowFailures' },
      },
    },
  },

  schedules: {
    demandForecasts: {
      description: 'Starts each tenant\'s daily demand forecast run (forecasts, safety stock and reorder points per SKU x location)',
      function: 'startDemandForecasts',
      rateMinutes: 24 * 60,
    },
    sweepStuckOrders: {
      description: 'Re-drives orders stuck in a non-final state past their deadline',
      function: 'sweepStuckOrders',
      rateMinutes: 5,
    },
    releaseOrderWindows: {
      description: 'Releases due order windows (issue 17): waiting orders allocated together by the batch allocator',
      function: 'releaseOrderWindows',
      rateMinutes: 1,
    },
    flagLateShipments: {
      description: 'Marks open shipments whose promised delivery date has passed, so the customer and merchant hear of it',
      function: 'flagLateShipments',
      rateMinutes: 15,
    },
    reconcileStock: {
      description: 'Recomputes reserved stock from the open reservations, reports and corrects drift',
      function: 'reconcileStock',
      rateMinutes: 60,
    },
  },
};
