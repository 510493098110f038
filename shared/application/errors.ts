/**
 * Errors the application owns. Adapters translate AWS errors into these; `#http` maps them to problems by class,
 * never by name. Domain refusals (an invalid transition, a shipment that cannot be shipped) stay domain errors.
 */

/** The thing asked for does not exist (for this tenant). */
export class NotFoundError extends Error {
  override readonly name: string = 'NotFoundError';
}

/** A write lost a race: what it was decided from changed meanwhile. Retried by `retryOnConflict`; final: a 409. */
export class ConflictError extends Error {
  override readonly name: string = 'ConflictError';
  constructor(
    message: string,
    /** The current state, when the caller knows it, for the 409's detail. */
    readonly current?: string,
  ) {
    super(message);
  }
}

/** A list cursor that this API did not hand out (tampered with, or another listing's / tenant's). */
export class InvalidCursorError extends Error {
  override readonly name: string = 'InvalidCursorError';
  constructor() {
    super('The cursor is not one this API returned for this listing');
  }
}

/** Too much contention or throttling to apply the request now: the caller should retry after a pause. */
export class TemporarilyUnavailableError extends Error {
  override readonly name: string = 'TemporarilyUnavailableError';
  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
  ) {
    super(message);
  }
}

/**
 * Runs a load -> decide -> save step again when its save lost a race (ConflictError), with a short jittered pause, at
 * most `attempts` times; the last conflict is thrown (a 409 naming the state the caller saw last).
 */
export async function retryOnConflict<T>(step: (attempt: number) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step(attempt);
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 5 * 2 ** attempt)));
    }
  }
}
