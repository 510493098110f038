import { z } from 'zod';
import { ID_PATTERN, MAX_ID_LENGTH, MAX_QUANTITY, locationIdSchema, skuSchema } from './schemas.ts';
import type { Location } from './location.ts';
import { planTakes, type ShardCounts } from './stock-shards.ts';

/**
 * Transfers between locations (issue 18 part 5): units leave the origin's stock when the transfer is requested (one
 * transaction with the transfer itself, never more than the origin's available units), are in transit on the transfer
 * (on hand nowhere, so sellable nowhere), and go on hand at the destination as they are received (each receipt one
 * transaction with the transfer). Pure: the use cases in shared/application/inventory/transfers.ts load, ask these
 * functions, and save what they answer.
 *
 *   REQUESTED ──ship──► SHIPPED ──receive (part)──► PARTIALLY_RECEIVED ──receive (rest)──► RECEIVED
 *       │                   └──────────────receive (all)──────────────────────────────────────┘
 *       └──cancel──► CANCELLED (units back on hand at the origin)          (a REQUESTED transfer may be received directly)
 */

export const TRANSFER_STATUSES = ['REQUESTED', 'SHIPPED', 'PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED'] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];

/** Lines per transfer: each takes at least one stock update in the request's transaction (100 items, one the transfer). */
export const MAX_TRANSFER_LINES = 50;
/** Receipts per transfer (they are kept on the transfer, for idempotent retries and the audit). */
export const MAX_TRANSFER_RECEIPTS = 100;

