// The local cloud's intake priority: with prioritiseIntake, the thread that runs the workflows, bus, queues and stream
// consumers yields the CPU to the API and DynamoDB threads (Linux thread priorities).
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import { startTestCloud } from './testing.ts';

const niceOf = (threadId: string): number => Number(readFileSync(`/proc/self/task/${threadId}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);

describe.runIf(existsSync('/proc/thread-self'))('intake priority', () => {
  it('lowers the background thread alone and leaves the API and DynamoDB threads where they were', async () => {
    const self = readlinkSync('/proc/thread-self').split('/').pop()!;
    const before = getPriority(Number(self));
    const cloud = await startTestCloud({ prioritiseIntake: true });
    try {
      const others = readdirSync('/proc/self/task').filter((id) => id !== self);

      expect(getPriority(Number(self))).toBe(Math.max(before, 10));
      expect(niceOf(self)).toBe(Math.max(before, 10));
      expect(others.filter((id) => niceOf(id) === before).length).toBeGreaterThanOrEqual(2);
      expect((await fetch(`${cloud.apiUrl}/health`)).status).toBe(200);
    } finally {
      await cloud.close();
    }
  });
});
