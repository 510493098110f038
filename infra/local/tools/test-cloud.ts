import { afterAll, beforeAll } from 'vitest';
import type { LocalCloud } from '../cloud.ts';
import { startTestCloud } from './testing.ts';

/** Starts an in-memory local cloud for this test file (before all tests) and stops it after; returns an accessor. */
export function useTestCloud(): () => LocalCloud {
  let cloud: LocalCloud | undefined;
  beforeAll(async () => {
    cloud = await startTestCloud();
  });
  afterAll(async () => {
    await cloud?.close();
  });
  return () => {
    if (!cloud) throw new Error('The test cloud has not started');
    return cloud;
  };
}
