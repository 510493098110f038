import { z } from 'zod';

/**
 * The HTTP API's contract: one entry per route, with the zod schemas the handlers validate with. The OpenAPI document
 * is generated from these same schemas, and a test checks that they match infra/topology.ts route for route.
 */
export interface Operation {
  operationId: string;
  method: 'get' | 'post' | 'put' | 'delete' | 'patch';
  path: string;
  summary: string;
  tags: string[];
  auth: boolean;
  pathParameters?: z.ZodObject;
  query?: z.ZodObject;
  requestBody?: z.ZodType;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
}

export const healthSchema = z.object({ status: z.literal('ok'), time: z.iso.datetime() }).meta({ id: 'Health' });

export const tenantSchema = z
  .object({
    tenantId: z.string(),
    name: z.string(),
    status: z.enum(['ACTIVE', 'SUSPENDED']),
    createdAt: z.iso.datetime(),
    settings: z
      .object({
        defaultPreference: z.enum(['fastest', 'cheapest', 'greenest', 'balanced']),
        defaultSplitPolicy: z.enum(['allow', 'minimize', 'single']),
        currency: z.string(),
        seededAt: z.iso.datetime(),
      })
      .nullable()
      .describe('Null until the onboarding workflow has seeded the defaults'),
  })
  .meta({ id: 'Tenant' });

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

export const operations = {
  getHealth: {
    operationId: 'getHealth',
    method: 'get',
    path: '/health',
    summary: 'Liveness of the API',
    tags: ['ops'],
    auth: false,
    responses: { 200: { description: 'The API is up', schema: healthSchema } },
  },
  getOpenapi: {
    operationId: 'getOpenapi',
    method: 'get',
    path: '/openapi.json',
    summary: 'This OpenAPI 3.1 document',
    tags: ['ops'],
    auth: false,
    responses: { 200: { description: 'The OpenAPI document' } },
  },
  getTenant: {
    operationId: 'getTenant',
    method: 'get',
    path: '/tenant',
    summary: 'The tenant the API key belongs to',
    tags: ['tenants'],
    auth: true,
    responses: { 200: { description: 'The calling tenant', schema: tenantSchema } },
  },
} satisfies Record<string, Operation>;
