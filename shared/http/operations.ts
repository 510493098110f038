import { z } from 'zod';
import {
  demandHistoryImportedSchema,
  demandHistoryImportSchema,
  demandHistoryPathSchema,
  demandHistoryQuerySchema,
  demandHistorySchema,
  forecastPathSchema,
  forecastQuerySchema,
  skuForecastSchema,
} from './demand-schemas.ts';
import {
  createInboundSchema,
  inboundPathSchema,
  inboundReceiptResultSchema,
  inboundSchema,
  receiveInboundSchema,
  replenishmentQuerySchema,
  replenishmentSettingsSchema,
  replenishmentSettingsViewSchema,
  suggestionPageSchema,
} from './replenishment-schemas.ts';
import { placeOrderSchema } from '#domain/orders/intake';
import { returnPolicySchema } from '#domain/orders/refund';
import { routingRulesSchema } from '#domain/routing/rules';
import { putTenantSettingsSchema } from '#domain/tenants/tenant';
import { putRoutingRulesSchema } from '#application/routing/routing-rules';
import { putShadowRulesSchema, shadowKpisQuerySchema, simulationRequestSchema } from '#application/routing/what-if';
import { shadowKpisSchema, shadowRulesViewSchema, simulationResultSchema } from './what-if-schemas.ts';
import {
  cancelOrderSchema,
  receivedReturnSchema,
  receiveReturnSchema,
  returnOrderSchema,
  returnPathSchema,
  listOrdersQuerySchema,
  orderPathSchema,
  orderSchema,
  idempotencyKeySchema,
  orderPageSchema,
  placedOrderSchema,
  retriedOrderSchema,
  shipmentPathSchema,
  shipmentReportSchema,
  pickupReadySchema,
  pickupArrivedSchema,
  pickedUpSchema,
  shipmentSchema,
} from './order-schemas.ts';
import {
  LOCATION_TYPES,
  adjustmentsRequestSchema,
  channelSchema,
  locationIdSchema,
  putChannelSchema,
  putLocationSchema,
  putSkuSchema,
  skuSchema,
} from '#domain/inventory/schemas';
import { deadLettersSchema, kpisQuerySchema, kpisSchema, orderExecutionsSchema, redrivePathSchema, redriveResultSchema } from './ops-schemas.ts';
import {
  createWebhookSchema,
  createdWebhookSchema,
  deliveriesQuerySchema,
  deliveryPageSchema,
  webhookListSchema,
  webhookPathSchema,
  webhookTestQueuedSchema,
} from './webhook-schemas.ts';
import { createApiKeySchema } from '#domain/tenants/api-keys';
import { openingHoursSchema } from '#domain/inventory/opening-hours';
import { apiKeyPageSchema, apiKeyPathSchema, issuedApiKeySchema, revokedApiKeySchema } from './api-key-schemas.ts';
import { locationShipmentsQuerySchema, shipmentPageSchema } from './order-schemas.ts';
import { availabilityQuerySchema, availabilitySchema } from './availability-schemas.ts';
import { receiveTransferSchema, requestTransferSchema, shipTransferSchema } from '#domain/inventory/transfer';
import { listTransfersQuerySchema, transferPageSchema, transferPathSchema, transferSchema } from './transfer-schemas.ts';
import { acceptedSuggestionSchema, rebalancingQuerySchema, rebalancingSchema, suggestionPathSchema } from './rebalancing-schemas.ts';

/**
 * The HTTP API's contract: one entry per route, with the zod schemas the handlers validate with. The OpenAPI document
 * is generated from these same schemas, and a test checks that they match infra/topology.ts route for route.
 */
export interface Operation {
  operationId: string;
  method: 'get' | 'post' | 'put' | 'delete' | 'patch';
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  auth: boolean;
  pathParameters?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  requestBody?: z.ZodType;
  /** The handler reads an absent or empty body as `{}`. */
  requestBodyOptional?: boolean;
  /** The body may also be `text/csv` (described here), besides the JSON of `requestBody`. */
  requestBodyCsv?: string;
  /** Success answers with their body's schema; 4xx/5xx are problems (the common ones are added for every operation). */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
}

export const healthSchema = z.object({ status: z.literal('ok'), time: z.iso.datetime() }).meta({ id: 'Health' });

export const tenantSettingsSchema = z
  .object({
    defaultPreference: z.enum(['fastest', 'cheapest', 'greenest', 'balanced']),
    defaultSplitPolicy: z.enum(['allow', 'minimize', 'single']),
    customRegions: z.array(z.object({ id: z.string(), states: z.array(z.string()).optional(), zipPrefixes: z.array(z.string()).optional() })).optional(),
    currency: z.string(),
    seededAt: z.iso.datetime(),
  })
  .meta({ id: 'TenantSettings' });

export const tenantSchema = z
  .object({
    tenantId: z.string(),
    name: z.string(),
    status: z.enum(['ACTIVE', 'SUSPENDED']),
    createdAt: z.iso.datetime(),
    settings: tenantSettingsSchema.nullable().describe('Null until the onboarding workflow has seeded the defaults'),
  })
  .meta({ id: 'Tenant' });

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

// ---- Inventory ----

const limitSchema = z.coerce.number().int('must be an integer').min(1, 'must be >= 1').max(100, 'must be <= 100').default(50);
const cursorSchema = z.string().max(2048, 'must be at most 2048 characters').optional().describe('The `next` of the previous page');

