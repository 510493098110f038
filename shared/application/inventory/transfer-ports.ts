import type { StockAddition, StockTake, Transfer, TransferStatus } from '#domain/inventory/transfer';

export type TransferCreateOutcome =
  /** The transfer and every take are written. */
  | { outcome: 'CREATED' }
  /** The id is taken: the stored transfer (nothing written). */
  | { outcome: 'EXISTS'; transfer: Transfer }
  /** A take's shard no longer held the units (a reservation or another transfer got there first): nothing written. */
  | { outcome: 'STOCK_MOVED' };

export interface TransferQuery {
  /** Exactly one of the two: the transfers leaving, or coming to, a location. */
  fromLocationId?: string;
  toLocationId?: string;
  status?: TransferStatus;
  limit: number;
  cursor?: string;
}

export interface TransferStore {
  get(tenantId: string, transferId: string): Promise<Transfer | undefined>;
  /**
   * ONE transaction: the transfer (its id must be free) and, per take, `onHand`, `available` and `unreserved` of that
   * shard of the origin's stock down by the quantity, if its `available` is at least that.
   */
  create(transfer: Transfer, takes: readonly StockTake[]): Promise<TransferCreateOutcome>;
  /**
   * ONE transaction: the transfer, if its stored version is `expectedVersion` (else ConflictError), and the additions to
   * on-hand (and available) of each location+SKU, the stock item created if the location never held the SKU.
   */
  update(transfer: Transfer, expectedVersion: number, stock: readonly StockAddition[]): Promise<void>;
  list(tenantId: string, query: TransferQuery): Promise<{ transfers: Transfer[]; nextCursor?: string }>;
}
