import { holdBackFor } from '#domain/inventory/location';
import { FINISHED_RETENTION_SECONDS, pendingReservation, resultOf, sameLines, type Reservation, type ReserveResult } from '#domain/inventory/reservation';
import { MAX_RESERVATION_LINES, reserveStockSchema, type ReserveStockInput } from '#domain/inventory/schemas';
import { channelAvailable, mergeLines, type Shortage } from '#domain/inventory/stock';
import type { ChannelStore, Clock, ReservationStore } from '../ports.ts';
import { ReservationConflictError, ReservationNotFoundError, ReservationNotPendingError, ReservationTooLargeError } from './errors.ts';

export interface ReservationDeps {
  reservations: ReservationStore;
  channels: ChannelStore;
  clock: Clock;
}

/**
 * Reserves units of every line, all or nothing, in ONE TransactWriteItems: the reservation item (which must not exist:
 * the reservation id is the idempotency key) and one conditional update per location+sku. A retry with the same id
 * answers the first outcome. When stock is short, the answer names exactly which pairs lacked stock (and what they
 * could give), so the router can try again without them under a new reservation id.
 *
 * A reservation holds at most 99 pairs (TransactWriteItems takes 100 items, one is the reservation): an order
 * needing more is reserved as several reservations (e.g. `<orderId>:1`, `<orderId>:2`), released together on failure.
 */
export async function reserveStock(deps: ReservationDeps, request: ReserveStockInput): Promise<ReserveResult & { reservationStatus?: Reservation['status'] }> {
  const input = reserveStockSchema.parse(request);
  const lines = mergeLines(input.items);
  if (lines.length > MAX_RESERVATION_LINES) throw new ReservationTooLargeError(lines.length, MAX_RESERVATION_LINES);
  const rule = input.channel ? await deps.channels.get(input.tenantId, input.channel) : undefined;
  const holdBacks = lines.map((line) => holdBackFor(rule, line.sku));
  const now = deps.clock.now();
  const { reservation, minAvailable, impossible } = pendingReservation({ ...input, lines }, rule, now, input.ttlSeconds);
  const attempt = impossible.length
    ? { outcome: 'INSUFFICIENT' as const, failed: impossible.map((index) => ({ index, available: undefined })) }
    : await deps.reservations.reserve(reservation, minAvailable);

  if (attempt.outcome === 'RESERVED') return resultOf(reservation);
  if (attempt.outcome === 'EXISTS') return replay(attempt.reservation, reservation);
  const shortages: Shortage[] = attempt.failed.map(({ index, available }) => ({
    locationId: lines[index]!.locationId,
    sku: lines[index]!.sku,
    requested: lines[index]!.quantity,
    available: channelAvailable(available ?? 0, holdBacks[index]),
  }));
  const stored = await deps.reservations.recordRejection({
    ...reservation,
    status: 'REJECTED',
    shortages,
    expiresAt: Math.ceil(now.getTime() / 1000) + FINISHED_RETENTION_SECONDS,
  });
  return replay(stored, reservation);
}

function replay(stored: Reservation, requested: Reservation): ReserveResult & { reservationStatus: Reservation['status'] } {
  if (stored.orderId !== requested.orderId || !sameLines(stored.lines, requested.lines)) throw new ReservationConflictError(requested.reservationId);
  return { ...resultOf(stored), reservationStatus: stored.status };
}

export type FinishResult = { status: 'RELEASED' | 'COMMITTED' | 'EXPIRED' | 'REJECTED'; reservationId: string };

/**
 * Gives a reservation's units back. Idempotent: releasing a released, expired or rejected reservation is a no-op
 * answer; only a committed (shipped) one cannot be released.
 */
export function releaseReservation(deps: ReservationDeps, input: { tenantId: string; reservationId: string }): Promise<FinishResult> {
  return finish(deps, input, 'RELEASED');
}

/** Ships a reservation's units: they leave on-hand and reserved together. Idempotent; a released or expired one cannot be. */
export function commitReservation(deps: ReservationDeps, input: { tenantId: string; reservationId: string }): Promise<FinishResult> {
  return finish(deps, input, 'COMMITTED');
}

async function finish(deps: ReservationDeps, input: { tenantId: string; reservationId: string }, target: 'RELEASED' | 'COMMITTED'): Promise<FinishResult> {
  let reservation = await deps.reservations.get(input.tenantId, input.reservationId);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (!reservation) {
      if (attempt === 0) throw new ReservationNotFoundError(input.reservationId);
      // Deleted by TTL between our read and our write: the expiry consumer gives its units back.
      if (target === 'RELEASED') return { status: 'EXPIRED', reservationId: input.reservationId };
      throw new ReservationNotPendingError(input.reservationId, 'EXPIRED');
    }
    if (reservation.status === target) return { status: target, reservationId: input.reservationId };
    if (reservation.status !== 'PENDING') {
      if (target === 'RELEASED' && reservation.status !== 'COMMITTED') return { status: reservation.status as FinishResult['status'], reservationId: input.reservationId };
      throw new ReservationNotPendingError(input.reservationId, reservation.status);
    }
    const now = deps.clock.now();
    const retainUntil = Math.ceil(now.getTime() / 1000) + FINISHED_RETENTION_SECONDS;
    const result = target === 'RELEASED' ? await deps.reservations.release(reservation, now, retainUntil) : await deps.reservations.commit(reservation, now, retainUntil);
    if (result.outcome === 'DONE') return { status: target, reservationId: input.reservationId };
    reservation = result.reservation;
  }
  throw new Error(`Reservation ${input.reservationId} kept changing`);
}

/**
 * After the table's TTL deleted a PENDING reservation (a crashed workflow never released it): its units go back,
 * once. The EXPIRED tombstone is written in the same transaction and must not exist, so a replayed stream record
 * changes nothing. Returns whether units were returned.
 */
export async function returnExpiredReservation(deps: { reservations: ReservationStore; clock: Clock }, expired: Reservation): Promise<boolean> {
  if (expired.status !== 'PENDING') return false;
  const now = deps.clock.now();
  return deps.reservations.returnExpired(expired, now, Math.ceil(now.getTime() / 1000) + FINISHED_RETENTION_SECONDS);
}
