// The local cloud's intake priority: with prioritiseIntake, the thread that runs the workflows, bus, queues and stream
// consumers yields the CPU to the API and DynamoDB threads (Linux thread priorities), and the API's handlers reach
// DynamoDB on a port of their own that is served ahead of the others' backlog.
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import { BACKGROUND_NICE } from '../cloud.ts';
import { DomApi } from '../tools/api-client.ts';
import { createTestTenant, startTestCloud } from '../tools/testing.ts';

const niceOf = (threadId: string): number => Number(readFileSync(`/proc/self/task/${threadId}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);

describe.runIf(existsSync('/proc/thread-self'))('intake priority', () => {
  it('lowers the background thread alone and leaves the API and DynamoDB threads where they were', async () => {
    const self = readlinkSync('/proc/thread-self').split('/').pop()!;
    const before = getPriority(Number(self));
    const cloud = await startTestCloud({ prioritiseIntake: true });
    try {
      const others = readdirSync('/proc/self/task').filter((id) => id !== self);

      expect(getPriority(Number(self))).toBe(Math.max(before, BACKGROUND_NICE));
      expect(niceOf(self)).toBe(Math.max(before, BACKGROUND_NICE));
      expect(others.filter((id) => niceOf(id) === before).length).toBeGreaterThanOrEqual(2);
      expect((await fetch(`${cloud.apiUrl}/health`)).status).toBe(200);
    } finally {
      await cloud.close();
    }
  });

  it('gives the API its own DynamoDB endpoint, on the same table', async () => {
    const cloud = await startTestCloud({ prioritiseIntake: true });
    const api = new DomApi(cloud.apiUrl, (await createTestTenant('Priority')).apiKey);
    try {
      expect(cloud.endpoints.dynamodbIntake).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(cloud.endpoints.dynamodbIntake).not.toBe(cloud.endpoints.dynamodb);

      // The tenant was written here (the main thread's endpoint); the API finds it, writes and reads through its own.
      const put = await api.request('PUT', '/locations/DC-1', { name: 'DC 1', type: 'warehouse', geo: { lat: 40.7, lon: -74 }, capabilities: { ship: true, pickup: false, curbside: false } });
      expect(put.status).toBe(201);
      expect((await api.request<{ name: string }>('GET', '/locations/DC-1')).body.name).toBe('DC 1');
    } finally {
      api.close();
      await cloud.close();
    }
  });

  it('keeps one DynamoDB endpoint without it', async () => {
    const cloud = await startTestCloud();
    try {
      expect(cloud.endpoints.dynamodbIntake).toBeUndefined();
    } finally {
      await cloud.close();
    }
  });
});
