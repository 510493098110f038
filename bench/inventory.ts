// Benchmark of the inventory on the embedded local cloud (in memory): reservations per second through the reservation
// use case (one TransactWriteItems each), spread over many SKUs and on one hot SKU, and the SKU network projection's
// lag (stock commit -> projection item reflecting it) measured while the spread load runs. Bounded: about --seconds
// per case.
// The local cloud (DynamoDB, stream pollers, consumers, bus) runs in this process; the callers of the reservation use
// case run in a child process, as on AWS the order workflow's Lambdas are not the database or the stream consumers.
//   npm run bench:inventory -- [--seconds 8] [--concurrency 32] [--skus 1000] [--lag-rate <reservations/s>]
//                              [--cases raw,spread,hot,lag] (a subset: e.g. raw,spread for quick comparisons)
import '../infra/local/aws-settings.ts';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createTestTenant, startTestCloud } from '../infra/local/tools/testing.ts';
import { adjustInventory } from '../shared/application/inventory/adjust-inventory.ts';
import { reserveStock } from '../shared/application/inventory/reservations.ts';
import { getSkuNetwork } from '../shared/application/inventory/stock-queries.ts';
import { inventoryDeps as deps, seedStock } from '../shared/application/inventory/test-support.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    concurrency: { type: 'string', default: '32' },
    skus: { type: 'string', default: '1000' },
    probes: { type: 'string', default: '2' },
    worker: { type: 'string' },
    rate: { type: 'string' },
    'lag-rate': { type: 'string' },
    tenant: { type: 'string' },
    cases: { type: 'string', default: 'raw,spread,hot,lag' },
  },
});
const CASES = ['raw', 'spread', 'hot', 'lag'] as const;
const cases = new Set(values.cases!.split(',').map((c) => c.trim()));
for (const c of cases) if (!(CASES as readonly string[]).includes(c)) throw new Error(`--cases: unknown case ${c} (known: ${CASES.join(', ')})`);
if (cases.has('lag') && !cases.has('spread') && !values['lag-rate']) throw new Error('--cases: lag needs spread (it runs at half its rate) or --lag-rate');
const caseMs = Number(values.seconds) * 1000;
const concurrency = Number(values.concurrency);
const skuCount = Number(values.skus);
const LOCATIONS = ['DC-EAST', 'DC-WEST', 'STORE-1'];
const UNITS = 1_000_000;

interface CaseResult {
  name: string;
  ok: number;
  insufficient: number;
  failed: number;
  seconds: number;
  latencies: number[];
}

if (values.worker) {
  // Child mode: the endpoints and table name come from the parent's environment.
  const tenant = values.tenant!;
  // Warm up (sockets, lazy SDK paths, module code), as a steady stream of warm Lambdas would be: a fresh process's
  // first calls pay seconds of one-off set-up that is no part of the reservation path.
  for (let round = 0; round < 3; round++) {
    await Promise.all(
      Array.from({ length: concurrency }, (_, i) =>
        reserveStock(deps, { reservationId: `warm-${values.worker}-${round}-${i}`, tenantId: tenant, orderId: 'warm-up', items: [{ locationId: 'DC-EAST', sku: 'WARM', quantity: 1 }] }),
      ),
    );
  }
  const pick =
    values.worker === 'hot'
      ? () => ({ locationId: 'DC-EAST', sku: 'HOT' })
      : () => ({ locationId: LOCATIONS[Math.floor(Math.random() * LOCATIONS.length)]!, sku: `SKU-${Math.floor(Math.random() * skuCount)}` });
  process.send!({ started: true });
  const result =
    values.worker === 'raw' ? await rawTransactions(tenant) : await reservations(values.worker, tenant, pick, values.rate ? Number(values.rate) : undefined);
  // Exit once the message is written: a large one (every latency of a long case) would otherwise be cut off, and the
  // parent would wait for it forever. Until then this module must not go on into the parent's part.
  process.send!(result, () => process.exit(0));
  await new Promise(() => undefined);
}

