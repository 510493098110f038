import { z } from 'zod';
import { operations as allOperations, problemSchema, type Operation } from './operations.ts';

/** Builds the OpenAPI 3.1 document from the operations' zod schemas (JSON Schema 2020-12, as OpenAPI 3.1 uses). */
export function buildOpenApiDocument(operations: Operation[] = Object.values(allOperations)): Record<string, unknown> {
  const components: Record<string, unknown> = {};
  const schemaOf = (schema: z.ZodType) => {
    const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    delete json.$schema;
    const id = z.globalRegistry.get(schema)?.id;
    if (typeof id === 'string') {
      delete json.id;
      components[id] = json;
      return { $ref: `#/components/schemas/${id}` };
    }
    return json;
  };
  const problemRef = schemaOf(problemSchema);
  const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemRef } } });

  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const parameters = [
      ...parametersOf(op.pathParameters, 'path', schemaOf),
      ...parametersOf(op.query, 'query', schemaOf),
    ];
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(op.responses)) {
      responses[status] = response.schema
        ? { description: response.description, content: { 'application/json': { schema: schemaOf(response.schema) } } }
        : { description: response.description };
    }
    if (op.requestBody || parameters.length) responses['400'] = problemResponse('Malformed request');
    if (op.requestBody || parameters.length) responses['422'] = problemResponse('Invalid fields, each named in `errors`');
    if (op.auth) responses['401'] = problemResponse('Missing or unknown API key');
    responses['500'] = problemResponse('Failure on our side');
    (paths[op.path] ??= {})[op.method] = {
      operationId: op.operationId,
      summary: op.summary,
      tags: op.tags,
      ...(op.auth ? {} : { security: [] }),
      ...(parameters.length ? { parameters } : {}),
      ...(op.requestBody
        ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(op.requestBody) } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Open DOM API',
      version: '0.1.0',
      description: 'Distributed order management: orders, inventory and fulfilment across every location. Authenticate with `Authorization: Bearer <api key>`.',
    },
    servers: [{ url: '/' }],
    security: [{ apiKey: [] }],
    paths,
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A tenant API key (dom_<tenantId>.<secret>)' } },
      schemas: components,
    },
  };
}

function parametersOf(schema: z.ZodObject | undefined, location: 'path' | 'query', schemaOf: (s: z.ZodType) => unknown) {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: location,
    required: location === 'path' || !(field as z.ZodType).safeParse(undefined).success,
    schema: schemaOf(field as z.ZodType),
  }));
}
