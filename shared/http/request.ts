import type { APIGatewayProxyEvent } from 'aws-lambda';
import { z } from 'zod';
import { ADMIN_KEY_ID, type Principal } from '#domain/tenants/api-keys';
import { BadRequestError, PayloadTooLargeError, UnauthorizedError, ValidationError, type FieldError } from './problem.ts';

/** Bodies above this are refused before parsing; API Gateway's own limit (10 MB) is far above what any route needs. */
export const MAX_BODY_BYTES = 1_048_576;

/** `lines[3].quantity` from zod's `['lines', 3, 'quantity']`. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, part) => {
    if (typeof part === 'number') return `${acc}[${part}]`;
    return acc ? `${acc}.${String(part)}` : String(part);
  }, '');
}

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({ field: fieldPath(issue.path), message: issue.message }));
}

/** Parses and validates a JSON body, naming every failing field. */
export function parseBody<S extends z.ZodType>(event: APIGatewayProxyEvent, schema: S): z.output<S> {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`The body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  if (text.trim() === '') throw new BadRequestError('The request needs a JSON body', [{ field: '', message: 'required' }]);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new BadRequestError(`The body is not valid JSON: ${(error as Error).message}`, [{ field: '', message: 'malformed JSON' }]);
  }
  return validate(json, schema);
}

export function validate<S extends z.ZodType>(value: unknown, schema: S, prefix?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const errors = fieldErrors(result.error);
    throw new ValidationError(prefix ? errors.map((e) => ({ ...e, field: e.field ? `${prefix}.${e.field}` : prefix })) : errors);
  }
  return result.data;
}

export function pathParameters<S extends z.ZodType>(event: APIGatewayProxyEvent, schema: S): z.output<S> {
  return validate(event.pathParameters ?? {}, schema, 'path');
}

export function queryParameters<S extends z.ZodType>(event: APIGatewayProxyEvent, schema: S): z.output<S> {
  return validate(event.queryStringParameters ?? {}, schema, 'query');
}

/** The tenant the authorizer resolved from the API key. A route without it was wired without the authorizer: a 401. */
export function tenantIdOf(event: APIGatewayProxyEvent): string {
  const tenantId = event.requestContext.authorizer?.tenantId;
  if (typeof tenantId !== 'string' || tenantId === '') throw new UnauthorizedError();
  return tenantId;
}

const scopeContextSchema = z.array(z.string().min(1)).min(1);

/**
 * The caller as the authorizer resolved it: tenant, key, and the key's locations when it is scoped. A context that does
 * not read back (a scope that is not a list of ids) is refused, never taken for the admin key.
 */
export function principalOf(event: APIGatewayProxyEvent): Principal {
  const tenantId = tenantIdOf(event);
  const context = event.requestContext.authorizer ?? {};
  let locationIds: string[] | undefined;
  if (context.locationIds !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(context.locationIds));
    } catch {
      throw new UnauthorizedError();
    }
    const result = scopeContextSchema.safeParse(parsed);
    if (!result.success) throw new UnauthorizedError();
    locationIds = result.data;
  }
  // A decision cached by an authorizer from before scoped keys names no key: it was the admin key's.
  const keyId = typeof context.keyId === 'string' && context.keyId !== '' ? context.keyId : locationIds ? undefined : ADMIN_KEY_ID;
  if (!keyId) throw new UnauthorizedError();
  return {
    tenantId,
    keyId,
    ...(typeof context.keyName === 'string' && context.keyName !== '' ? { keyName: context.keyName } : {}),
    ...(locationIds ? { locationIds } : {}),
  };
}

export function headerOf(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

/** Like parseBody, but an absent or empty body is `{}` (for actions whose body is optional). */
export function parseOptionalBody<S extends z.ZodType>(event: APIGatewayProxyEvent, schema: S): z.output<S> {
  if (!event.body || event.body.trim() === '') return validate({}, schema);
  return parseBody(event, schema);
}
