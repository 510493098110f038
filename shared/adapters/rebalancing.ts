import type { RebalancingDeps } from '#application/inventory/rebalancing';
import type { TransferDeps } from '#application/inventory/transfers';
import { dynamoLocationStore } from './dynamodb/catalog-store.ts';
import { dynamoForecastStore } from './dynamodb/demand-store.ts';
import { dynamoFulfillmentSettings, dynamoNetworkReader } from './dynamodb/fulfillment-store.ts';
import { dynamoSkuNetworkStore } from './dynamodb/stock-store.ts';
import { dynamoTransferStore } from './dynamodb/transfer-store.ts';
import { systemClock } from './system/system.ts';
import { transferDeps } from './transfers.ts';

/** The real adapters of the rebalancing use cases, built once per process. */
export const rebalancingDeps: RebalancingDeps & { transferDeps: TransferDeps } = {
  forecasts: dynamoForecastStore,
  networks: dynamoSkuNetworkStore,
  locations: dynamoLocationStore,
  skus: dynamoNetworkReader,
  transfers: dynamoTransferStore,
  rateTable: (tenantId) => dynamoFulfillmentSettings.rateTable(tenantId),
  clock: systemClock,
  transferDeps,
};
