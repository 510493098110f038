import { z } from 'zod';
import { operations as allOperations, problemSchema, type Operation } from './operations.ts';
import { PROBLEM_CONTENT_TYPE } from './problem.ts';

type JsonSchema = Record<string, unknown>;

const COMPONENTS = '#/components/schemas/';

/** The problems every operation of a kind can answer, as shared responses; an operation may say more for its own case. */
const COMMON_PROBLEMS = {
  400: ['BadRequest', 'Malformed request: the body is not JSON, or the cursor is not one this API returned'],
  401: ['Unauthorized', 'Missing or unknown API key'],
  413: ['ContentTooLarge', 'The body is larger than 1 MiB'],
  422: ['UnprocessableContent', 'Invalid fields, each named in `errors` (e.g. `lines[3].quantity`, `query.limit`, `path.sku`)'],
  429: ['TooManyRequests', 'Too many requests: slow down and retry'],
  500: ['InternalServerError', 'Failure on our side; safe to retry with the same Idempotency-Key'],
} as const;

const RETRY_AFTER = { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 0 } };

const TAGS = [
  { name: 'ops', description: 'Health and this document' },
  { name: 'tenants', description: 'The tenant an API key belongs to' },
  { name: 'inventory', description: 'Locations, catalogue, channel hold-backs and stock' },
  { name: 'orders', description: 'Order intake, lifecycle, cancellation and returns' },
  { name: 'fulfilment', description: 'What locations report about the shipments they were asked to fulfil' },
  { name: 'routing', description: 'The merchant\'s routing rules' },
  { name: 'webhooks', description: 'Event and customer-notification subscriptions' },
  { name: 'forecasting', description: 'Demand history, forecasts, safety stock and reorder points' },
];

/**
 * Builds the OpenAPI 3.1 document from the operations' zod schemas. Request schemas are rendered as zod reads them
 * (io: input: defaults make fields optional), response schemas as the API writes them (io: output). zod renders the
 * named schemas (`.meta({ id })`) of each schema under its own `$defs`; they are hoisted into `components/schemas`
 * and every `#/$defs/X` becomes `#/components/schemas/X`, since `#` in an OpenAPI document means the document.
 */
export function buildOpenApiDocument(operations: Operation[] = Object.values(allOperations)): Record<string, unknown> {
  const components = new ComponentSchemas();
  const problemRef = components.schemaOf(problemSchema, 'output');
  const problemResponse = (description: string) => ({ description, content: { [PROBLEM_CONTENT_TYPE]: { schema: problemRef } } });

  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const parameters = [
      ...parametersOf(op.pathParameters, 'path', components),
      ...parametersOf(op.query, 'query', components),
      ...parametersOf(op.headers, 'header', components),
    ];
    const takesCursor = Boolean(op.query && 'cursor' in op.query.shape);
    const statuses: Record<string, unknown> = {};
    const common: Array<[keyof typeof COMMON_PROBLEMS, boolean]> = [
      [400, Boolean(op.requestBody) || takesCursor],
      [401, op.auth],
      [413, Boolean(op.requestBody)],
      [422, Boolean(op.requestBody) || parameters.length > 0],
      // API Gateway's stage throttle answers any route, before a handler runs.
      [429, true],
      [500, true],
    ];
    for (const [status, applies] of common) if (applies) statuses[status] = { $ref: `#/components/responses/${COMMON_PROBLEMS[status][0]}` };
    for (const [status, response] of Object.entries(op.responses)) {
      if (Number(status) === 503) statuses[status] = { ...problemResponse(response.description), headers: { 'Retry-After': RETRY_AFTER } };
      else if (Number(status) >= 400) statuses[status] = problemResponse(response.description);
      else if (response.schema) statuses[status] = { description: response.description, content: { 'application/json': { schema: components.schemaOf(response.schema, 'output') } } };
      else statuses[status] = { description: response.description };
    }
    const responses = Object.fromEntries(Object.entries(statuses).sort(([a], [b]) => Number(a) - Number(b)));
    (paths[op.path] ??= {})[op.method] = {
      operationId: op.operationId,
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      tags: op.tags,
      ...(op.auth ? {} : { security: [] }),
      ...(parameters.length ? { parameters } : {}),
      ...(op.requestBody
        ? {
            requestBody: {
              required: !op.requestBodyOptional,
              content: {
                'application/json': { schema: components.schemaOf(op.requestBody, 'input') },
                ...('requestBodyCsv' in op && op.requestBodyCsv ? { 'text/csv': { schema: { type: 'string', description: op.requestBodyCsv } } } : {}),
              },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Open DOM API',
      version: '0.1.0',
      summary: 'Distributed order management: orders, inventory and fulfilment across every location',
      description: [
        'Authenticate with `Authorization: Bearer <api key>`.',
        'Every error is an RFC 9457 problem (`application/problem+json`); invalid input is a 422 whose `errors` name each failing field.',
        'Lists are paged: pass the `nextCursor` of one page as `cursor` to get the next; `limit` is at most 100.',
        'Send `Idempotency-Key` with `POST /orders` to make retries safe.',
      ].join('\n\n'),
      license: { name: 'Apache 2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/', description: 'The deployment that serves this document' }],
    security: [{ bearerAuth: [] }],
    tags: TAGS,
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'dom_<tenantId>.<secret>', description: 'A tenant API key' },
      },
      schemas: components.schemas,
      responses: Object.fromEntries(Object.values(COMMON_PROBLEMS).map(([name, description]) => [name, problemResponse(description)])),
    },
  };
}

/** The named schemas of the document, each rendered once; a name rendered twice must render the same. */
class ComponentSchemas {
  readonly schemas: Record<string, JsonSchema> = {};

  schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
    const { $schema: _dialect, $defs, ...root } = json;
    for (const [id, definition] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) this.add(id, rewriteRefs(definition) as JsonSchema);
    return rewriteRefs(root) as JsonSchema;
  }

  private add(id: string, definition: JsonSchema): void {
    const existing = this.schemas[id];
    if (existing && JSON.stringify(existing) !== JSON.stringify(definition)) {
      throw new Error(`Schema ${id} renders differently in two places (a request and a response?): give one of them another id`);
    }
    this.schemas[id] = definition;
  }
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => {
      if (key !== '$ref' || typeof v !== 'string') return [key, rewriteRefs(v)];
      if (!v.startsWith('#/$defs/')) throw new Error(`Unexpected $ref ${v}: only named schemas (#/$defs/...) can be hoisted`);
      return [key, COMPONENTS + v.slice('#/$defs/'.length)];
    }),
  );
}

function parametersOf(schema: z.ZodObject | undefined, location: 'path' | 'query' | 'header', components: ComponentSchemas) {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, field]) => {
    const { description, ...parameterSchema } = components.schemaOf(field as z.ZodType, 'input');
    return {
      name,
      in: location,
      required: location === 'path' || !(field as z.ZodType).safeParse(undefined).success,
      ...(typeof description === 'string' ? { description } : {}),
      schema: parameterSchema,
    };
  });
}
