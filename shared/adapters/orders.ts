import type { FulfillmentDeps } from '#application/orders/fulfillment';
import type { LifecycleDeps } from '#application/orders/lifecycle';
import type { PickupDeps } from '#application/orders/pickups';
import type { PlaceOrderDeps } from '#application/orders/place-order';
import type { ReturnDeps } from '#application/orders/returns';
import type { DelayDeps } from '#application/orders/delays';
import type { SweepDeps } from '#application/orders/sweeper';
import { dynamoChannelStore, dynamoLocationStore } from './dynamodb/catalog-store.ts';
import {
  dynamoAllocationWriter,
  dynamoBackorderIndex,
  dynamoFulfillmentSettings,
  dynamoLateShipmentFinder,
  dynamoNetworkReader,
  dynamoPlanReader,
  dynamoStuckOrderFinder,
} from './dynamodb/fulfillment-store.ts';
import { cachedShadowRules } from './dynamodb/decision-record-store.ts';
import { dynamoOrderStore, dynamoReturnIndex } from './dynamodb/order-store.ts';
import { dynamoReturnPolicyStore } from './dynamodb/return-policy-store.ts';
import { dynamoReservationStore, dynamoSkuNetworkStore, dynamoStockStore } from './dynamodb/stock-store.ts';
import { usZipGeocoder } from './geo/us-zip-geocoder.ts';
import { sfnWorkflowStarter } from './sfn/workflow-starter.ts';
import { randomIds, systemClock } from './system/system.ts';
import type { ChannelStore } from '#application/ports';
import { ttlCache } from './ttl-cache.ts';
import { expectedDemandReader } from './dynamodb/expected-demand.ts';
import { transferDeps } from './transfers.ts';

// The workflow reads the order's channel rule twice per order (plan and reserve); like routing rules, each container
// keeps it 30 s, so a new hold-back applies to orders routed half a minute later at most. The API reads it fresh.
const cachedChannelRule = ttlCache((key) => {
  const [tenantId, channel] = key.split('\u0000') as [string, string];
  return dynamoChannelStore.get(tenantId, channel);
}, 30_000);
const workflowChannels: ChannelStore = { ...dynamoChannelStore, get: (tenantId, channel) => cachedChannelRule(`${tenantId}\u0000${channel}`) };

/** The real adapters of the order use cases, wired once per process (the handlers' composition root). */
export const placeOrderDeps: PlaceOrderDeps = { orders: dynamoOrderStore, network: dynamoNetworkReader, geocoder: usZipGeocoder, ids: randomIds, clock: systemClock };

export const fulfillmentDeps: FulfillmentDeps = {
  orders: dynamoOrderStore,
  network: dynamoNetworkReader,
  networks: dynamoSkuNetworkStore,
  channels: workflowChannels,
  // What-if (issue 15): the shadow rule set, cached 30 s like the routing rules. Look-ahead (issue 17): expected
  // demand, cached an hour per tenant and SKU.
  settings: { ...dynamoFulfillmentSettings, shadowRules: cachedShadowRules, expectedDemand: expectedDemandReader() },
  geocoder: usZipGeocoder,
  reservations: dynamoReservationStore,
  allocations: dynamoAllocationWriter,
  plans: dynamoPlanReader,
  clock: systemClock,
  transfers: transferDeps,
};

export const lifecycleDeps: LifecycleDeps & { backorders: typeof dynamoBackorderIndex } = {
  orders: dynamoOrderStore,
  workflows: sfnWorkflowStarter,
  clock: systemClock,
  backorders: dynamoBackorderIndex,
};

/** The pickup steps: the ready step reads the pickup's store for its PickupReady. */
export const pickupDeps: PickupDeps = { ...lifecycleDeps, locations: dynamoLocationStore };

export const sweepDeps: SweepDeps = { ...lifecycleDeps, stuck: dynamoStuckOrderFinder, networks: dynamoSkuNetworkStore, channels: dynamoChannelStore };

export const returnDeps: ReturnDeps = {
  orders: dynamoOrderStore,
  returns: dynamoReturnIndex,
  policies: dynamoReturnPolicyStore,
  locations: dynamoLocationStore,
  network: dynamoNetworkReader,
  networks: dynamoSkuNetworkStore,
  settings: dynamoFulfillmentSettings,
  geocoder: usZipGeocoder,
  ids: randomIds,
  clock: systemClock,
  intake: placeOrderDeps,
};

export const delayDeps: DelayDeps = { ...lifecycleDeps, late: dynamoLateShipmentFinder };