/** Runs one case in a child process; `started` resolves when its load begins. */
function inChild(name: 'spread' | 'hot' | 'raw' | 'paced', tenant: string, rate?: number): { started: Promise<void>; result: Promise<CaseResult> } {
  const args = [...process.argv.slice(2), '--worker', name, '--tenant', tenant, ...(rate ? ['--rate', String(rate)] : [])];
  const child = fork(process.argv[1]!, args, { execArgv: process.execArgv });
  const started = once(child, 'message').then(() => undefined);
  const result = started.then(async () => {
    const [message] = (await once(child, 'message')) as [CaseResult];
    await once(child, 'exit');
    return message;
  });
  return { started, result };
}

const cloud = await startTestCloud();
const { tenantId } = await createTestTenant('Bench');
const seedStart = Date.now();
await seedStock(tenantId, [
  ...Array.from({ length: skuCount }, (_, i) => LOCATIONS.map((locationId) => ({ locationId, sku: `SKU-${i}`, onHand: UNITS }))).flat(),
  { locationId: 'DC-EAST', sku: 'HOT', onHand: UNITS },
  { locationId: 'DC-EAST', sku: 'WARM', onHand: UNITS },
  ...Array.from({ length: Number(values.probes) }, (_, i) => ({ locationId: 'DC-EAST', sku: `PROBE-${i}`, onHand: 0 })),
]);
await cloud.settle();
console.error(`seeded ${skuCount * LOCATIONS.length + 1} stock items in ${Date.now() - seedStart} ms`);

/**
 * The platform's ceiling on this machine, now: TransactWriteItems of two unconditional updates on spread items of
 * another partition (no stream consumer acts on them), at the same concurrency, against the same local cloud.
 */
async function rawTransactions(tenant: string): Promise<CaseResult> {
  const { documentClient, TransactWriteCommand } = await import('../shared/adapters/dynamodb/client.ts');
  const table = process.env.TABLE_NAME!;
  const result: CaseResult = { name: 'raw TransactWriteItems (2 updates)', ok: 0, insufficient: 0, failed: 0, seconds: 0, latencies: [] };
  const start = Date.now();
  const deadline = start + caseMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        const began = performance.now();
        const key = () => ({ pk: `${tenant}#RAW#${Math.floor(Math.random() * 1000)}`, sk: 'RAW' });
        const update = (k: { pk: string; sk: string }) => ({
          Update: { TableName: table, Key: k, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } },
        });
        const a = key();
        let b = key();
        while (b.pk === a.pk) b = key();
        try {
          await documentClient.send(new TransactWriteCommand({ TransactItems: [update(a), update(b)] }));
          result.ok++;
          result.latencies.push(performance.now() - began);
        } catch {
          result.failed++;
        }
      }
    }),
  );
  result.seconds = (Date.now() - start) / 1000;
  return result;
}

/** Closed loop (`concurrency` calls in flight, as fast as they go) or, with a rate, paced at that many per second. */
async function reservations(name: string, tenantId: string, pick: () => { locationId: string; sku: string }, rate?: number): Promise<CaseResult> {
  const result: CaseResult = { name, ok: 0, insufficient: 0, failed: 0, seconds: 0, latencies: [] };
  const start = Date.now();
  const deadline = start + caseMs;
  let n = 0;
  const paced = async () => {
    if (!rate) return;
    const due = start + (n * 1000) / rate;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
  };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        const id = `${name}-${n++}`;
        await paced();
        const began = performance.now();
        try {
          const r = await reserveStock(deps, { reservationId: id, tenantId, orderId: id, items: [{ ...pick(), quantity: 1 }] });
          if (r.status === 'RESERVED') result.ok++;
          else result.insufficient++;
          result.latencies.push(performance.now() - began);
        } catch {
          result.failed++;
        }
      }
    }),
  );
  result.seconds = (Date.now() - start) / 1000;
  return result;
}

/**
 * Probes: bump a probe SKU's stock, wait until the projection shows it, and take the lag from the projection item
 * itself: its write time (projectedAt, the consumer's clock) minus the stock change's commit time (updatedAt, set by
 * the writer just before its request: so the figure is conservative). Polls gently, not to load the cloud it measures.
 */
