import { holdBackFor, type ChannelRule } from './location.ts';
import { minimumAvailableFor, type ReservationLine, type Shortage } from './stock.ts';

/**
 * A reservation holds units of one or more location+sku pairs for an order. Its id is the idempotency key: the
 * reservation item is written in the same transaction as the stock it holds, so a retried call finds it and answers
 * the first outcome instead of reserving twice.
 *
 *   PENDING --commit--> COMMITTED   (units leave on-hand: shipped)
 *   PENDING --release-> RELEASED    (units go back to available)
 *   PENDING --TTL-----> EXPIRED     (the table's TTL deletes it; a stream consumer gives the units back)
 *   REJECTED: the first attempt found too little stock; kept so a retry answers the same shortages.
 */
export type ReservationStatus = 'PENDING' | 'COMMITTED' | 'RELEASED' | 'EXPIRED' | 'REJECTED';

export interface Reservation {
  tenantId: string;
  reservationId: string;
  orderId: string;
  status: ReservationStatus;
  lines: ReservationLine[];
  channel?: string;
  shortages?: Shortage[];
  createdAt: string;
  /** Epoch seconds (the table's TTL attribute) while PENDING, and for the clean-up of finished reservations. */
  expiresAt?: number;
  version: number;
}

export type ReserveResult = { status: 'RESERVED'; reservationId: string; expiresAt: string } | { status: 'INSUFFICIENT'; reservationId: string; shortages: Shortage[] };

export function resultOf(reservation: Reservation): ReserveResult {
  if (reservation.status === 'REJECTED') return { status: 'INSUFFICIENT', reservationId: reservation.reservationId, shortages: reservation.shortages ?? [] };
  return { status: 'RESERVED', reservationId: reservation.reservationId, expiresAt: new Date((reservation.expiresAt ?? 0) * 1000).toISOString() };
}

/** Finished reservations are kept this long (for idempotent retries and audit), then TTL removes them. */
export const FINISHED_RETENTION_SECONDS = 7 * 24 * 3600;

export function sameLines(a: ReservationLine[], b: ReservationLine[]): boolean {
  return a.length === b.length && a.every((line, i) => line.locationId === b[i]!.locationId && line.sku === b[i]!.sku && line.quantity === b[i]!.quantity);
}

/**
 * A new PENDING reservation of merged `lines`, with the `available` each line's stock must keep for it: the quantity
 * plus the channel's hold-back, Infinity where the channel may never take that many (`impossible` lists those lines).
 * `ttlSeconds` makes it expire unless confirmed; without it the reservation is held from the start (confirmed with it).
 */
export function pendingReservation(
  input: { tenantId: string; reservationId: string; orderId: string; channel?: string; lines: ReservationLine[] },
  rule: ChannelRule | undefined,
  now: Date,
  ttlSeconds?: number,
): { reservation: Reservation; minAvailable: number[]; impossible: number[] } {
  const minAvailable = input.lines.map((line) => minimumAvailableFor(line.quantity, holdBackFor(rule, line.sku)));
  const reservation: Reservation = {
    tenantId: input.tenantId,
    reservationId: input.reservationId,
    orderId: input.orderId,
    status: 'PENDING',
    lines: input.lines,
    ...(input.channel ? { channel: input.channel } : {}),
    createdAt: now.toISOString(),
    ...(ttlSeconds !== undefined ? { expiresAt: Math.ceil(now.getTime() / 1000) + ttlSeconds } : {}),
    version: 1,
  };
  return { reservation, minAvailable, impossible: minAvailable.flatMap((min, index) => (Number.isFinite(min) ? [] : [index])) };
}
