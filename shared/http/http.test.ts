import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildOpenApiDocument } from './openapi.ts';
import { operations } from './operations.ts';
import { BadRequestError, PayloadTooLargeError, ValidationError, problemOf } from './problem.ts';
import { fieldPath, parseBody, tenantIdOf } from './request.ts';

const eventWith = (body: string | null, extra: Partial<APIGatewayProxyEvent> = {}) =>
  ({ body, isBase64Encoded: false, headers: {}, requestContext: {}, ...extra }) as unknown as APIGatewayProxyEvent;

const lineSchema = z.object({ lines: z.array(z.object({ sku: z.string(), quantity: z.number().int().positive() })).min(1) });

describe('request parsing', () => {
  it('names nested fields with dots and brackets', () => {
    expect(fieldPath(['lines', 3, 'quantity'])).toBe('lines[3].quantity');
    expect(fieldPath([])).toBe('');
  });

  it('rejects malformed JSON as a 400 naming the body', () => {
    expect(() => parseBody(eventWith('{"lines": ['), lineSchema)).toThrow(BadRequestError);
  });

  it('rejects an empty body as a 400', () => {
    expect(() => parseBody(eventWith(null), lineSchema)).toThrow(BadRequestError);
  });

  it('rejects invalid fields as a 422 listing every failing path', () => {
    try {
      parseBody(eventWith(JSON.stringify({ lines: [{ sku: 'A', quantity: 0 }, { sku: 7, quantity: 1.5 }] })), lineSchema);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      const fields = (error as ValidationError).errors!.map((e) => e.field);
      expect(fields).toEqual(['lines[0].quantity', 'lines[1].sku', 'lines[1].quantity']);
    }
  });

  it('refuses bodies over the size limit before parsing them', () => {
    expect(() => parseBody(eventWith(`"${'x'.repeat(1_100_000)}"`), z.string())).toThrow(PayloadTooLargeError);
  });

  it('reads base64-encoded bodies', () => {
    const body = Buffer.from(JSON.stringify({ lines: [{ sku: 'A', quantity: 1 }] })).toString('base64');
    expect(parseBody(eventWith(body, { isBase64Encoded: true }), lineSchema).lines[0]!.sku).toBe('A');
  });

  it('treats a request without an authorizer tenant as unauthorized', () => {
    expect(() => tenantIdOf(eventWith(null))).toThrow(/API key/);
  });
});

describe('problem details', () => {
  it('carries status, title, detail, request id and field errors', () => {
    const problem = problemOf(new ValidationError([{ field: 'lines[0].quantity', message: 'Too small' }]), 'req-1');
    expect(problem).toMatchObject({ status: 422, title: 'Unprocessable Content', requestId: 'req-1', errors: [{ field: 'lines[0].quantity' }] });
    expect(problem.detail).toContain('lines[0].quantity');
  });
});

describe('the OpenAPI document', () => {
  const document = buildOpenApiDocument() as {
    openapi: string;
    paths: Record<string, Record<string, { operationId: string; security?: unknown[]; responses: Record<string, unknown> }>>;
    components: { schemas: Record<string, unknown> };
  };

  it('is OpenAPI 3.1 with one operation per contract entry', () => {
    expect(document.openapi).toBe('3.1.0');
    const ids = Object.values(document.paths).flatMap((methods) => Object.values(methods).map((op) => op.operationId));
    expect(ids.sort()).toEqual(Object.keys(operations).sort());
  });

  it('marks public operations as needing no key and documents 401 on the others', () => {
    expect(document.paths['/health']!.get!.security).toEqual([]);
    expect(document.paths['/tenant']!.get!.responses['401']).toBeDefined();
  });

  it('references named schemas from components', () => {
    expect(document.components.schemas.Tenant).toBeDefined();
    expect(document.components.schemas.Problem).toBeDefined();
    expect(JSON.stringify(document)).not.toContain('"$ref":"#/components/schemas/undefined"');
  });
});
