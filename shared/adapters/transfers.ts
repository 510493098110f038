import type { TransferDeps } from '#application/inventory/transfers';
import { dynamoLocationStore } from './dynamodb/catalog-store.ts';
import { dynamoStockStore } from './dynamodb/stock-store.ts';
import { dynamoTransferStore } from './dynamodb/transfer-store.ts';
import { randomIds, systemClock } from './system/system.ts';

/** The real adapters of the transfer use cases, built once per process (handlers, integration tests, other flows). */
export const transferDeps: TransferDeps = {
  transfers: dynamoTransferStore,
  stock: dynamoStockStore,
  locations: dynamoLocationStore,
  ids: randomIds,
  clock: systemClock,
};
