import { describe, expect, it } from 'vitest';
import { LOCAL_CLOUD_NODE_FLAGS, missingLocalCloudNodeFlags } from './node-flags.ts';
import packageJson from '../../package.json' with { type: 'json' };

describe('the local cloud process flags', () => {
  it('finds them on the command line or in NODE_OPTIONS, and names what is missing', () => {
    expect(missingLocalCloudNodeFlags(['--v8-pool-size=1'], '')).toEqual([]);
    expect(missingLocalCloudNodeFlags([], '--max-old-space-size=4096 --v8-pool-size=1')).toEqual([]);
    expect(missingLocalCloudNodeFlags(['--v8-pool-size=4'], '')).toEqual(['--v8-pool-size=1']);
    expect(missingLocalCloudNodeFlags([], '')).toEqual(['--v8-pool-size=1']);
  });

  it('are passed by every script that hosts the local cloud', () => {
    const scripts = packageJson.scripts as Record<string, string>;
    for (const name of ['start', 'bench:orders', 'bench:inventory']) {
      for (const flag of LOCAL_CLOUD_NODE_FLAGS) expect(scripts[name], name).toMatch(new RegExp(`^tsx ${flag} `));
    }
  });
});
