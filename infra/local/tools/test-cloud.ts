import { afterAll, beforeAll } from 'vitest';
import type { LocalCloud } from '../cloud.ts';
import { startTestCloud } from './testing.ts';

/** Starts an in-memory local cloud for this test file (before all tests) and stops it after; returns an accessor. */
export function useTestCloud(options: Parameters<typeof startTestCloud>[0] = {}): () => LocalCloud {
  let cloud: LocalCloud | undefined;
  beforeAll(async () => {
    cloud = await startTestCloud(options);
  });
  afterAll(async () => {
    await cloud?.close();
  });
  return () => {
    if (!cloud) throw new Error('The test cloud has not started');
    return cloud;
  };
}
