import { createConfig, lintFromString } from '@redocly/openapi-core';
import openapiTS, { astToString } from 'openapi-typescript';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from './openapi.ts';
import { operations } from './operations.ts';

/** The document checked with the tools merchants use: Redocly's recommended ruleset and openapi-typescript. */

async function lint(document: unknown) {
  const config = await createConfig({ extends: ['recommended'] });
  const problems = await lintFromString({ source: JSON.stringify(document), absoluteRef: '/openapi.json', config });
  const described = (severity: string) =>
    problems.filter((p) => p.severity === severity).map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`);
  return { errors: described('error'), warnings: described('warn') };
}

function refsOf(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refsOf(v, found));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === '$ref' && typeof v === 'string') found.push(v);
      else refsOf(v, found);
    }
  }
  return found;
}

describe('the served OpenAPI document, checked with real tools', () => {
  const document = buildOpenApiDocument();

  it('lints with no error and no warning under Redocly\'s recommended ruleset', async () => {
    const { errors, warnings } = await lint(document);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('is linted for real: a reference to a missing schema is an error', async () => {
    const broken = structuredClone(document) as { components: { schemas: Record<string, unknown> } };
    delete broken.components.schemas.Problem;
    const { errors } = await lint(broken);
    expect(errors.some((e) => e.startsWith('no-unresolved-refs'))).toBe(true);
  });

  it('refers only to components that exist, never to a schema-local #/$defs', () => {
    expect(JSON.stringify(document).match(/\$defs/g) ?? []).toEqual([]);
    const components = (document as { components: Record<string, Record<string, unknown>> }).components;
    for (const ref of refsOf(document)) {
      const [, section, name] = /^#\/components\/(schemas|responses)\/(.+)$/.exec(ref) ?? [];
      expect(section && name && components[section]?.[name], ref).toBeTruthy();
    }
  });

  it('generates a typed client with openapi-typescript that names every operation and its schemas', async () => {
    const generated = astToString(await openapiTS(document as unknown as Parameters<typeof openapiTS>[0]));
    const operationsBlock = generated.slice(generated.indexOf('export interface operations'));
    for (const operationId of Object.keys(operations)) expect(operationsBlock).toContain(`    ${operationId}: {`);
    for (const schema of ['Order', 'Problem', 'PlaceOrder', 'RoutingRules']) expect(generated).toContain(`        ${schema}: {`);
    expect(generated).not.toMatch(/\bunknown\b.*\$ref/);
  });

  it('documents a problem+json body for every 4xx and 5xx answer', () => {
    const paths = (document as { paths: Record<string, Record<string, { responses: Record<string, Record<string, unknown>> }>> }).paths;
    const responses = (document as { components: { responses: Record<string, { content: Record<string, unknown> }> } }).components.responses;
    for (const [path, methods] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(methods)) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) < 400) continue;
          const resolved = typeof response.$ref === 'string' ? responses[response.$ref.split('/').pop()!] : response;
          expect(Object.keys((resolved as { content: object }).content), `${method} ${path} ${status}`).toEqual(['application/problem+json']);
        }
      }
    }
  });
});
