import { setTimeout as sleep } from 'node:timers/promises';
import { shardOf } from '#domain/inventory/stock-shards';
import { mayUseLocation } from '#domain/tenants/api-keys';
import {
  decideCancel,
  decideReceipt,
  decideShip,
  decideTransferRequest,
  isSameRequest,
  TransferIdTakenError,
  TransferRefusedError,
  transferEndProblems,
  type ReceiveTransferInput,
  type RequestTransferInput,
  type ShipTransferInput,
  type Transfer,
  type TransferChange,
} from '#domain/inventory/transfer';
import { NotFoundError, retryOnConflict, TemporarilyUnavailableError } from '../errors.ts';
import type { Clock, IdGenerator, LocationStore, StockStore } from '../ports.ts';
import type { TransferQuery, TransferStore } from './transfer-ports.ts';

export interface TransferDeps {
  transfers: TransferStore;
  stock: Pick<StockStore, 'getShards'>;
  locations: Pick<LocationStore, 'get'>;
  ids: IdGenerator;
  clock: Clock;
}

/** Rounds of read -> decide -> write when the origin's stock moved between the read and the write. */
const REQUEST_ATTEMPTS = 6;

export type TransferRequest = RequestTransferInput & {
  /** The rebalancing suggestion being accepted (kept on the transfer). */
  suggestionId?: string;
};

/**
 * Requests a transfer: the units leave the origin's stock in the same transaction that writes the transfer, so they are
 * in transit (sellable nowhere) from the moment the answer is given. Never more than the origin's available units:
 * each SKU's take is guarded on the shard it comes from, and a race lost to a reservation or another transfer is read
 * again and decided again (TransferShortError when the units are gone). With a `transferId` the call is idempotent: the
 * same request again answers the stored transfer (`created: false`), a different one is TransferIdTakenError.
 *
 * The use case other flows call (a pickup at a store without the units, an accepted rebalancing suggestion).
 */
export async function requestTransfer(deps: TransferDeps, tenantId: string, request: TransferRequest): Promise<{ transfer: Transfer; created: boolean }> {
  const [from, to] = await Promise.all([deps.locations.get(tenantId, request.fromLocationId), deps.locations.get(tenantId, request.toLocationId)]);
  const problems = transferEndProblems(request, from, to);
  if (problems.length) throw new TransferRefusedError(problems);

  const transferId = request.transferId ?? deps.ids.next('tr_');
  const repeat = (stored: Transfer) => {
    if (!isSameRequest(stored, request)) throw new TransferIdTakenError(transferId);
    return { transfer: stored, created: false };
  };
  if (request.transferId) {
    const stored = await deps.transfers.get(tenantId, transferId);
    if (stored) return repeat(stored);
  }
  for (let attempt = 1; attempt <= REQUEST_ATTEMPTS; attempt++) {
    const origin = new Map(
      await Promise.all(
        request.lines.map(async (line) => {
          const shards = await deps.stock.getShards(tenantId, request.fromLocationId, line.sku);
          return [line.sku, shards.map((level) => ({ shard: shardOf(level), available: level.available }))] as const;
        }),
      ),
    );
    const { transfer, takes } = decideTransferRequest(tenantId, transferId, request, origin, deps.clock.now());
    const written = await deps.transfers.create(transfer, takes);
    if (written.outcome === 'CREATED') return { transfer, created: true };
    if (written.outcome === 'EXISTS') return repeat(written.transfer);
    await sleep(Math.random() * Math.min(200, 10 * 2 ** attempt));
  }
  throw new TemporarilyUnavailableError(`The stock at ${request.fromLocationId} kept changing while transfer ${transferId} was written; nothing was taken, retry`);
}

export async function getTransfer(deps: Pick<TransferDeps, 'transfers'>, tenantId: string, transferId: string): Promise<Transfer> {
  const transfer = await deps.transfers.get(tenantId, transferId);
  if (!transfer) throw new NotFoundError(`No transfer ${transferId}`);
  return transfer;
}

/** The caller: a scoped (partner) key names its locations; the admin key none. */
export interface TransferCaller {
  tenantId: string;
  locationIds?: readonly string[];
}

/** A location's outgoing or incoming transfers; a scoped key lists only its own locations' (another: NotFoundError). */
export async function listTransfers(deps: Pick<TransferDeps, 'transfers'>, caller: TransferCaller | string, query: TransferQuery) {
  const who = typeof caller === 'string' ? { tenantId: caller } : caller;
  const locationId = query.fromLocationId ?? query.toLocationId!;
  if (!mayUseLocation(who, locationId)) throw new NotFoundError(`No location ${locationId}`);
  return deps.transfers.list(who.tenantId, query);
}

/**
 * load -> decide -> save, retried when the transfer changed in between (a concurrent receipt). A scoped key acts only
 * on the end of the transfer that is its own (`side`); any other transfer is a NotFoundError, as if it did not exist.
 */
async function changeTransfer(
  deps: TransferDeps,
  caller: TransferCaller | string,
  transferId: string,
  side: 'fromLocationId' | 'toLocationId' | undefined,
  decide: (transfer: Transfer, now: Date) => TransferChange,
) {
  const who = typeof caller === 'string' ? { tenantId: caller } : caller;
  return retryOnConflict(async () => {
    const transfer = await getTransfer(deps, who.tenantId, transferId);
    if (who.locationIds && (!side || !mayUseLocation(who, transfer[side]))) throw new NotFoundError(`No transfer ${transferId}`);
    const change = decide(transfer, deps.clock.now());
    if (change.changed) await deps.transfers.update(change.transfer, transfer.version, change.stock);
    return { transfer: change.transfer, changed: change.changed };
  });
}

/** Records that the units left the origin (carrier, tracking, expected arrival): TransferShipped. A scoped key: the origin's. */
export function shipTransfer(deps: TransferDeps, caller: TransferCaller | string, transferId: string, input: ShipTransferInput) {
  return changeTransfer(deps, caller, transferId, 'fromLocationId', (transfer, now) => decideShip(transfer, input, now));
}

/** Units arrived: on hand at the destination in the same transaction as the receipt (TransferReceived). A scoped key: the destination's. */
export function receiveTransfer(deps: TransferDeps, caller: TransferCaller | string, transferId: string, input: ReceiveTransferInput) {
  return changeTransfer(deps, caller, transferId, 'toLocationId', (transfer, now) => decideReceipt(transfer, input, now));
}

/** A transfer that has not shipped is called off: its units go back on hand at the origin (TransferCancelled). Admin only. */
export function cancelTransfer(deps: TransferDeps, caller: TransferCaller | string, transferId: string) {
  return changeTransfer(deps, caller, transferId, undefined, (transfer, now) => decideCancel(transfer, now));
}
