/**
 * Inbound stock (issue 18 part 4): units a supplier is sending to one of the tenant's locations. While open, a line's
 * outstanding units (expected - received, never below 0) are on order at the location and count against its reorder
 * suggestion; a receipt makes the units on hand. Receipts may be partial and may exceed what was expected by the
 * tolerance the inbound declares, never more. Pure: ids and the clock come from outside.
 */

export interface InboundLine {
  sku: string;
  expected: number;
  received: number;
}

export interface InboundReceipt {
  receiptId: string;
  receivedAt: string;
  lines: Array<{ sku: string; quantity: number }>;
}

export type InboundStatus = 'OPEN' | 'PARTIALLY_RECEIVED' | 'RECEIVED';

export interface Inbound {
  tenantId: string;
  inboundId: string;
  locationId: string;
  expectedAt: string;
  supplierId?: string;
  reference?: string;
  /** Over-receipt allowed per line, in percent of its expected units (rounded down to whole units). */
  tolerancePercent: number;
  status: InboundStatus;
  lines: InboundLine[];
  receipts: InboundReceipt[];
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface NewInbound {
  inboundId: string;
  locationId: string;
  expectedAt: string;
  supplierId?: string | undefined;
  reference?: string | undefined;
  tolerancePercent?: number | undefined;
  lines: ReadonlyArray<{ sku: string; quantity: number }>;
}

/** Receipts kept on an inbound at most: its item stays far below DynamoDB's 400 KB. */
export const MAX_RECEIPTS = 100;
/** A receipt writes the inbound, a stock item and a reorder state per line: 1 + 2 x 49 = 99 of a transaction's 100. */
export const MAX_INBOUND_LINES = 49;
export const MAX_TOLERANCE_PERCENT = 100;

export interface FieldProblem {
  field: string;
  message: string;
}

/** A request the inbound cannot take, naming each field. */
export class InboundRefusedError extends Error {
  override readonly name = 'InboundRefusedError';
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
  }
}

/** A new inbound (pure). Lines of one SKU given twice are refused: which one would a receipt count against? */
export function createInbound(tenantId: string, input: NewInbound, now: Date): Inbound {
  const seen = new Map<string, number>();
  const problems: FieldProblem[] = [];
  input.lines.forEach((line, i) => {
    if (seen.has(line.sku)) problems.push({ field: `lines[${i}].sku`, message: `${line.sku} is already line ${seen.get(line.sku)}` });
    else seen.set(line.sku, i);
  });
  if (problems.length) throw new InboundRefusedError(problems);
  const at = now.toISOString();
  return {
    tenantId,
    inboundId: input.inboundId,
    locationId: input.locationId,
    expectedAt: input.expectedAt,
    ...(input.supplierId !== undefined ? { supplierId: input.supplierId } : {}),
    ...(input.reference !== undefined ? { reference: input.reference } : {}),
    tolerancePercent: input.tolerancePercent ?? 0,
    status: 'OPEN',
    lines: input.lines.map(({ sku, quantity }) => ({ sku, expected: quantity, received: 0 })),
    receipts: [],
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
}

/** True when a repeated creation asks for what is stored (same location, date, supplier, tolerance and lines). */
export function sameInbound(stored: Inbound, input: NewInbound): boolean {
  return (
    stored.locationId === input.locationId &&
    stored.expectedAt === input.expectedAt &&
    stored.supplierId === input.supplierId &&
    stored.reference === input.reference &&
    stored.tolerancePercent === (input.tolerancePercent ?? 0) &&
    stored.lines.length === input.lines.length &&
    input.lines.every((line, i) => stored.lines[i]!.sku === line.sku && stored.lines[i]!.expected === line.quantity)
  );
}

/** Most units a line may have received in all: expected plus the tolerance, rounded down. */
export function receivableOf(line: Pick<InboundLine, 'expected'>, tolerancePercent: number): number {
  return line.expected + Math.floor((line.expected * tolerancePercent) / 100 + 1e-9);
}

/** Units of a line still on order: what is expected and not yet received. */
export function outstandingOf(line: Pick<InboundLine, 'expected' | 'received'>): number {
  return Math.max(0, line.expected - line.received);
}

export interface ReceiptDecision {
  inbound: Inbound;
  receipt: InboundReceipt;
  /** Per SKU: units that become on hand, and units no longer on order (the outstanding part of them). */
  moves: Array<{ sku: string; quantity: number; offOrder: number }>;
}

export type ReceiptOutcome = { kind: 'apply'; decision: ReceiptDecision } | { kind: 'already'; receipt: InboundReceipt };

/**
 * A receipt against an inbound (pure). The same receipt id again is answered as recorded (a retry), or refused when
 * its lines differ (another receipt under a used id). Each line must name a SKU of the inbound at most once and keep
 * the line's received units within its expected units plus the tolerance.
 */
export function decideReceipt(inbound: Inbound, receipt: { receiptId: string; lines: ReadonlyArray<{ sku: string; quantity: number }> }, now: Date): ReceiptOutcome {
  const earlier = inbound.receipts.find((r) => r.receiptId === receipt.receiptId);
  if (earlier) {
    const same = earlier.lines.length === receipt.lines.length && receipt.lines.every((l, i) => earlier.lines[i]!.sku === l.sku && earlier.lines[i]!.quantity === l.quantity);
    if (!same) throw new InboundRefusedError([{ field: 'receiptId', message: `${receipt.receiptId} was used by another receipt of this inbound` }]);
    return { kind: 'already', receipt: earlier };
  }
  const problems: FieldProblem[] = [];
  if (inbound.receipts.length >= MAX_RECEIPTS) problems.push({ field: 'receiptId', message: `an inbound takes at most ${MAX_RECEIPTS} receipts` });
  const lines = inbound.lines.map((line) => ({ ...line }));
  const seen = new Set<string>();
  const moves: ReceiptDecision['moves'] = [];
  receipt.lines.forEach(({ sku, quantity }, i) => {
    const line = lines.find((l) => l.sku === sku);
    if (!line) return problems.push({ field: `lines[${i}].sku`, message: `${sku} is not on inbound ${inbound.inboundId}` });
    if (seen.has(sku)) return problems.push({ field: `lines[${i}].sku`, message: `${sku} is given twice` });
    seen.add(sku);
    const most = receivableOf(line, inbound.tolerancePercent);
    if (line.received + quantity > most) {
      return problems.push({
        field: `lines[${i}].quantity`,
        message: `${quantity} would make ${line.received + quantity} received of ${line.expected} expected (at most ${most} with a ${inbound.tolerancePercent}% tolerance)`,
      });
    }
    const offOrder = Math.min(quantity, outstandingOf(line));
    line.received += quantity;
    moves.push({ sku, quantity, offOrder });
  });
  if (problems.length) throw new InboundRefusedError(problems);
  const at = now.toISOString();
  const recorded: InboundReceipt = { receiptId: receipt.receiptId, receivedAt: at, lines: receipt.lines.map(({ sku, quantity }) => ({ sku, quantity })) };
  const status: InboundStatus = lines.every((l) => l.received >= l.expected) ? 'RECEIVED' : 'PARTIALLY_RECEIVED';
  return {
    kind: 'apply',
    decision: { inbound: { ...inbound, lines, receipts: [...inbound.receipts, recorded], status, updatedAt: at, version: inbound.version + 1 }, receipt: recorded, moves },
  };
}
