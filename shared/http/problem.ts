/**
 * Errors as RFC 9457 problem details (`application/problem+json`). Every 4xx names what was wrong, and for invalid
 * input the exact field paths, so a merchant's integration can fix its request without reading our logs.
 */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface FieldError {
  /** JSON path of the failing field, e.g. `lines[3].quantity` (empty for the whole body). */
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
}

export class HttpProblemError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly errors?: FieldError[],
  ) {
    super(detail);
  }
}

export class BadRequestError extends HttpProblemError {
  override readonly name = 'BadRequestError';
  constructor(detail: string, errors?: FieldError[]) {
    super(400, 'Bad Request', detail, errors);
  }
}

export class ValidationError extends HttpProblemError {
  override readonly name = 'ValidationError';
  constructor(errors: FieldError[]) {
    super(422, 'Unprocessable Content', `The request is invalid: ${describeFields(errors)}`, errors);
  }
}

export class UnauthorizedError extends HttpProblemError {
  override readonly name = 'UnauthorizedError';
  constructor(detail = 'A valid API key is required: send `Authorization: Bearer <api key>`') {
    super(401, 'Unauthorized', detail);
  }
}

export class ForbiddenError extends HttpProblemError {
  override readonly name = 'ForbiddenError';
  constructor(detail = 'This API key may not call this route') {
    super(403, 'Forbidden', detail);
  }
}

export class NotFoundError extends HttpProblemError {
  override readonly name = 'NotFoundError';
  constructor(detail: string) {
    super(404, 'Not Found', detail);
  }
}

export class ConflictError extends HttpProblemError {
  override readonly name = 'ConflictError';
  constructor(detail: string, errors?: FieldError[]) {
    super(409, 'Conflict', detail, errors);
  }
}

export class PayloadTooLargeError extends HttpProblemError {
  override readonly name = 'PayloadTooLargeError';
  constructor(detail: string) {
    super(413, 'Content Too Large', detail);
  }
}

/** Too busy right now (contention, throttling): retry after `retryAfterSeconds` (sent as Retry-After). */
export class ServiceUnavailableError extends HttpProblemError {
  override readonly name = 'ServiceUnavailableError';
  constructor(
    detail: string,
    readonly retryAfterSeconds = 1,
  ) {
    super(503, 'Service Unavailable', detail);
  }
}

const TYPE_BASE = 'https://open-dom.dev/problems/';

export function problemOf(error: HttpProblemError, requestId?: string): Problem {
  return {
    type: `${TYPE_BASE}${slug(error.title)}`,
    title: error.title,
    status: error.status,
    detail: error.message,
    ...(requestId ? { requestId } : {}),
    ...(error.errors?.length ? { errors: error.errors } : {}),
  };
}

export function internalProblem(requestId?: string): Problem {
  return {
    type: `${TYPE_BASE}internal-error`,
    title: 'Internal Server Error',
    status: 500,
    detail: 'The request failed on our side; it is safe to retry with the same Idempotency-Key',
    ...(requestId ? { requestId } : {}),
  };
}

function slug(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

function describeFields(errors: FieldError[]): string {
  const shown = errors.slice(0, 5).map((e) => (e.field ? `${e.field}: ${e.message}` : e.message));
  return shown.join('; ') + (errors.length > 5 ? `; and ${errors.length - 5} more` : '');
}