async function probeLag(until: number, probe: number): Promise<number[]> {
  const lags: number[] = [];
  const sku = `PROBE-${probe}`;
  while (Date.now() < until) {
    await adjustInventory(deps, tenantId, [{ locationId: 'DC-EAST', sku, delta: 1 }]);
    const level = (await deps.stock.getMany(tenantId, [{ locationId: 'DC-EAST', sku }])).get(`DC-EAST ${sku}`)!;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const network = (await deps.networks.getMany(tenantId, [sku])).get(sku);
      const entry = network?.locations['DC-EAST'];
      if (network && entry && entry.version >= level.version) {
        lags.push(Date.parse(network.projectedAt) - Date.parse(level.updatedAt));
        break;
      }
      if (Date.now() - Date.parse(level.updatedAt) > 30_000) throw new Error('projection did not catch up in 30 s');
    }
  }
  return lags;
}

const pct = (values: number[], p: number) => {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

async function runCase(name: 'raw' | 'spread' | 'hot'): Promise<CaseResult | undefined> {
  if (!cases.has(name)) return undefined;
  const result = await inChild(name, tenantId).result;
  await cloud.settle();
  return result;
}
const raw = await runCase('raw');
const spread = await runCase('spread');
const hot = await runCase('hot');
// Lag at a stated load: spread reservations paced at half the measured maximum, the probes running beside them. (At
// full load the clients and the consumer share this machine's cores; on AWS the consumer has its own.)
let lag: { lags: number[]; paced: CaseResult } | undefined;
if (cases.has('lag')) {
  const pacedRate = values['lag-rate'] ? Number(values['lag-rate']) : Math.max(10, Math.round(spread!.ok / spread!.seconds / 2));
  const pacedRun = inChild('paced', tenantId, pacedRate);
  await pacedRun.started;
  const lags = (await Promise.all(Array.from({ length: Number(values.probes) }, (_, i) => probeLag(Date.now() + caseMs - 1000, i)))).flat();
  lag = { lags, paced: await pacedRun.result };
  await cloud.settle();
}

// The counts must add up: every RESERVED answer is one reserved unit.
const [hotView] = hot ? await getSkuNetwork(deps, tenantId, ['HOT']) : [];
const hotReserved = hotView?.locations[0]?.reserved;

const cpu = cpus();
console.log(`\nInventory benchmark: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)} at the end`);
console.log(`${concurrency} reservations in flight, ${values.seconds} s per case, ${skuCount} SKUs x ${LOCATIONS.length} locations for the spread case\n`);
console.log('| case | per second | reserved | insufficient | errors | latency p50 | latency p99 |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of [raw, spread, hot]) {
  if (!r) continue;
  console.log(`| ${r.name} | ${(r.ok / r.seconds).toFixed(0)} | ${r.ok} | ${r.insufficient} | ${r.failed} | ${pct(r.latencies, 50).toFixed(0)} ms | ${pct(r.latencies, 99).toFixed(0)} ms |`);
}
const rate = (r: CaseResult) => r.ok / r.seconds;
if (raw && (spread || hot)) {
  const shares = [spread && `${((rate(spread) / rate(raw)) * 100).toFixed(0)}% (spread)`, hot && `${((rate(hot) / rate(raw)) * 100).toFixed(0)}% (hot)`].filter(Boolean);
  console.log(`\nreservations reach ${shares.join(' and ')} of the raw transaction rate`);
}
if (lag) {
  console.log(`\n| projection lag, under ${rate(lag.paced).toFixed(0)} spread reservations/s | samples | p50 | p99 | max |`);
  console.log('|---|---:|---:|---:|---:|');
  console.log(`| stock commit -> SKU network item | ${lag.lags.length} | ${pct(lag.lags, 50)} ms | ${pct(lag.lags, 99)} ms | ${Math.max(...lag.lags)} ms |`);
}
if (hot) console.log(`\nhot SKU: ${hot.ok} RESERVED answers, ${hotReserved} units reserved in the projection${hotReserved === hot.ok ? ' (they add up)' : ' (MISMATCH)'}`);
await cloud.close();
