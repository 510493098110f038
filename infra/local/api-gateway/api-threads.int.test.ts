// The local API's extra handler threads: the gateway's thread hands invocations to the less busy thread, and a
// request answers the same wherever its handler ran (results, handler errors, authorizer refusals).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomApi } from '../tools/api-client.ts';
import { startApiGatewayWorker, type ApiWorkerHandle } from './api-worker.ts';
import type { LocalCloud } from '../cloud.ts';
import { createTestTenant, startTestCloud } from '../tools/testing.ts';

let cloud: LocalCloud;
let gateway: ApiWorkerHandle;
let api: DomApi;

beforeAll(async () => {
  // The cloud sets the environment the handlers find their endpoints in; a second gateway with two handler threads
  // serves the same tables.
  cloud = await startTestCloud();
  gateway = await startApiGatewayWorker({ authorizerCacheSeconds: 0, handlerThreads: 2 });
  const tenant = await createTestTenant('Threads Shop');
  api = new DomApi(gateway.url, tenant.apiKey);
});

afterAll(async () => {
  api?.close();
  await gateway?.close();
  await cloud?.close();
});

describe('API handler threads', () => {
  it('spreads concurrent invocations over both threads, and every answer is right', async () => {
    const puts = await Promise.all(
      Array.from({ length: 60 }, (_, i) => api.request('PUT', `/skus/THREAD-${i}`, { name: `Thread ${i}`, weightLb: 1 + i / 100 })),
    );
    expect(puts.map((p) => p.status)).toEqual(Array(60).fill(201));
    const gets = await Promise.all(Array.from({ length: 60 }, (_, i) => api.ok<{ sku: string; weightLb: number }>('GET', `/skus/THREAD-${i}`)));
    expect(gets.map((g) => [g.sku, g.weightLb])).toEqual(Array.from({ length: 60 }, (_, i) => [`THREAD-${i}`, 1 + i / 100]));

    const counts = await gateway.invocations();
    expect(Object.keys(counts)).toEqual(['api', 'api-2']);
    const ran = (thread: string) => (counts[thread]!.putSku?.count ?? 0) + (counts[thread]!.getSku?.count ?? 0);
    expect(ran('api') + ran('api-2')).toBe(120);
    expect(ran('api')).toBeGreaterThan(0);
    expect(ran('api-2')).toBeGreaterThan(0);
  });

  it('answers bad input and unknown keys the same from either thread', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => api.request<{ errors: Array<{ field: string }> }>('PUT', '/skus/BAD', { weightLb: 'heavy' })));
    for (const answer of answers) {
      expect(answer.status).toBe(422);
      expect(answer.body.errors.map((e) => e.field)).toContain('weightLb');
    }
    const stranger = new DomApi(gateway.url, 'dom_t_000000000000_nosuchsecret');
    expect((await stranger.request('GET', '/skus/THREAD-1')).status).toBe(401);
    stranger.close();
  });

  it('reports each thread\'s heap', async () => {
    const heaps = await gateway.heap();
    expect(Object.keys(heaps)).toEqual(['api', 'api-2']);
    for (const heap of Object.values(heaps)) expect(heap.usedMiB).toBeGreaterThan(0);
  });
});