export const locationPathSchema = z.strictObject({ locationId: locationIdSchema });
export const skuPathSchema = z.strictObject({ sku: skuSchema });
export const channelPathSchema = z.strictObject({ channel: channelSchema });
export const pageQuerySchema = z.strictObject({ limit: limitSchema, cursor: cursorSchema });
export const skuInventoryQuerySchema = z.strictObject({
  channel: channelSchema.optional().describe('Apply this channel\'s hold-back'),
  shards: z.enum(['true', 'false']).optional().describe('true: also each shard of a sharded location+SKU, as stored (for operations)'),
});
export const locationInventoryQuerySchema = z.strictObject({
  locationId: locationIdSchema,
  channel: channelSchema.optional().describe('Apply this channel\'s hold-back'),
  limit: limitSchema,
  cursor: cursorSchema,
});

export const locationSchema = z
  .object({
    locationId: z.string(),
    name: z.string(),
    type: z.enum(LOCATION_TYPES),
    geo: z.object({ lat: z.number(), lon: z.number() }),
    address: z
      .object({ line1: z.string().optional(), line2: z.string().optional(), city: z.string().optional(), region: z.string().optional(), postalCode: z.string(), country: z.string() })
      .optional(),
    capabilities: z.object({ ship: z.boolean(), pickup: z.boolean(), curbside: z.boolean() }),
    handlingCost: z.number(),
    dailyCapacity: z.number().int().optional(),
    acceptanceHours: z.number().int().optional(),
    rank: z.number().int().optional(),
    active: z.boolean(),
    openingHours: openingHoursSchema.optional(),
    timeZone: z.string().optional(),
    handlingMinutes: z.number().int().optional(),
    pickupSlotsPerDay: z.number().int().optional().describe('Pickups the location takes on one of its local days (absent: no limit)'),
    version: z.number().int(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Location' });

export const skuItemSchema = z
  .object({
    sku: z.string(),
    name: z.string().optional(),
    weightLb: z.number(),
    dims: z.object({ lengthIn: z.number(), widthIn: z.number(), heightIn: z.number() }).optional(),
    lowStockThreshold: z.number().int().optional(),
    category: z.string().optional(),
    version: z.number().int(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Sku' });

const holdBackOut = z.object({ units: z.number().int().optional(), share: z.number().optional() });
export const channelRuleSchema = z
  .object({ channel: z.string(), holdBack: holdBackOut, skus: z.record(z.string(), holdBackOut).optional(), version: z.number().int(), updatedAt: z.iso.datetime() })
  .meta({ id: 'ChannelRule' });

const stockViewSchema = z.object({
  locationId: z.string(),
  onHand: z.number().int(),
  reserved: z.number().int(),
  safetyStock: z.number().int(),
  available: z.number().int().describe('max(0, onHand - reserved - safetyStock), after the channel\'s hold-back when one is named'),
});

const shardViewSchema = z.object({
  shard: z.number().int(),
  onHand: z.number().int(),
  reserved: z.number().int(),
  safetyStock: z.number().int(),
  available: z.number().int().describe('As stored on the shard (below 0 on shard 0: counted below the safety stock)'),
});

export const skuAvailabilitySchema = z
  .object({
    sku: z.string(),
    channel: z.string().optional(),
    available: z.number().int(),
    locations: z.array(stockViewSchema.extend({ shards: z.array(shardViewSchema).optional().describe('With ?shards=true, for a sharded location+SKU') })),
  })
  .meta({ id: 'SkuAvailability' });

export const locationInventoryPageSchema = z
  .object({
    items: z.array(stockViewSchema.extend({ sku: z.string(), damaged: z.number().int().optional().describe('Units returned damaged here: never on hand for sale, never available') })),
    nextCursor: z.string().optional(),
  })
  .meta({ id: 'LocationInventoryPage' });

export const adjustmentReportSchema = z
  .object({
    applied: z.number().int().describe('How many adjustments took effect: every index not listed in ignored or errors'),
    ignored: z.array(
      z.object({ index: z.number().int(), locationId: z.string(), sku: z.string(), reason: z.literal('STALE_SEQUENCE'), sequence: z.number().int(), lastSequence: z.number().int() }),
    ),
    errors: z.array(
      z.object({
        index: z.number().int(),
        field: z.string(),
        code: z.enum(['UNKNOWN_LOCATION', 'BELOW_RESERVED', 'NEGATIVE_ON_HAND', 'SHARDS_IN_USE', 'TEMPORARY_FAILURE']),
        message: z.string(),
      }),
    ),
  })
  .meta({ id: 'InventoryAdjustmentReport' });

export const locationPageSchema = z
  .object({ items: z.array(locationSchema), nextCursor: z.string().optional().describe('Pass as `cursor` for the next page; absent on the last') })
  .meta({ id: 'LocationPage' });

export const channelRuleListSchema = z.object({ items: z.array(channelRuleSchema) }).meta({ id: 'ChannelRuleList' });

export const routingRulesViewSchema = routingRulesSchema.meta({ id: 'RoutingRules' });

export const storedRoutingRulesSchema = z
  .object({
    ...routingRulesSchema.shape,
    updatedAt: z.iso.datetime().describe('When this version was stored (1970-01-01T00:00:00.000Z for the defaults)'),
    isDefault: z.boolean().describe('True while the tenant has stored no rules and these are the defaults'),
  })
  .meta({ id: 'StoredRoutingRules' });

export const openApiDocumentSchema = z
  .looseObject({ openapi: z.string(), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) })
  .meta({ id: 'OpenApiDocument' });

const placeOrderHeadersSchema = z.strictObject({
  'Idempotency-Key': idempotencyKeySchema
    .optional()
    .describe('Any unique string per order (e.g. a UUID): a retry with the same key and body answers the same order, with another body a 409'),
});

export const operations = {
  getHealth: {
    operationId: 'getHealth',
    method: 'get',
    path: '/health',
    summary: 'Liveness of the API',
    tags: ['ops'],
    auth: false,
    responses: { 200: { description: 'The API is up', schema: healthSchema } },
  },
  getOpenapi: {
    operationId: 'getOpenapi',
    method: 'get',
    path: '/openapi.json',
    summary: 'This OpenAPI 3.1 document',
    tags: ['ops'],
    auth: false,
    responses: { 200: { description: 'The OpenAPI document', schema: openApiDocumentSchema } },
  },
  getTenant: {
    operationId: 'getTenant',
    method: 'get',
    path: '/tenant',
    summary: 'The tenant the API key belongs to',
    tags: ['tenants'],
    auth: true,
    responses: { 200: { description: 'The calling tenant', schema: tenantSchema } },
  },
  putTenantSettings: {
    operationId: 'putTenantSettings',
    method: 'put',
    path: '/tenant/settings',
    summary: "Replace the tenant's routing defaults (preference, split policy) and custom regions",
    tags: ['tenants'],
    auth: true,
    requestBody: putTenantSettingsSchema,
    responses: { 200: { description: 'The settings as stored', schema: tenantSettingsSchema } },
  },
  putLocation: {
    operationId: 'putLocation',
    method: 'put',
    path: '/locations/{locationId}',
    summary: 'Create or replace a location (warehouse, store, drop-shipper or 3PL)',
    tags: ['inventory'],
    auth: true,
    pathParameters: locationPathSchema,
    requestBody: putLocationSchema,
    responses: { 200: { description: 'Replaced', schema: locationSchema }, 201: { description: 'Created', schema: locationSchema } },
  },
  getLocations: {
    operationId: 'getLocations',
    method: 'get',
    path: '/locations',
    summary: 'Page the locations',
    tags: ['inventory'],
    auth: true,
    query: pageQuerySchema,
    responses: { 200: { description: 'A page of locations', schema: locationPageSchema } },
  },
  getLocation: {
    operationId: 'getLocation',
    method: 'get',
    path: '/locations/{locationId}',
    summary: 'One location',
    tags: ['inventory'],
    auth: true,
    pathParameters: locationPathSchema,
    responses: { 200: { description: 'The location', schema: locationSchema }, 404: { description: 'No such location' } },
  },
  putSku: {
    operationId: 'putSku',
    method: 'put',
    path: '/skus/{sku}',
    summary: 'Create or replace a catalogue SKU',
    tags: ['inventory'],
    auth: true,
    pathParameters: skuPathSchema,
    requestBody: putSkuSchema,
    responses: { 200: { description: 'Replaced', schema: skuItemSchema }, 201: { description: 'Created', schema: skuItemSchema } },
  },
  getSku: {
    operationId: 'getSku',
    method: 'get',
    path: '/skus/{sku}',
    summary: 'One catalogue SKU',
    tags: ['inventory'],
    auth: true,
    pathParameters: skuPathSchema,
    responses: { 200: { description: 'The SKU', schema: skuItemSchema }, 404: { description: 'No such SKU' } },
  },
  putChannel: {
    operationId: 'putChannel',
    method: 'put',
    path: '/channels/{channel}',
    summary: 'Set the stock held back from a channel (e.g. keep the last units for the web shop over marketplaces)',
    tags: ['inventory'],
    auth: true,
    pathParameters: channelPathSchema,
    requestBody: putChannelSchema,
    responses: { 200: { description: 'The channel rule', schema: channelRuleSchema } },
  },
  getChannels: {
    operationId: 'getChannels',
    method: 'get',
    path: '/channels',
    summary: 'The channel hold-back rules',
    tags: ['inventory'],
    auth: true,
    responses: { 200: { description: 'Every channel rule', schema: channelRuleListSchema } },
  },
  adjustInventory: {
    operationId: 'adjustInventory',
    method: 'post',
    path: '/inventory/adjustments',
    summary: 'Apply up to 500 absolute counts (set) or movements (delta), answered per item',
    tags: ['inventory'],
    auth: true,
    requestBody: adjustmentsRequestSchema,
    responses: {
      200: { description: 'What was applied, ignored (stale sequence) or refused, per item', schema: adjustmentReportSchema },
      503: { description: 'None of the items could be applied for now (contention, throttling): nothing changed; retry after Retry-After seconds' },
    },
  },
  getSkuInventory: {
    operationId: 'getSkuInventory',
    method: 'get',
    path: '/inventory/{sku}',
    summary: 'A SKU\'s availability at every location',
    tags: ['inventory'],
    auth: true,
    pathParameters: skuPathSchema,
    query: skuInventoryQuerySchema,
    responses: { 200: { description: 'Availability per location (none for an unknown SKU)', schema: skuAvailabilitySchema } },
  },
  getLocationInventory: {
    operationId: 'getLocationInventory',
    method: 'get',
    path: '/inventory',
    summary: 'Page the stock of one location',
    tags: ['inventory'],
    auth: true,
    query: locationInventoryQuerySchema,
    responses: { 200: { description: 'A page of the location\'s SKUs', schema: locationInventoryPageSchema }, 404: { description: 'No such location' } },
  },
  getAvailability: {
    operationId: 'getAvailability',
    method: 'get',
    path: '/availability',
    summary: 'Checkout: the stores near the customer that can hold a pickup of the SKU now',
    description:
      'Read-only and cheap: the tenant\'s locations (cached), the SKU\'s stock projection (one read) and the slot counters of the stores with a pickup limit (one batch read). Each store has the whole quantity, offers the pickup kind, is open within a year and has a free slot on its pickup day. Admin (tenant) keys only: a location-scoped key gets 403.',
    tags: ['inventory'],
    auth: true,
    query: availabilityQuerySchema,
    responses: {
      200: { description: 'The stores, nearest first (an empty list when none can)', schema: availabilitySchema },
      422: { description: 'A query parameter is invalid (named: query.near, query.quantity, query.radiusKm ...), or the ZIP cannot be placed' },
    },
  },
  createWebhook: {
    operationId: 'createWebhook',
    method: 'post',
    path: '/webhooks',
    summary: 'Register a webhook: events (or customer notifications) are POSTed to the URL, signed with the secret returned here once',
    tags: ['webhooks'],
    auth: true,
    requestBody: createWebhookSchema,
    responses: {
      201: { description: 'Registered; keep the secret, it is not shown again', schema: createdWebhookSchema },
      409: { description: 'The tenant already has the maximum number of webhooks (20)' },
    },
  },
  listWebhooks: {
    operationId: 'listWebhooks',
    method: 'get',
    path: '/webhooks',
    summary: 'The webhook subscriptions (without secrets)',
    tags: ['webhooks'],
    auth: true,
    responses: { 200: { description: 'Every subscription', schema: webhookListSchema } },
  },
  deleteWebhook: {
    operationId: 'deleteWebhook',
    method: 'delete',
    path: '/webhooks/{webhookId}',
    summary: 'Delete a webhook; its queued deliveries are cancelled',
    tags: ['webhooks'],
    auth: true,
    pathParameters: webhookPathSchema,
    responses: { 204: { description: 'Deleted' }, 404: { description: 'No such webhook' } },
  },
  testWebhook: {
    operationId: 'testWebhook',
    method: 'post',
    path: '/webhooks/{webhookId}/test',
    summary: 'Queue a signed WebhookTest delivery to the webhook',
    tags: ['webhooks'],
    auth: true,
    pathParameters: webhookPathSchema,
    responses: { 202: { description: 'Queued', schema: webhookTestQueuedSchema }, 404: { description: 'No such webhook' } },
  },
  listWebhookDeliveries: {
    operationId: 'listWebhookDeliveries',
    method: 'get',
    path: '/webhooks/{webhookId}/deliveries',
    summary: 'The webhook\'s deliveries of the last 7 days, newest first, with each attempt\'s status code and latency',
    tags: ['webhooks'],
    auth: true,
    pathParameters: webhookPathSchema,
    query: deliveriesQuerySchema,
    responses: { 200: { description: 'A page of deliveries', schema: deliveryPageSchema }, 404: { description: 'No such webhook' } },
  },
  placeOrder: {
    operationId: 'placeOrder',
    method: 'post',
    path: '/orders',
    summary: 'Accept an order; send Idempotency-Key to make retries safe (marketplaces may resend channel + externalId)',
    tags: ['orders'],
    auth: true,
    headers: placeOrderHeadersSchema,
    requestBody: placeOrderSchema.meta({ id: 'PlaceOrder' }),
    responses: {
      202: { description: 'Accepted: the fulfilment workflow routes it', schema: placedOrderSchema },
      200: { description: 'A repeat of an accepted request: the same order', schema: placedOrderSchema },
      409: { description: 'The Idempotency-Key (or channel + externalId) was used with a different body' },
    },
  },
  getOrder: {
    operationId: 'getOrder',
    method: 'get',
    path: '/orders/{orderId}',
    summary: 'An order with its allocations, shipments, routing explanation and status history',
    tags: ['orders'],
    auth: true,
    pathParameters: orderPathSchema,
    responses: { 200: { description: 'The order', schema: orderSchema }, 404: { description: 'No such order' } },
  },
  listOrders: {
    operationId: 'listOrders',
    method: 'get',
    path: '/orders',
    summary: 'Page the orders, newest first, optionally by status',
    tags: ['orders'],
    auth: true,
    query: listOrdersQuerySchema,
    responses: { 200: { description: 'A page of orders', schema: orderPageSchema } },
  },
  cancelOrder: {
    operationId: 'cancelOrder',
    method: 'post',
    path: '/orders/{orderId}/cancel',
    summary: 'Cancel an order: unshipped reservations are released; shipped lines cannot be cancelled',
    tags: ['orders'],
    auth: true,
    pathParameters: orderPathSchema,
    requestBody: cancelOrderSchema,
    requestBodyOptional: true,
    responses: { 200: { description: 'The cancelled order', schema: orderSchema }, 404: { description: 'No such order' }, 409: { description: 'Shipped lines: the order cannot be cancelled' } },
  },
  retryOrder: {
    operationId: 'retryOrder',
    method: 'post',
    path: '/orders/{orderId}/retry',
    summary: 'Re-drive a FAILED order (or one stuck in flight) as a new routing attempt, under a fresh execution name',
    tags: ['orders'],
    auth: true,
    pathParameters: orderPathSchema,
    responses: {
      202: { description: 'A new attempt was claimed and started', schema: retriedOrderSchema },
      404: { description: 'No such order' },
      409: { description: 'Nothing to re-drive: the order is allocated, shipped, cancelled or done (the detail names its status)' },
    },
  },
  getOrderExecutions: {
    operationId: 'getOrderExecutions',
    method: 'get',
    path: '/orders/{orderId}/executions',
    summary: 'The order\'s workflow runs, each with its state-by-state history (as the Step Functions console shows it)',
    description: 'Read from Step Functions without inputs and outputs. On AWS an Express run keeps its history in the state machine\'s log group only: it is read from there (`incomplete` says so when lines are missing; `unavailable` when none is found).',
    tags: ['ops'],
    auth: true,
    pathParameters: orderPathSchema,
    responses: { 200: { description: 'The runs, oldest first', schema: orderExecutionsSchema }, 404: { description: 'No such order' } },
  },
  listDeadLetters: {
    operationId: 'listDeadLetters',
    method: 'get',
    path: '/ops/dead-letters',
    summary: 'Your dead letters in each redrivable queue (webhook events and deliveries, inventory feed), summarised and left in place',
    tags: ['ops'],
    auth: true,
    responses: { 200: { description: 'Per queue, your dead letters', schema: deadLettersSchema } },
  },
  redriveDeadLetters: {
    operationId: 'redriveDeadLetters',
    method: 'post',
    path: '/ops/dead-letters/{queue}/redrive',
    summary: 'Move your dead letters of a queue back to it, for its consumer to try again (other tenants\' stay where they are)',
    tags: ['ops'],
    auth: true,
    pathParameters: redrivePathSchema,
    responses: { 200: { description: 'What was moved', schema: redriveResultSchema }, 422: { description: 'Not a redrivable queue' } },
  },
  getOpsKpis: {
    operationId: 'getOpsKpis',
    method: 'get',
    path: '/ops/kpis',
    summary: 'Business KPIs over the orders created in a window: rates, time to allocate, parcels, cost, CO2, on-time, backorders, stock-outs, re-routes',
    tags: ['ops'],
    auth: true,
    query: kpisQuerySchema,
    responses: { 200: { description: 'The KPIs', schema: kpisSchema }, 422: { description: 'A malformed date, or a window that is empty, reversed or longer than 31 days' } },
  },
  requestTransfer: {
    operationId: 'requestTransfer',
    method: 'post',
    path: '/transfers',
    summary: 'Move units between locations: they leave the origin now (never more than available there) and are in transit, sellable nowhere, until received',
    description: 'One transaction writes the transfer and takes the units from the origin\'s stock. Send `transferId` to make retries safe.',
    tags: ['inventory'],
    auth: true,
    requestBody: requestTransferSchema,
    responses: {
      201: { description: 'The transfer, requested', schema: transferSchema },
      200: { description: 'The same transferId and request again: the transfer as stored', schema: transferSchema },
      409: { description: 'The origin does not hold the units (each short line named: lines[i].quantity), or the transferId was used for another request' },
      422: { description: 'A bad field, or an unknown location (fromLocationId / toLocationId)' },
    },
  },
  listTransfers: {
    operationId: 'listTransfers',
    method: 'get',
    path: '/transfers',
    summary: "A location's outgoing (fromLocationId) or incoming (toLocationId) transfers, newest first, by status",
    tags: ['inventory'],
    auth: true,
    query: listTransfersQuerySchema,
    responses: { 200: { description: 'A page of transfers', schema: transferPageSchema }, 422: { description: 'Neither or both of fromLocationId and toLocationId' } },
  },
  getTransfer: {
    operationId: 'getTransfer',
    method: 'get',
    path: '/transfers/{transferId}',
    summary: 'A transfer: its lines with the units received and still in transit, its shipment and receipts',
    tags: ['inventory'],
    auth: true,
    pathParameters: transferPathSchema,
    responses: { 200: { description: 'The transfer', schema: transferSchema }, 404: { description: 'No such transfer' } },
  },
  shipTransfer: {
    operationId: 'shipTransfer',
    method: 'post',
    path: '/transfers/{transferId}/ship',
    summary: 'The units left the origin (optional step): carrier, tracking, expected arrival (TransferShipped)',
    tags: ['inventory'],
    auth: true,
    pathParameters: transferPathSchema,
    requestBody: shipTransferSchema,
    requestBodyOptional: true,
    responses: { 200: { description: 'The transfer, shipped (shipped already: as it is)', schema: transferSchema }, 404: { description: 'No such transfer' }, 409: { description: 'Received or cancelled already' } },
  },
  receiveTransfer: {
    operationId: 'receiveTransfer',
    method: 'post',
    path: '/transfers/{transferId}/receive',
    summary: 'Units arrived: on hand at the destination with the receipt, in one transaction (TransferReceived). Without lines: everything in transit',
    description: 'Partial receipts name their lines; send `receiptId` to make one safe to retry (the same id again answers the transfer as it is).',
    tags: ['inventory'],
    auth: true,
    pathParameters: transferPathSchema,
    requestBody: receiveTransferSchema,
    requestBodyOptional: true,
    responses: {
      200: { description: 'The transfer after the receipt (a repeated receipt: as it is)', schema: transferSchema },
      404: { description: 'No such transfer' },
      409: { description: 'The transfer was cancelled' },
      422: { description: 'A SKU the transfer does not carry (lines[i].sku) or more units than are still in transit (lines[i].quantity)' },
    },
  },
  cancelTransfer: {
    operationId: 'cancelTransfer',
    method: 'post',
    path: '/transfers/{transferId}/cancel',
    summary: 'Call off a transfer that has not shipped: its units go back on hand at the origin (TransferCancelled)',
    tags: ['inventory'],
    auth: true,
    pathParameters: transferPathSchema,
    responses: { 200: { description: 'The transfer, cancelled (cancelled already: as it is)', schema: transferSchema }, 404: { description: 'No such transfer' }, 409: { description: 'Shipped or received already' } },
  },
  getRebalancing: {
    operationId: 'getRebalancing',
    method: 'get',
    path: '/rebalancing',
    summary: 'Transfers worth making: where forecast demand over the horizon exceeds a location\'s stock while another holds more than it will sell, with the shipping saved against the transfer cost',
    tags: ['inventory'],
    auth: true,
    query: rebalancingQuerySchema,
    responses: { 200: { description: 'The suggestions, best net saving first (none without stored forecasts)', schema: rebalancingSchema } },
  },
  acceptRebalancing: {
    operationId: 'acceptRebalancing',
    method: 'post',
    path: '/rebalancing/{suggestionId}/accept',
    summary: 'Accept a suggestion: it is recomputed and becomes a transfer with its id (accepting again answers the same transfer)',
    tags: ['inventory'],
    auth: true,
    pathParameters: suggestionPathSchema,
    requestBody: rebalancingQuerySchema,
    requestBodyOptional: true,
    responses: {
      201: { description: 'The transfer, requested', schema: acceptedSuggestionSchema },
      200: { description: 'Accepted before: its transfer', schema: acceptedSuggestionSchema },
      404: { description: 'No such suggestion now (the stock or the forecasts moved): GET /rebalancing again' },
      409: { description: 'The origin no longer holds the units' },
    },
  },
  receiveReturn: {
    operationId: 'receiveReturn',
    method: 'post',
    path: '/orders/{orderId}/returns',
    summary: 'Receive returned units at any location: restocked units go on-hand there; RETURNED once every unit is back',
    tags: ['orders'],
    auth: true,
    pathParameters: orderPathSchema,
    requestBody: returnOrderSchema,
    responses: {
      201: { description: 'The return, received, and the order', schema: receivedReturnSchema },
      200: { description: 'The same return id and request again: the return as recorded', schema: receivedReturnSchema },
      404: { description: 'No such order' },
      409: { description: 'The return id was used for another return of this order, or by another order' },
      422: { description: 'Unknown line, location or exchange SKU, a drop-shipper, or more units than shipped and not yet returned' },
    },
  },
  receiveMailedReturn: {
    operationId: 'receiveMailedReturn',
    method: 'post',
    path: '/returns/{returnId}/receive',
    summary: 'A mail return arrived: sellable units go on hand there, damaged ones to its damaged count; the refund is recorded (RefundDue)',
    tags: ['orders'],
    auth: true,
    pathParameters: returnPathSchema,
    requestBody: receiveReturnSchema,
    responses: {
      200: { description: 'The return, received (the same receipt again: as recorded), and the order', schema: receivedReturnSchema },
      404: { description: 'No such return' },
      409: { description: 'The return was already received otherwise' },
      422: { description: 'Unknown line or location, a drop-shipper, or more units than shipped and not yet returned' },
    },
  },
  putReturnPolicy: {
    operationId: 'putReturnPolicy',
    method: 'put',
    path: '/tenant/return-policy',
    summary: "Replace the tenant's return policy: refund shipping or not, and the restocking fee",
    tags: ['tenants'],
    auth: true,
    requestBody: returnPolicySchema,
    responses: {
      200: {
        description: 'The policy as stored',
        schema: z.object({ refundShipping: z.boolean(), restockingFeePercent: z.number() }).meta({ id: 'StoredReturnPolicy' }),
      },
    },
  },
  acceptShipment: {
    operationId: 'acceptShipment',
    method: 'post',
    path: '/shipments/{shipmentId}/accept',
    summary: 'The location accepts the shipment',
    tags: ['fulfilment'],
    auth: true,
    pathParameters: shipmentPathSchema,
    requestBody: shipmentReportSchema,
    requestBodyOptional: true,
    responses: { 200: { description: 'The shipment after the report', schema: shipmentSchema }, 404: { description: 'No such shipment' }, 409: { description: 'Not possible in the shipment\'s status' } },
  },
  rejectShipment: {
    operationId: 'rejectShipment',
    method: 'post',
    path: '/shipments/{shipmentId}/reject',
    summary: 'The location cannot fulfil it: its lines are routed elsewhere',
    tags: ['fulfilment'],
    auth: true,
    pathParameters: shipmentPathSchema,
    requestBody: shipmentReportSchema,
    requestBodyOptional: true,
    responses: { 200: { description: 'The shipment after the report', schema: shipmentSchema }, 404: { description: 'No such shipment' }, 409: { description: 'Not possible in the shipment\'s status' } },
  },
  shipShipment: {
    operationId: 'shipShipment',
    method: 'post',
    path: '/shipments/{shipmentId}/ship',
    summary: 'The parcel left: the reservation is committed (tracking optional)',
    tags: ['fulfilment'],
    auth: true,
    pathParameters: shipmentPathSchema,
    requestBody: shipmentReportSchema,
    requestBodyOptional: true,
    responses: { 200: { description: 'The shipment after the report', schema: shipmentSchema }, 404: { description: 'No such shipment' }, 409: { description: 'Not possible in the shipment\'s status' } },
  },
  deliverShipment: {
    operationId: 'deliverShipment',
    method: 'post',
    path: '/shipments/{shipmentId}/deliver',
    summary: 'The parcel was delivered',
    tags: ['fulfilment'],
    auth: true,
    pathParameters: shipmentPathSchema,
    requestBody: shipmentReportSchema,
    requestBodyOptional: true,
    responses: { 200: { description: 'The shipment after the report', schema: shipmentSchema }, 404: { description: 'No such shipment' }, 409: { description: 'Not possible in the shipment\'s status' } },
  },
  pickupReady: {
    operationId: 'pickupReady',
    method: 'post',
    path: '/shipments/{shipmentId}/ready',
    summary: 'The pickup is ready at the store: a pickup code is issued (PickupReady) and the store\'s hold starts; reissueCode issues a new code',
    tags: ['fulfilment'],
    auth: true,
    pathParameters: shipmentPathSchema,
    requestBody: pickupReadySchema,
    requestBodyOptional: true,
    responses: { 200: { description: 'The shipment, READY_FOR_PICKUP (the same call again: as it is)', schema: shipmentSchema }, 404: { description: 'No such shipment' }, 409: { description: 'Not a pickup, or not possible in the shipment\'s status' } },
  },
  pickupArrived: {
    operationId: 'pickupArrived',
    method: 'post',
    path: '/shipments/{shipmentId}/arrived',
    summary: 'A curbside customer arrived (bay, vehicle): CustomerArrived',
    tags: ['fulfilment'],
    auth: true,
    pathParameters: shipmentPathSchema,
    requestBody: pickupArrivedSchema,
    requestBodyOptional: true,
    responses: { 200: { description: 'The shipment, CUSTOMER_ARRIVED', schema: shipmentSchema }, 404: { description: 'No such shipment' }, 409: { description: 'Not a curbside pickup, or not ready' } },
  },
  pickupPickedUp: {
    operationId: 'pickupPickedUp',
    method: 'post',
    path: '/shipments/{shipmentId}/picked-up',
    summary: 'The customer showed the pickup code and took the units: the reservation is committed (PickedUp)',
    tags: ['fulfilment'],
    auth: true,
    pathParameters: shipmentPathSchema,
    requestBody: pickedUpSchema,
    responses: {
      200: { description: 'The shipment, PICKED_UP (the same call again: as it is)', schema: shipmentSchema },
      404: { description: 'No such shipment' },
      409: { description: 'Not a pickup, or not ready' },
      422: { description: 'The code does not match (field `code`; the try is counted)' },
      423: { description: 'Five wrong codes: locked until the store issues a new code' },
    },
  },
  listLocationShipments: {
    operationId: 'listLocationShipments',
    method: 'get',
    path: '/locations/{locationId}/shipments',
    summary: 'A location\'s work queue: its shipments by status, oldest first (status=REQUESTED is the pick list)',
    description: 'Open to the location\'s scoped API keys and to the admin key; for any other key the location does not exist (404).',
    tags: ['fulfilment'],
    auth: true,
    pathParameters: locationPathSchema,
    query: locationShipmentsQuerySchema,
    responses: { 200: { description: 'A page of the location\'s shipments', schema: shipmentPageSchema }, 404: { description: 'No such location (or not this key\'s)' } },
  },
  createApiKey: {
    operationId: 'createApiKey',
    method: 'post',
    path: '/api-keys',
    summary: 'Issue an API key scoped to some locations (admin key only)',
    description:
      'The key may list and act on its locations\' shipments and adjust their stock, nothing else: other locations\' shipments and every order are a 404, admin routes a 403. Its secret is in this answer only.',
    tags: ['tenants'],
    auth: true,
    requestBody: createApiKeySchema,
    responses: {
      201: { description: 'The key, with its secret (shown once)', schema: issuedApiKeySchema },
      409: { description: 'A working key has this name' },
      422: { description: 'Invalid fields, or a location that does not exist' },
    },
  },
  listApiKeys: {
    operationId: 'listApiKeys',
    method: 'get',
    path: '/api-keys',
    summary: 'The tenant\'s working API keys, never their secrets (admin key only)',
    tags: ['tenants'],
    auth: true,
    query: pageQuerySchema,
    responses: { 200: { description: 'A page of keys', schema: apiKeyPageSchema } },
  },
  revokeApiKey: {
    operationId: 'revokeApiKey',
    method: 'delete',
    path: '/api-keys/{keyId}',
    summary: 'Revoke a scoped API key (admin key only): it stops working at once (on AWS within the authorizer cache\'s 60 s)',
    tags: ['tenants'],
    auth: true,
    pathParameters: apiKeyPathSchema,
    responses: {
      200: { description: 'The key, revoked (also when it was revoked before)', schema: revokedApiKeySchema },
      404: { description: 'No such key' },
      409: { description: 'The admin key cannot be revoked over HTTP' },
    },
  },
  putRoutingRules: {
    operationId: 'putRoutingRules',
    method: 'put',
    path: '/routing-rules',
    summary: 'Store a new version of the routing rules (filters, preferences, ranking, split policy, VIP, hold-back, scopes)',
    tags: ['routing'],
    auth: true,
    requestBody: putRoutingRulesSchema,
    responses: { 200: { description: 'The stored rules with their new version', schema: routingRulesViewSchema }, 409: { description: 'expectedVersion is not the current version' } },
  },
  getRoutingRules: {
    operationId: 'getRoutingRules',
    method: 'get',
    path: '/routing-rules',
    summary: 'The current routing rules (the defaults until the tenant stores some)',
    tags: ['routing'],
    auth: true,
    responses: { 200: { description: 'The current rules', schema: storedRoutingRulesSchema } },
  },
  importDemandHistory: {
    operationId: 'importDemandHistory',
    method: 'post',
    path: '/demand-history',
    summary: 'Import past sales as daily demand history (sets each day, never adds: a repeated import changes nothing)',
    description: 'Up to 5,000 rows per request, as JSON rows or as text/csv in the format date,sku,locationId,units. Every row is checked before anything is written; a 422 names each bad row and field.',
    tags: ['forecasting'],
    auth: true,
    requestBody: demandHistoryImportSchema,
    requestBodyCsv: 'date,sku,locationId,units: one header line, comma-separated, no quoting; up to 5,000 rows',
    responses: { 200: { description: 'What was imported', schema: demandHistoryImportedSchema } },
  },
  getDemandHistory: {
    operationId: 'getDemandHistory',
    method: 'get',
    path: '/demand-history/{sku}',
    summary: 'A SKU\'s daily demand per location (orders allocated there plus imported sales) and per destination region',
    tags: ['forecasting'],
    auth: true,
    pathParameters: demandHistoryPathSchema,
    query: demandHistoryQuerySchema,
    responses: { 200: { description: 'Days with demand between from and to (empty lists when none)', schema: demandHistorySchema } },
  },
  getForecasts: {
    operationId: 'getForecasts',
    method: 'get',
    path: '/forecasts/{sku}',
    summary: 'The latest daily demand forecast of a SKU, per location with its safety stock and reorder point',
    tags: ['forecasting'],
    auth: true,
    pathParameters: forecastPathSchema,
    query: forecastQuerySchema,
    responses: { 200: { description: 'The SKU\'s forecast', schema: skuForecastSchema }, 404: { description: 'No forecast for this SKU (at this location)' } },
  },
  listReplenishment: {
    operationId: 'listReplenishment',
    method: 'get',
    path: '/replenishment',
    summary: 'Reorder suggestions: SKU x locations at or below their reorder point, with the quantity that brings them to the order-up-to level',
    description:
      'Reorder points come from the daily forecast run; availability and units on order (open inbound) are read live, so a suggestion never orders again what an inbound brings. `status=all` lists every SKU x location with a forecast. See docs/forecasting.md, "Replenishment".',
    tags: ['forecasting'],
    auth: true,
    query: replenishmentQuerySchema,
    responses: { 200: { description: 'A page of suggestions in (sku, location) order', schema: suggestionPageSchema } },
  },
  getReplenishmentSettings: {
    operationId: 'getReplenishmentSettings',
    method: 'get',
    path: '/replenishment/settings',
    summary: 'The service level, lead times and review period replenishment uses (the defaults until set)',
    tags: ['forecasting'],
    auth: true,
    responses: { 200: { description: 'The settings', schema: replenishmentSettingsViewSchema } },
  },
  putReplenishmentSettings: {
    operationId: 'putReplenishmentSettings',
    method: 'put',
    path: '/replenishment/settings',
    summary: 'Set the service level, the lead time (default and per location) and the review period',
    description: 'Replaces the settings. Reorder points are computed by the daily forecast run for the service level and each location\'s lead time, so those apply from its next run; the review period (order-up-to levels) applies at once.',
    tags: ['forecasting'],
    auth: true,
    requestBody: replenishmentSettingsSchema,
    responses: { 200: { description: 'The settings stored', schema: replenishmentSettingsViewSchema } },
  },
  createInbound: {
    operationId: 'createInbound',
    method: 'post',
    path: '/inbound',
    summary: 'Stock on its way to a location: its lines are on order there (and count against its reorder suggestions) until received',
    description: 'Give `inboundId` (your purchase order or ASN number) to make a retry safe: the same id and contents answer the stored inbound with 200; other contents are a 409.',
    tags: ['forecasting'],
    auth: true,
    requestBody: createInboundSchema,
    responses: {
      201: { description: 'Created', schema: inboundSchema },
      200: { description: 'Created before with the same contents', schema: inboundSchema },
      409: { description: 'The inboundId is another inbound of this tenant' },
    },
  },
  getInbound: {
    operationId: 'getInbound',
    method: 'get',
    path: '/inbound/{inboundId}',
    summary: 'An inbound: its lines (expected, received, on order) and receipts',
    tags: ['forecasting'],
    auth: true,
    pathParameters: inboundPathSchema,
    responses: { 200: { description: 'The inbound', schema: inboundSchema }, 404: { description: 'No such inbound' } },
  },
  receiveInbound: {
    operationId: 'receiveInbound',
    method: 'post',
    path: '/inbound/{inboundId}/receive',
    summary: 'Receive (part of) an inbound: the units are on hand at its location at once, in one transaction with the inbound',
    description: 'Receipts may be partial; a line never receives more than expected plus the inbound\'s tolerance (a 422 naming the line). The same receiptId again is answered as recorded (`applied: false`).',
    tags: ['forecasting'],
    auth: true,
    pathParameters: inboundPathSchema,
    requestBody: receiveInboundSchema,
    responses: {
      200: { description: 'The receipt and the inbound after it', schema: inboundReceiptResultSchema },
      404: { description: 'No such inbound' },
      409: { description: 'Other receipts kept winning the race for the inbound: send it again' },
    },
  },
  simulateRouting: {
    operationId: 'simulateRouting',
    method: 'post',
    path: '/simulations',
    summary: 'What-if: replay the recorded routing decisions of a period under candidate rule sets, side by side with what was decided',
    description:
      'Read-only and synchronous: at most 31 days and 20,000 recorded decisions per call (a 422 naming `to` beyond). Costs are the routing engine\'s carrier cost model on both sides; see docs/routing.md, "What-if".',
    tags: ['routing'],
    auth: true,
    requestBody: simulationRequestSchema,
    responses: { 200: { description: 'The simulation: figures before and after, the share of orders that change, the biggest changes explained', schema: simulationResultSchema } },
  },
  getShadowRules: {
    operationId: 'getShadowRules',
    method: 'get',
    path: '/routing-rules/shadow',
    summary: 'The shadow rule set: every order in its scope is also routed under it (no reservation), the difference recorded',
    tags: ['routing'],
    auth: true,
    responses: { 200: { description: 'The installed shadow rule set', schema: shadowRulesViewSchema }, 404: { description: 'None is installed' } },
  },
  putShadowRules: {
    operationId: 'putShadowRules',
    method: 'put',
    path: '/routing-rules/shadow',
    summary: 'Install or replace the shadow rule set (applies to orders routed within 30 s)',
    tags: ['routing'],
    auth: true,
    requestBody: putShadowRulesSchema,
    responses: { 200: { description: 'The installed shadow rule set with its version', schema: shadowRulesViewSchema }, 409: { description: 'expectedVersion is not the current shadow version' } },
  },
  deleteShadowRules: {
    operationId: 'deleteShadowRules',
    method: 'delete',
    path: '/routing-rules/shadow',
    summary: 'Remove the shadow rule set (idempotent); recorded shadow decisions stay',
    tags: ['routing'],
    auth: true,
    responses: { 204: { description: 'Removed (or none was installed)' } },
  },
  getShadowKpis: {
    operationId: 'getShadowKpis',
    method: 'get',
    path: '/routing-rules/shadow/kpis',
    summary: 'What the shadow rule set would have changed over a period: cost, parcels, CO2, promised days, share of orders',
    tags: ['routing'],
    auth: true,
    query: shadowKpisQuerySchema,
    responses: { 200: { description: 'Shadow against live, over the decisions of the period that were shadowed', schema: shadowKpisSchema } },
  },
} satisfies Record<string, Operation>;
