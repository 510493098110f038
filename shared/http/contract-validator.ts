/**
 * Test support: checks a real HTTP answer against the OpenAPI document the API serves (its status is documented for
 * that operation, its content type is the documented one, its body matches the documented schema). Integration tests
 * call `expectMatchesContract` on what they receive, so the document cannot drift from the API without a test failing.
 * Response schemas are closed (`additionalProperties: false`, as zod renders them): an undocumented field fails too.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';
import { buildOpenApiDocument } from './openapi.ts';

// ajv-formats is CommonJS: its default export arrives wrapped when imported from ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as typeof addFormatsModule;

export interface ContractResponse {
  status: number;
  headers: Headers | Record<string, string | undefined>;
  body: unknown;
}

interface OperationObject {
  operationId: string;
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: unknown }> }>;
}

interface Document {
  paths: Record<string, Record<string, OperationObject>>;
  components: { responses: Record<string, { content?: Record<string, { schema: unknown }> }> };
}

const DOCUMENT_ID = 'https://open-dom.dev/openapi.json';
const document = buildOpenApiDocument() as unknown as Document;
// The whole document is added as one schema resource, so `#/components/schemas/X` inside any schema resolves as an
// OpenAPI tool resolves it: against the document. strict: false because the document's own keywords (paths, info)
// are not JSON Schema keywords.
const ajv = new Ajv2020({ allErrors: true, strict: false, validateSchema: false });
addFormats(ajv);
ajv.addSchema(document, DOCUMENT_ID);

const validators = new Map<string, ValidateFunction>();
const seen = new Map<string, Set<number>>();

const routes = Object.entries(document.paths)
  .flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      template,
      method,
      operation,
      pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
      literalChars: template.replace(/\{[^}]+\}/g, '').length,
    })),
  )
  // A literal segment wins over a parameter (/inventory/adjustments over /inventory/{sku}), as API Gateway routes.
  .sort((a, b) => b.literalChars - a.literalChars);

/** The documented operation a request goes to: method plus path, with or without its query string. */
export function operationFor(method: string, path: string): { template: string; operation: OperationObject } {
  const bare = path.split('?')[0]!;
  const route = routes.find((r) => r.method === method.toLowerCase() && r.pattern.test(bare));
  if (!route) throw new Error(`${method} ${bare} is not a documented operation`);
  return route;
}

/** Fails the test unless the response is what the document promises for this operation and status. */
export function expectMatchesContract(method: string, path: string, response: ContractResponse): void {
  const { template, operation } = operationFor(method, path);
  const where = `${method.toUpperCase()} ${template} -> ${response.status}`;
  const documented = operation.responses[String(response.status)];
  expect(documented, `${where} is not documented (documented: ${Object.keys(operation.responses).join(', ')}); body: ${JSON.stringify(response.body)}`).toBeDefined();
  const resolved = documented!.$ref ? document.components.responses[documented!.$ref.split('/').pop()!]! : documented!;
  record(operation.operationId, response.status);

  const contentType = headerOf(response.headers, 'content-type')?.split(';')[0]!.trim().toLowerCase();
  if (!resolved.content) {
    expect(response.body ?? '', `${where} documents no body`).toBe('');
    return;
  }
  const mediaTypes = Object.keys(resolved.content);
  expect(mediaTypes, `${where}: content type ${contentType}`).toContain(contentType);
  const pointer = documented!.$ref
    ? `${documented!.$ref}/content/${escape(contentType!)}/schema`
    : `#/paths/${escape(template)}/${method.toLowerCase()}/responses/${response.status}/content/${escape(contentType!)}/schema`;
  const validate = validatorFor(pointer);
  const valid = validate(response.body);
  const errors = valid ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message} ${JSON.stringify(e.params)}`);
  expect(errors, `${where}: the body does not match the documented schema (${errors.join('; ')}): ${JSON.stringify(response.body)}`).toEqual([]);
}

/** Every documented operation with the statuses validated so far in this process (for coverage assertions). */
export function contractCoverage(): Map<string, { template: string; method: string; statuses: number[] }> {
  return new Map(routes.map((r) => [r.operation.operationId, { template: r.template, method: r.method, statuses: [...(seen.get(r.operation.operationId) ?? [])].sort() }]));
}

function record(operationId: string, status: number): void {
  const statuses = seen.get(operationId) ?? new Set<number>();
  statuses.add(status);
  seen.set(operationId, statuses);
}

function validatorFor(pointer: string): ValidateFunction {
  let validate = validators.get(pointer);
  if (!validate) {
    validate = ajv.compile({ $ref: `${DOCUMENT_ID}${pointer}` });
    validators.set(pointer, validate);
  }
  return validate;
}

/** A JSON pointer token (RFC 6901), URI-encoded for use in a `$ref`. */
function escape(token: string): string {
  return encodeURIComponent(token.replace(/~/g, '~0').replace(/\//g, '~1'));
}

function headerOf(headers: ContractResponse['headers'], name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const found = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  return found?.[1];
}
