/**
 * The Node.js flags the local cloud's process is started with: package.json's `start`, `bench:orders` and
 * `bench:inventory` scripts pass them (as `tsx <flags> <file>`), and so does the crash harness.
 *
 * `--v8-pool-size=1`: V8's background threads (concurrent marking and sweeping, parallel scavenges, optimising
 * compiles) default to four, started with the process and so at the default priority, whichever thread's heap they
 * work for. On two cores they took ~50-80 % of a core while routing ran, undoing the intake priority: at 300 orders/s
 * offered with routing beside it, accept p50 was 676 and 2,285 ms with four; with one (and the background thread at
 * nice 19) 13.5-47.7 ms in five runs, and routing was no slower (docs/demo-and-benchmarks.md, 2026-12-04).
 */
export const LOCAL_CLOUD_NODE_FLAGS: readonly string[] = ['--v8-pool-size=1'];

/** The flags of LOCAL_CLOUD_NODE_FLAGS this process was not started with (command line or NODE_OPTIONS). */
export function missingLocalCloudNodeFlags(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): string[] {
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/)]);
  return LOCAL_CLOUD_NODE_FLAGS.filter((flag) => !given.has(flag));
}
