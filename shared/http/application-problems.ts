/**
 * The application's and the domain's errors as problems, by class: every handler gets the same answer for the same
 * refusal (a lost race is a 409 naming the current state, never a 500), and no handler matches an error by its name.
 */
import { ConflictError as ApplicationConflictError, InvalidCursorError, NotFoundError as ApplicationNotFoundError, TemporarilyUnavailableError } from '#application/errors';
import { OrderNotCancellableError } from '#domain/orders/cancel';
import { InvalidTransitionError } from '#domain/orders/order';
import { PickupLockedError, WrongPickupCodeError } from '#domain/orders/pickup';
import { InvalidShipmentActionError } from '#domain/orders/shipment';
import { BadRequestError, ConflictError, HttpProblemError, NotFoundError, ServiceUnavailableError, ValidationError } from './problem.ts';

/** The problem an application or domain error stands for; undefined for anything else (a 500). */
export function problemForError(error: unknown): HttpProblemError | undefined {
  if (error instanceof HttpProblemError) return error;
  if (error instanceof InvalidCursorError) return new BadRequestError(error.message, [{ field: 'query.cursor', message: 'invalid cursor' }]);
  if (error instanceof ApplicationNotFoundError) return new NotFoundError(error.message);
  if (error instanceof OrderNotCancellableError) return new ConflictError(error.message, error.lines.map((l) => ({ field: `lines.${l.lineId}`, message: `shipped in ${l.shipmentId}` })));
  if (error instanceof InvalidShipmentActionError || error instanceof InvalidTransitionError) return new ConflictError(error.message);
  // A wrong pickup code is the request's field; once the tries are used up the pickup is locked until a new code.
  if (error instanceof WrongPickupCodeError) return new ValidationError([{ field: 'code', message: error.message }]);
  if (error instanceof PickupLockedError) return new HttpProblemError(423, 'Locked', error.message, [{ field: 'code', message: 'too many wrong codes: a new code must be issued' }]);
  if (error instanceof ApplicationConflictError) return new ConflictError(error.current ? `${error.message}; it is now ${error.current}` : error.message);
  if (error instanceof TemporarilyUnavailableError) return new ServiceUnavailableError(error.message, error.retryAfterSeconds);
  return undefined;
}