const transferIdPattern = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`)
  .regex(ID_PATTERN, 'an id may hold letters, digits and . _ : - (not first)');
export const transferIdSchema = transferIdPattern.describe('Transfer id: yours (send it to make retries safe) or generated (tr_...)');
export const receiptIdSchema = transferIdPattern.describe('Receipt id: send it to make a partial receipt safe to retry');

const quantitySchema = z.number().int('must be an integer').min(1, 'must be >= 1').max(MAX_QUANTITY, `must be <= ${MAX_QUANTITY}`);
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const transferLineInputSchema = z.strictObject({ sku: skuSchema, quantity: quantitySchema });

/** Refuses a SKU listed twice, naming the second line (`lines[3].sku`). */
function uniqueSkus(lines: ReadonlyArray<{ sku: string }>, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  lines.forEach((line, i) => {
    if (seen.has(line.sku)) ctx.addIssue({ code: 'custom', path: [i, 'sku'], message: `SKU ${line.sku} is listed twice` });
    seen.add(line.sku);
  });
}

const linesSchema = z
  .array(transferLineInputSchema)
  .min(1, 'must hold at least one line')
  .max(MAX_TRANSFER_LINES, `must hold at most ${MAX_TRANSFER_LINES} lines`)
  .superRefine(uniqueSkus);

/** POST /transfers. The one schema of a transfer request (HTTP, the pickup flow, an accepted rebalancing suggestion). */
export const requestTransferSchema = z
  .strictObject({
    transferId: transferIdSchema.optional(),
    fromLocationId: locationIdSchema,
    toLocationId: locationIdSchema,
    lines: linesSchema,
    reason: text(500).optional(),
    /** When the units are expected at the destination (a promise built on the transfer may use it). */
    expectedArrivalAt: z.iso.datetime({ offset: true }).optional(),
  })
  .superRefine((value, ctx) => {
    if (value.fromLocationId === value.toLocationId) ctx.addIssue({ code: 'custom', path: ['toLocationId'], message: 'must differ from fromLocationId' });
  });
export type RequestTransferInput = z.output<typeof requestTransferSchema>;

/** POST /transfers/{id}/ship (body optional). */
export const shipTransferSchema = z.strictObject({
  carrier: text(64).optional(),
  trackingNumber: text(128).optional(),
  expectedArrivalAt: z.iso.datetime({ offset: true }).optional(),
});
export type ShipTransferInput = z.output<typeof shipTransferSchema>;

/** POST /transfers/{id}/receive (body optional: without lines, everything still in transit is received). */
export const receiveTransferSchema = z.strictObject({
  receiptId: receiptIdSchema.optional(),
  lines: linesSchema.optional(),
});
export type ReceiveTransferInput = z.output<typeof receiveTransferSchema>;

export interface TransferLine {
  sku: string;
  quantity: number;
  /** Units received at the destination so far (in transit: quantity - received, until the transfer is cancelled). */
  received: number;
}

export interface TransferReceipt {
  receiptId: string;
  receivedAt: string;
  lines: Array<{ sku: string; quantity: number }>;
}

export interface Transfer {
  tenantId: string;
  transferId: string;
  fromLocationId: string;
  toLocationId: string;
  status: TransferStatus;
  lines: TransferLine[];
  reason?: string;
  /** The rebalancing suggestion this transfer was created from. */
  suggestionId?: string;
  expectedArrivalAt?: string;
  shipment?: { shippedAt: string; carrier?: string; trackingNumber?: string };
  receipts: TransferReceipt[];
  requestedAt: string;
  updatedAt: string;
  receivedAt?: string;
  cancelledAt?: string;
  version: number;
}

/** Units still on their way, per SKU (none once received in full or cancelled). */
export function inTransit(transfer: Pick<Transfer, 'status' | 'lines'>): Array<{ sku: string; quantity: number }> {
  if (transfer.status === 'CANCELLED') return [];
  return transfer.lines.filter((line) => line.quantity > line.received).map((line) => ({ sku: line.sku, quantity: line.quantity - line.received }));
}

/** A stock change a decision asks for: units added to (positive) a location+SKU's on-hand. */
export interface StockAddition {
  locationId: string;
  sku: string;
  quantity: number;
}

/** Units taken from one shard of the origin's stock (guarded by `available >= quantity` on that shard). */
export interface StockTake {
  locationId: string;
  sku: string;
  shard: number;
  quantity: number;
}

/** A field the request got wrong, named as the API names it (`lines[2].quantity`). */
export interface TransferProblem {
  field: string;
  message: string;
}

/** The request cannot be done as asked (422 naming each field). */
export class TransferRefusedError extends Error {
  override readonly name = 'TransferRefusedError';
  constructor(readonly problems: TransferProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
  }
}

/** The transfer's state does not allow the action (a receipt on a cancelled transfer, a cancel after shipping): a 409. */
export class TransferStateError extends Error {
  override readonly name = 'TransferStateError';
  constructor(
    message: string,
    readonly status: TransferStatus,
  ) {
    super(message);
  }
}

/** The origin does not hold the units (available, after reservations and safety stock): a 409 naming each line. */
export class TransferShortError extends Error {
  override readonly name = 'TransferShortError';
  constructor(
    readonly fromLocationId: string,
    readonly shortages: Array<{ index: number; sku: string; requested: number; available: number }>,
  ) {
    super(`${fromLocationId} does not hold the units: ${shortages.map((s) => `${s.sku} requested ${s.requested}, available ${s.available}`).join('; ')}`);
  }
}

/** The transfer id is taken by a different request: a 409 naming transferId. */
export class TransferIdTakenError extends Error {
  override readonly name = 'TransferIdTakenError';
  constructor(readonly transferId: string) {
    super(`Transfer ${transferId} exists with a different request`);
  }
}

/**
 * Transfers move the merchant's own stock: a drop-shipper's is the partner's, so it is neither origin nor destination.
 * A closed (inactive) location may send its stock away but not receive any.
 */
export function transferEndProblems(
  request: Pick<RequestTransferInput, 'fromLocationId' | 'toLocationId'>,
  from: Pick<Location, 'locationId' | 'type' | 'active'> | undefined,
  to: Pick<Location, 'locationId' | 'type' | 'active'> | undefined,
): TransferProblem[] {
  const problems: TransferProblem[] = [];
  if (!from) problems.push({ field: 'fromLocationId', message: `no location ${request.fromLocationId}` });
  else if (from.type === 'dropship') problems.push({ field: 'fromLocationId', message: `${from.locationId} is a drop-shipper: its stock is not transferred` });
  if (!to) problems.push({ field: 'toLocationId', message: `no location ${request.toLocationId}` });
  else if (to.type === 'dropship') problems.push({ field: 'toLocationId', message: `${to.locationId} is a drop-shipper: it does not receive transfers` });
  else if (!to.active) problems.push({ field: 'toLocationId', message: `${to.locationId} is inactive` });
  return problems;
}

export interface TransferRequestDecision {
  transfer: Transfer;
  takes: StockTake[];
}

/**
 * A new transfer and the units it takes from the origin, from every shard of each SKU's stock there as read (`origin`,
 * keyed by SKU; absent or empty: no stock item). Units come from `available` only: reserved units are promised to
 * orders and the safety stock is kept. Throws TransferShortError naming every line the origin cannot give.
 */
export function decideTransferRequest(
  tenantId: string,
  transferId: string,
  input: RequestTransferInput & { suggestionId?: string },
  origin: ReadonlyMap<string, ReadonlyArray<Pick<ShardCounts, 'shard' | 'available'>>>,
  now: Date,
): TransferRequestDecision {
  const takes: StockTake[] = [];
  const shortages: TransferShortError['shortages'] = [];
  input.lines.forEach((line, index) => {
    const plan = planTakes(transferId, line.quantity, origin.get(line.sku) ?? []);
    if (plan.kind === 'short') shortages.push({ index, sku: line.sku, requested: line.quantity, available: plan.available });
    else for (const take of plan.takes) takes.push({ locationId: input.fromLocationId, sku: line.sku, shard: take.shard, quantity: take.quantity });
  });
  if (shortages.length) throw new TransferShortError(input.fromLocationId, shortages);
  const at = now.toISOString();
  return {
    transfer: {
      tenantId,
      transferId,
      fromLocationId: input.fromLocationId,
      toLocationId: input.toLocationId,
      status: 'REQUESTED',
      lines: input.lines.map((line) => ({ sku: line.sku, quantity: line.quantity, received: 0 })),
      ...(input.reason !== undefined ? { reason: input.reason } : {}),
      ...(input.suggestionId !== undefined ? { suggestionId: input.suggestionId } : {}),
      ...(input.expectedArrivalAt !== undefined ? { expectedArrivalAt: new Date(input.expectedArrivalAt).toISOString() } : {}),
      receipts: [],
      requestedAt: at,
      updatedAt: at,
      version: 1,
    },
    takes,
  };
}

/**
 * True when a stored transfer is what this request would have created (a retry): the same origin, destination, lines
 * (in any order) and suggestion. The reason and the expected arrival are not compared: a retry may word or time them
 * afresh (a pickup's reason names its ready-by time) and still mean the same units.
 */
export function isSameRequest(transfer: Transfer, input: RequestTransferInput & { suggestionId?: string }): boolean {
  const key = (lines: ReadonlyArray<{ sku: string; quantity: number }>) =>
    [...lines].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0)).map((l) => `${l.sku}\u0000${l.quantity}`).join('\u0001');
  return (
    transfer.fromLocationId === input.fromLocationId &&
    transfer.toLocationId === input.toLocationId &&
    key(transfer.lines) === key(input.lines) &&
    (transfer.suggestionId ?? undefined) === (input.suggestionId ?? undefined)
  );
}

export interface TransferChange {
  transfer: Transfer;
  /** Units to add to on-hand (the destination's on a receipt, the origin's on a cancel), in the same transaction. */
  stock: StockAddition[];
  /** False when the action was a repeat and nothing changes (answer the transfer as it is). */
  changed: boolean;
}

const unchanged = (transfer: Transfer): TransferChange => ({ transfer, stock: [], changed: false });

/** Records the shipment. Shipping a shipped transfer again is a repeat (nothing changes); after a receipt it is a 409. */
export function decideShip(transfer: Transfer, input: ShipTransferInput, now: Date): TransferChange {
  if (transfer.status === 'SHIPPED') return unchanged(transfer);
  if (transfer.status !== 'REQUESTED') throw new TransferStateError(`Transfer ${transfer.transferId} is ${transfer.status}: it can no longer be shipped`, transfer.status);
  const at = now.toISOString();
  return {
    transfer: {
      ...transfer,
      status: 'SHIPPED',
      shipment: { shippedAt: at, ...(input.carrier ? { carrier: input.carrier } : {}), ...(input.trackingNumber ? { trackingNumber: input.trackingNumber } : {}) },
      ...(input.expectedArrivalAt ? { expectedArrivalAt: new Date(input.expectedArrivalAt).toISOString() } : {}),
      updatedAt: at,
      version: transfer.version + 1,
    },
    stock: [],
    changed: true,
  };
}

/**
 * A receipt at the destination: the units go on hand there. Without lines, everything still in transit is received
 * (received in full already: a repeat). A receipt id seen before is a repeat, answered as recorded. More units than
 * are still in transit, or a SKU the transfer does not carry, is refused naming the line.
 */
export function decideReceipt(transfer: Transfer, input: ReceiveTransferInput, now: Date): TransferChange {
  if (input.receiptId !== undefined && transfer.receipts.some((receipt) => receipt.receiptId === input.receiptId)) return unchanged(transfer);
  if (transfer.status === 'CANCELLED') throw new TransferStateError(`Transfer ${transfer.transferId} was cancelled: nothing is in transit`, transfer.status);
  const outstanding = new Map(inTransit(transfer).map((line) => [line.sku, line.quantity]));
  let received: Array<{ sku: string; quantity: number }>;
  if (input.lines === undefined) {
    if (outstanding.size === 0) return unchanged(transfer);
    received = [...outstanding].map(([sku, quantity]) => ({ sku, quantity }));
  } else {
    const problems: TransferProblem[] = [];
    input.lines.forEach((line, i) => {
      if (!transfer.lines.some((l) => l.sku === line.sku)) problems.push({ field: `lines[${i}].sku`, message: `transfer ${transfer.transferId} does not carry ${line.sku}` });
      else if (line.quantity > (outstanding.get(line.sku) ?? 0)) {
        problems.push({ field: `lines[${i}].quantity`, message: `${line.quantity} is more than the ${outstanding.get(line.sku) ?? 0} unit(s) of ${line.sku} still in transit` });
      }
    });
    if (problems.length) throw new TransferRefusedError(problems);
    received = input.lines.map((line) => ({ sku: line.sku, quantity: line.quantity }));
  }
  if (transfer.receipts.length >= MAX_TRANSFER_RECEIPTS) {
    throw new TransferRefusedError([{ field: 'lines', message: `a transfer takes at most ${MAX_TRANSFER_RECEIPTS} receipts: receive the rest without lines` }]);
  }
  const at = now.toISOString();
  const byLine = new Map(received.map((line) => [line.sku, line.quantity]));
  const lines = transfer.lines.map((line) => ({ ...line, received: line.received + (byLine.get(line.sku) ?? 0) }));
  const complete = lines.every((line) => line.received >= line.quantity);
  return {
    transfer: {
      ...transfer,
      status: complete ? 'RECEIVED' : 'PARTIALLY_RECEIVED',
      lines,
      receipts: [...transfer.receipts, { receiptId: input.receiptId ?? `rc-${transfer.receipts.length + 1}`, receivedAt: at, lines: received }],
      ...(complete ? { receivedAt: at } : {}),
      updatedAt: at,
      version: transfer.version + 1,
    },
    stock: received.map((line) => ({ locationId: transfer.toLocationId, sku: line.sku, quantity: line.quantity })),
    changed: true,
  };
}

/** Cancels a transfer that has not left: its units go back on hand at the origin. Cancelling again is a repeat. */
export function decideCancel(transfer: Transfer, now: Date): TransferChange {
  if (transfer.status === 'CANCELLED') return unchanged(transfer);
  if (transfer.status !== 'REQUESTED') throw new TransferStateError(`Transfer ${transfer.transferId} is ${transfer.status}: only a transfer that has not shipped can be cancelled`, transfer.status);
  const at = now.toISOString();
  return {
    transfer: { ...transfer, status: 'CANCELLED', cancelledAt: at, updatedAt: at, version: transfer.version + 1 },
    stock: transfer.lines.map((line) => ({ locationId: transfer.fromLocationId, sku: line.sku, quantity: line.quantity })),
    changed: true,
  };
}
