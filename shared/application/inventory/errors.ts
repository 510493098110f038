import { TemporarilyUnavailableError } from '../errors.ts';
import type { AdjustmentReport } from './adjust-inventory.ts';

/** Errors of the inventory use cases; the handlers map them to problem+json. */
export class LocationNotFoundError extends Error {
  override readonly name = 'LocationNotFoundError';
  constructor(readonly locationId: string) {
    super(`Location ${locationId} does not exist`);
  }
}

export class SkuNotFoundError extends Error {
  override readonly name = 'SkuNotFoundError';
  constructor(readonly sku: string) {
    super(`SKU ${sku} does not exist`);
  }
}

export class ReservationNotFoundError extends Error {
  override readonly name = 'ReservationNotFoundError';
  constructor(readonly reservationId: string) {
    super(`Reservation ${reservationId} does not exist`);
  }
}

/** The reservation is in a state the call cannot move it from (committing a released one, ...). */
export class ReservationNotPendingError extends Error {
  override readonly name = 'ReservationNotPendingError';
  constructor(readonly reservationId: string, readonly status: string) {
    super(`Reservation ${reservationId} is ${status}`);
  }
}

/** The reservation id was used before for other lines: an id is one request, never two. */
export class ReservationConflictError extends Error {
  override readonly name = 'ReservationConflictError';
  constructor(readonly reservationId: string) {
    super(`Reservation ${reservationId} exists with other lines`);
  }
}

/** More location+sku pairs than one transaction can hold: the caller splits the order into several reservations. */
export class ReservationTooLargeError extends Error {
  override readonly name = 'ReservationTooLargeError';
  constructor(readonly lines: number, readonly max: number) {
    super(`A reservation holds at most ${max} location+sku pairs (got ${lines}); split it into several reservations`);
  }
}

/**
 * None of a request's adjustments could be applied because writes kept failing (throttling, contention): the request
 * as a whole is to be retried later (a 503 with Retry-After), which is safe because nothing took effect. `report` says
 * what happened to each item.
 */
export class AdjustmentsUnavailableError extends TemporarilyUnavailableError {
  constructor(readonly report: AdjustmentReport, retryAfterSeconds: number) {
    super(`None of the adjustments could be applied now (throttling or contention); nothing was applied, retry the request after ${retryAfterSeconds} s`, retryAfterSeconds);
  }
}
