// Orders end to end on the embedded local cloud: POST /orders over HTTP with bounded concurrency, then the workflow
// (stream -> OrderAccepted -> start-fulfillment -> Step Functions: plan, reserve, rate, confirm) until no order is left
// ACCEPTED or ROUTING. Reports accept throughput and latency, allocation throughput and latency, final statuses,
// memory, and the AWS requests and cost per order (Step Functions transitions from execution histories, Lambda
// invocations, DynamoDB calls and estimated request units, EventBridge events, API Gateway requests), on the API
// threads as well as the main thread. The tables go to stdout, progress to stderr; the last line of stdout is one JSON
// object with the headline figures (bench/orders/summary.ts), for scripts that compare runs.
//   npm run bench:orders -- [--orders 2000] [--concurrency 64] [--rate <orders/s>] [--warmup 0] [--timeout 300] [--idle 15]
//                           [--api-threads 2] [--function-threads 1] [--api-in-process] [--dynamodb-in-process] [--intake-only] [--url http://… --key dom_t_…]
// --warmup N sends N more orders first, the same way, and reports their accept latency apart (cold JIT and caches);
// every order, warm-up included, counts for routing and memory. --api-threads: threads of API route handlers.
// --function-threads: threads of the other handlers (workflow tasks, stream and queue consumers; default 0, as
// `npm start`: on the main thread with the workflow engine, the bus and the pollers).
// --dynamodb-in-process: the local table on the main thread instead of its own (to compare thread layouts: CPU per
// order hardly changes, see the report's CPU row).
// --intake-only: the orders' workflows do not route (their fulfil step stops at once), so the accept figures show
// what intake alone does on this machine; the orders stay ACCEPTED and only intake is reported.
// Without --url it starts its own in-memory local cloud in this process (the load generator is a child process).
import { DomApi } from '../infra/local/tools/api-client.ts';
import '../infra/local/aws-settings.ts';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { FunctionId } from '../infra/topology.ts';
import { topology } from '../infra/topology.ts';
import type { LocalCloud } from '../infra/local/cloud.ts';
import { describeSeed, seedDemoNetwork } from '../infra/local/tools/demo-network.ts';
import { createTestTenant, startTestCloud } from '../infra/local/tools/testing.ts';
import type { LoadResult } from './orders/load.ts';
import type { DynamoMeter, FunctionUsage } from './orders/dynamodb-meter.ts';
import { meterApiThreads, type ApiThreadsMeter, type ThreadCounts } from './orders/api-thread-meter.ts';
import { placeOneAtATime } from './orders/calibrate.ts';
import { buildSummary, type MeasuredRun } from './orders/summary.ts';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '64' },
    timeout: { type: 'string', default: '300' },
    url: { type: 'string' },
    key: { type: 'string' },
    histories: { type: 'string', default: '40' },
    'api-in-process': { type: 'boolean', default: false },
    'dynamodb-in-process': { type: 'boolean', default: false },
    idle: { type: 'string', default: '15' },
    'api-threads': { type: 'string', default: '1' },
    'function-threads': { type: 'string', default: '0' },
    warmup: { type: 'string', default: '0' },
    rate: { type: 'string' },
    'intake-only': { type: 'boolean', default: false },
    'meter-detail': { type: 'boolean', default: false },
    calibrate: { type: 'string', default: '30' },
  },
});
const INTAKE_ONLY = Boolean(values['intake-only']);
const WARMUP = Number(values.warmup);
const ORDERS = WARMUP + Number(values.orders);
const CONCURRENCY = Number(values.concurrency);
const TIMEOUT_MS = Number(values.timeout) * 1000;
const benchStarted = Date.now();
// The process's peak resident memory during the run, sampled (the cloud, and this script, share the process).
let peakRss = 0;
const rssSampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 500);
const deadline = benchStarted + TIMEOUT_MS;

interface OrderItem {
  orderId: string;
  status: string;
  createdAt: string;
  history: Array<{ status: string; at: string }>;
}

/** us-east-1 list prices, as of 2026-01 (assumptions; check https://aws.amazon.com/pricing before quoting). */
const PRICES = {
  sfnTransition: 0.025 / 1000,
  // Express: per execution, and per GB-second of duration (billed in 100 ms steps, memory in 64 MB steps).
  sfnExpressRequest: 1 / 1e6,
  sfnExpressGbSecond: 0.00001667,
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecondArm: 0.0000133334,
  wru: 0.625 / 1e6,
  rru: 0.125 / 1e6,
  event: 1 / 1e6,
  apiRequest: 3.5 / 1e6,
  sqsRequest: 0.4 / 1e6,
};

const log = (message: string) => process.stderr.write(`${message}\n`);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const pct = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- the load generator, forked first: a process started after the cloud lowered this thread's priority would
// inherit that priority ----
const child = fork(
  new URL('./orders/load.ts', import.meta.url).pathname,
  ['--orders', values.orders!, '--warmup', String(WARMUP), '--concurrency', String(CONCURRENCY), '--run', `b${Date.now().toString(36)}`, ...(values.rate ? ['--rate', values.rate] : [])],
  { execArgv: process.execArgv },
);

/** The functions behind the bench's own requests (its polls and reads of the orders): not part of an order's cost. */
const OBSERVERS: ReadonlySet<string> = new Set(['listOrders', 'getOrder', 'getHealth']);

// ---- the cloud ----
let cloud: LocalCloud | undefined;
let meter: DynamoMeter | undefined;
let apiMeter: ApiThreadsMeter | undefined;
let apiUrl: string;
let apiKey: string;
/** Invocations' summed wall time per function, for the Lambda GB-s estimate. */
const durations = new Map<string, { count: number; totalMs: number }>();
if (values.url) {
  if (!values.key) throw new Error('--url needs --key (a tenant of that cloud: npx dom tenant create "Bench")');
  apiUrl = values.url;
  apiKey = values.key;
} else {
  // --api-in-process: the API handlers on the main thread (slower); by default they run on their own thread, as
  // `npm start` does, and are metered there. Intake first, as `npm start` runs it.
  if (!values['api-in-process']) apiMeter = meterApiThreads();
  cloud = await startTestCloud({ apiInProcess: Boolean(values['api-in-process']), dynamodbInProcess: Boolean(values['dynamodb-in-process']), prioritiseIntake: true, apiHandlerThreads: Number(values['api-threads']), functionThreads: Number(values['function-threads']) });
  apiUrl = cloud.apiUrl;
  const tenant = await createTestTenant('Bench Outfitters');
  apiKey = tenant.apiKey;
  // Imported after the cloud set AWS_ENDPOINT_URL_DYNAMODB: the same module instance the handlers use.
  const { rawClient } = await import('../shared/adapters/dynamodb/client.ts');
  const { meterDynamoDb } = await import('./orders/dynamodb-meter.ts');
  meter = meterDynamoDb(rawClient);
  // Wall time of each invocation, for the Lambda GB-s estimate (an upper bound: it includes waiting for this event loop).
  const runtime = cloud.runtime;
  const invoke = runtime.invoke.bind(runtime);
  runtime.invoke = async (id, event) => {
    // Intake only: no attempt routes (OrderAccepted still starts its workflow, whose fulfil step stops at once).
    if (INTAKE_ONLY && id === 'startFulfillment') return { skipped: 'intake only' };
    if (INTAKE_ONLY && id === 'planFulfillment') return { ...(event as object), outcome: 'STOPPED', parcels: [] };
    const t0 = performance.now();
    try {
      return await invoke(id, event);
    } finally {
      const stats = durations.get(id) ?? durations.set(id, { count: 0, totalMs: 0 }).get(id)!;
      stats.count++;
      stats.totalMs += performance.now() - t0;
    }
  };
}
const api = new DomApi(apiUrl, apiKey);

// Deep stock, so the benchmark measures routing rather than backorders: every pair of the demo network x (orders / 400).
const multiplier = Math.max(1, Math.ceil(ORDERS / 400));
const seeded = await seedDemoNetwork(api, { stockMultiplier: multiplier });
log(`seeded: ${describeSeed(seeded)} (stock x${multiplier})`);
if (cloud) await cloud.settle();
else await sleep(2000);

const invocationsBefore = snapshotInvocations();
// The cloud's CPU (every thread of this process: handlers, services, DynamoDB, API, V8's helpers) from the load's start
// to the last order settled: with the load generator's own, what an order costs this machine.
const cpuBefore = process.cpuUsage();
const executionsBefore = cloud?.executionsStarted('orderFulfillment') ?? 0;
const busBefore = { events: cloud?.eventsAccepted() ?? 0, webhookEvents: cloud?.ruleStats().webhookFanOut?.matched ?? 0 };
meter?.reset();
const apiThreadsReset = (await apiMeter?.reset()) ?? false;
durations.clear();

// ---- load ----
log(`placing ${ORDERS} orders, ${values.rate ? `${values.rate}/s offered (open loop), at most ${CONCURRENCY}` : CONCURRENCY} in flight...`);
child.send({ url: apiUrl, key: apiKey });
const [startedMessage] = (await once(child, 'message')) as [{ started: number }];
const loadStarted = startedMessage.started;
const [load] = (await once(child, 'message')) as [LoadResult];
log(`accepted ${load.accepted} in ${((load.endedAt - load.startedAt) / 1000).toFixed(1)} s${INTAKE_ONLY ? '' : '; waiting for the workflows...'}`);
if (INTAKE_ONLY) {
  const latencies = [...load.latenciesMs].sort((a, b) => a - b);
  const warm = [...load.warmupLatenciesMs].sort((a, b) => a - b);
  const acceptSeconds = (load.endedAt - loadStarted) / 1000;
  process.stdout.write(
    [
      `\n## bench:orders --intake-only: ${ORDERS} orders, ${values.rate ? `${values.rate}/s offered (open loop), at most ${CONCURRENCY}` : CONCURRENCY} in flight, no workflows`,
      '| metric | measured |',
      '|---|---|',
      `| orders accepted (202) | ${load.accepted} (+${load.repeated} repeats, ${load.failed.length} failed) |`,
      `| accept throughput | ${(load.accepted / acceptSeconds).toFixed(0)} orders/s (${acceptSeconds.toFixed(1)} s) |`,
      ...(WARMUP ? [`| accept latency p50 / p99, first ${WARMUP} orders (warm-up) | ${pct(warm, 50).toFixed(1)} / ${pct(warm, 99).toFixed(1)} ms |`] : []),
      `| accept latency p50 / p99${WARMUP ? `, the ${values.orders} after the warm-up` : ''} | ${pct(latencies, 50).toFixed(1)} / ${pct(latencies, 99).toFixed(1)} ms |`,
      '',
    ].join('\n'),
  );
  // Nothing is routed, so no allocation, stuck or cost figures; memory is not measured after an idle period either.
  await finish({ acceptedPerSec: load.accepted / acceptSeconds, acceptP50Ms: pct(latencies, 50), acceptP99Ms: pct(latencies, 99), orders: Number(values.orders) }, load.failed.length > 0 ? 1 : 0);
}

// ---- settle: cheap polls (2 requests) until nothing is ACCEPTED or ROUTING ----
let inFlight = -1;
let lastLog = 0;
while (Date.now() < deadline) {
  const polled = await Promise.all(['ACCEPTED', 'ROUTING'].map((s) => api.ok<{ items: unknown[] }>('GET', `/orders?status=${s}&limit=100`))).catch(() => undefined);
  if (!polled) {
    // An overloaded cloud answers 5xx now and then (see the report): poll again.
    await sleep(500);
    continue;
  }
  const [accepted, routing] = polled;
  inFlight = accepted!.items.length + routing!.items.length;
  if (inFlight === 0) break;
  if (Date.now() - lastLog > 5000) {
    log(`  ${inFlight >= 100 ? '100+' : inFlight} orders still accepted/routing...`);
    lastLog = Date.now();
  }
  await sleep(250);
}
// Bounded: an execution that never ends must show up in the report as stuck, not hang the benchmark.
if (cloud) await Promise.race([cloud.settle(), sleep(15_000)]);
const settledAt = Date.now();
const cloudCpu = process.cpuUsage(cpuBefore);

// ---- read every order back once (newest first, 100 a page): statuses and server-side timestamps ----
const orders: OrderItem[] = [];
let cursor: string | undefined;
do {
  const path = `/orders?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
  const page: { items: OrderItem[]; nextCursor?: string } = await api.ok<{ items: OrderItem[]; nextCursor?: string }>('GET', path).catch(async () => {
    await sleep(1000);
    return api.ok('GET', path);
  });
  orders.push(...page.items);
  cursor = page.nextCursor;
} while (cursor);
const mine = new Set(load.orderIds);
const measured = orders.filter((o) => mine.has(o.orderId));
const byStatus = new Map<string, number>();
for (const o of measured) byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1);
const stuckOrders = measured.filter((o) => o.status === 'ACCEPTED' || o.status === 'ROUTING');
const stuck = stuckOrders.length;
if (stuck > 0) log(`stuck orders (first 5): ${JSON.stringify(await Promise.all(stuckOrders.slice(0, 5).map((o) => describeStuck(o))))}`);
const firstSettled = (o: OrderItem) => o.history.find((h) => !['ACCEPTED', 'ROUTING'].includes(h.status));
const toSettled = measured.map((o) => ({ o, h: firstSettled(o) })).filter((x) => x.h);
const toAllocated = toSettled.filter((x) => x.h!.status === 'ALLOCATED').map((x) => Date.parse(x.h!.at) - Date.parse(x.o.createdAt)).sort((a, b) => a - b);
const firstCreated = Math.min(...measured.map((o) => Date.parse(o.createdAt)));
const lastSettled = Math.max(...toSettled.map((x) => Date.parse(x.h!.at)));

// ---- memory ----
const memory = process.memoryUsage();
clearInterval(rssSampler);
peakRss = Math.max(peakRss, memory.rss);
// V8 keeps the heap it grew under load until the isolate has been idle a while; what stays after that is the footprint.
const idleSeconds = Number(values.idle);
if (cloud) await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
global.gc?.();
const idleMemory = process.memoryUsage();
const heaps = cloud ? await cloud.heap() : {};

// ---- per-order AWS requests ----
const invocations = diffInvocations(invocationsBefore, snapshotInvocations());
const bus = { events: (cloud?.eventsAccepted() ?? 0) - busBefore.events, webhookEvents: (cloud?.ruleStats().webhookFanOut?.matched ?? 0) - busBefore.webhookEvents };
// The API threads' counts (intake, the authorizer, the bench's own reads), added to the main thread's.
const threadCounts = await apiMeter?.read();
for (const counts of threadCounts ?? []) addThreadCounts(counts);
// Every call was seen: on the main thread (API in process), or there and on every API thread that started metered.
const metered = Boolean(cloud && meter && (values['api-in-process'] || (apiThreadsReset && apiMeter!.threads > 0 && threadCounts)));
// Started during the run (the engine keeps only the last 1,000 finished executions to list; the histories are a sample).
const executionsStarted = (cloud?.executionsStarted('orderFulfillment') ?? 0) - executionsBefore;
const sfnStats = cloud ? { ...(await stepFunctionStats(cloud, Number(values.histories))), executions: executionsStarted } : undefined;

// ---- calibration: orders one at a time, for the Lambda and Express durations AWS would bill (bench/orders/calibrate.ts) ----
let isolated: Isolated | undefined;
if (cloud && Number(values.calibrate) > 0) {
  const mainBefore = new Map([...durations].map(([id, s]) => [id, { ...s }]));
  // The load's DynamoDB counts are kept as they are: the calibration's own calls are not the load's.
  const loadCounts = meter && structuredClone({ calls: meter.calls, wru: meter.wru, rru: meter.rru, detail: meter.detail, byFunction: meter.byFunction });
  const apiBefore = await apiMeter?.read();
  const since = new Date();
  await placeOneAtATime(api, Number(values.calibrate));
  await cloud.settle();
  const apiAfter = await apiMeter?.read();
  const timed = new Map<string, { count: number; totalMs: number }>();
  const add = (id: string, count: number, totalMs: number) => {
    if (count <= 0) return;
    const sum = timed.get(id) ?? timed.set(id, { count: 0, totalMs: 0 }).get(id)!;
    sum.count += count;
    sum.totalMs += totalMs;
  };
  for (const [id, s] of durations) add(id, s.count - (mainBefore.get(id)?.count ?? 0), s.totalMs - (mainBefore.get(id)?.totalMs ?? 0));
  // The API threads' cumulative counts, summed over the threads: after minus before.
  const summed = (counts: ThreadCounts[] | undefined) => {
    const sums = new Map<string, { count: number; totalMs: number }>();
    for (const [id, s] of (counts ?? []).flatMap((c) => c.invocations)) {
      const sum = sums.get(id) ?? sums.set(id, { count: 0, totalMs: 0 }).get(id)!;
      sum.count += s.count;
      sum.totalMs += s.totalMs;
    }
    return sums;
  };
  const before = summed(apiBefore);
  for (const [id, s] of summed(apiAfter)) add(id, s.count - (before.get(id)?.count ?? 0), s.totalMs - (before.get(id)?.totalMs ?? 0));
  if (meter && loadCounts) Object.assign(meter, loadCounts);
  isolated = { orders: Number(values.calibrate), durations: timed, sfn: await stepFunctionStats(cloud, Number(values.calibrate), since) };
}

// ---- report ----
const acceptSeconds = (load.endedAt - loadStarted) / 1000;
const latencies = [...load.latenciesMs].sort((a, b) => a - b);
const allocSeconds = (lastSettled - firstCreated) / 1000;
const cpu = cpus();
const lines: string[] = [];
const row = (name: string, value: string, target = '') => lines.push(`| ${name} | ${value} | ${target} |`);
lines.push(`\n## bench:orders: ${ORDERS} orders, ${values.rate ? `${values.rate}/s offered (open loop), at most ${CONCURRENCY}` : CONCURRENCY} in flight, ${cloud ? 'in-process in-memory local cloud' : apiUrl}`);
lines.push(`machine: ${cpu[0]?.model ?? '?'}, ${cpu.length} cores, ${mb(totalmem())} RAM, Node ${process.version}; ${new Date().toISOString()}\n`);
lines.push('| metric | measured | target |', '|---|---|---|');
row('orders accepted (202)', `${load.accepted} (+${load.repeated} repeats, ${load.failed.length} failed)`);
row('accept throughput', `${(load.accepted / acceptSeconds).toFixed(0)} orders/s (${acceptSeconds.toFixed(1)} s)`, '>= 300 orders/s');
if (WARMUP) {
  const warm = [...load.warmupLatenciesMs].sort((a, b) => a - b);
  row(`accept latency p50 / p99, first ${WARMUP} orders (warm-up)`, `${pct(warm, 50).toFixed(1)} / ${pct(warm, 99).toFixed(1)} ms`);
}
row(`accept latency p50 / p99${WARMUP ? `, the ${values.orders} after the warm-up` : ''}`, `${pct(latencies, 50).toFixed(1)} / ${pct(latencies, 99).toFixed(1)} ms`, 'p99 < 100 ms');
row('fully routed throughput', `${(toSettled.length / allocSeconds).toFixed(0)} orders/s (first accept -> last leaves ROUTING: ${allocSeconds.toFixed(1)} s)`, '>= 120 orders/s');
row('time to ALLOCATED p50 / p99', `${(pct(toAllocated, 50) / 1000).toFixed(2)} / ${(pct(toAllocated, 99) / 1000).toFixed(2)} s (all ${toAllocated.length} allocated orders, server timestamps)`);
row('final statuses', [...byStatus].sort().map(([s, n]) => `${s} ${n}`).join(', '));
if (cloud) {
  const cloudMs = (cloudCpu.user + cloudCpu.system) / 1000 / Math.max(1, load.accepted);
  const loadMs = (load.cpuMs ?? 0) / Math.max(1, load.accepted);
  const cores = cpus().length;
  row('CPU per order (load start to last order settled)', `${(cloudMs + loadMs).toFixed(1)} ms: cloud process ${cloudMs.toFixed(1)} ms (all threads), load generator ${loadMs.toFixed(1)} ms; ${cores} cores can do at most ${((cores * 1000) / (cloudMs + loadMs)).toFixed(0)} orders/s`);
}
row('stuck (ACCEPTED/ROUTING at the end)', `${stuck}${stuck > 0 ? ` after ${((settledAt - benchStarted) / 1000).toFixed(0)} s` : ''}`, '0');
if (cloud) {
  row('process memory at the end of the run', `RSS ${mb(memory.rss)} (peak during the run ${mb(peakRss)})`);
  row(`process memory after ${idleSeconds} s idle`, `RSS ${mb(idleMemory.rss)}`, 'RSS < 1 GiB at 10,000 orders');
  row(`JavaScript heap by thread after ${idleSeconds} s idle, used / total`, Object.entries(heaps).map(([thread, h]) => `${thread} ${h.usedMiB} / ${h.totalMiB} MiB`).join(', '));
}
lines.push('');
if (load.failed.length > 0) lines.push(`failed requests (first): ${JSON.stringify(load.failed.slice(0, 3))}\n`);
const cost = cloud && sfnStats && metered ? costReport(invocations, sfnStats, measured.length, isolated) : undefined;
if (cost) lines.push(...cost.lines);
else if (cloud) lines.push('(cost per order: not measured, the API threads did not answer the meter; run with --api-in-process)', '');
process.stdout.write(`${lines.join('\n')}\n`);
await finish(
  {
    acceptedPerSec: load.accepted / acceptSeconds,
    allocatedPerSec: toSettled.length / allocSeconds,
    acceptP50Ms: pct(latencies, 50),
    acceptP99Ms: pct(latencies, 99),
    ...(cost ? { cost: cost.perOrder } : {}),
    ...(cloud ? { rssBytes: idleMemory.rss } : {}),
    orders: Number(values.orders),
    stuck,
  },
  stuck > 0 || load.failed.length > 0 ? 1 : 0,
);

// ---- helpers ----
/** Closes the cloud, then writes the summary as the last line of stdout (nothing the cloud logs can follow it). */
async function finish(run: MeasuredRun, exitCode: number): Promise<never> {
  await cloud?.close();
  apiMeter?.close();
  process.stdout.write(`${JSON.stringify(buildSummary(run))}\n`);
  process.exit(exitCode);
}

function addThreadCounts(counts: ThreadCounts): void {
  for (const [command, n] of counts.dynamodbCalls) meter!.calls.set(command, (meter!.calls.get(command) ?? 0) + n);
  meter!.wru += counts.wru;
  for (const [key, stats] of counts.detail) {
    const entry = meter!.detail.get(key) ?? meter!.detail.set(key, { items: 0, wru: 0 }).get(key)!;
    entry.items += stats.items;
    entry.wru += stats.wru;
  }
  meter!.rru += counts.rru;
  for (const [fn, usage] of counts.byFunction) {
    const sum = meter!.byFunction.get(fn) ?? meter!.byFunction.set(fn, { calls: 0, commands: {}, wru: 0, rru: 0 }).get(fn)!;
    sum.calls += usage.calls;
    sum.wru += usage.wru;
    sum.rru += usage.rru;
    for (const [command, n] of Object.entries(usage.commands)) sum.commands[command] = (sum.commands[command] ?? 0) + n;
  }
  for (const [id, stats] of counts.invocations) {
    invocations.set(id, (invocations.get(id) ?? 0) + stats.count);
    const sum = durations.get(id) ?? durations.set(id, { count: 0, totalMs: 0 }).get(id)!;
    sum.count += stats.count;
    sum.totalMs += stats.totalMs;
  }
}

/** What ops would look at for an order left ACCEPTED or ROUTING: its history and its workflow executions. */
async function describeStuck(order: OrderItem): Promise<unknown> {
  if (!cloud) return { orderId: order.orderId, status: order.status, history: order.history };
  const sfn = new SFNClient({ endpoint: cloud.endpoints.sfn });
  const executions = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    const executionArn = cloud.stateMachineArns.orderFulfillment.replace(':stateMachine:', ':execution:') + `:${order.orderId}-${attempt}`;
    const found = await sfn.send(new DescribeExecutionCommand({ executionArn })).catch((error: Error) => ({ status: error.name }));
    const last =
      found.status === 'RUNNING'
        ? ((await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 3 }))).events ?? []).map((e) => `${e.type} ${JSON.stringify(e.stateEnteredEventDetails?.name ?? e.lambdaFunctionScheduledEventDetails?.resource ?? '')}`)
        : undefined;
    executions.push({ attempt, status: found.status, ...('error' in found && found.error ? { error: found.error, cause: found.cause } : {}), ...(last ? { last } : {}) });
  }
  sfn.destroy();
  return { orderId: order.orderId, status: order.status, history: order.history, executions };
}

function snapshotInvocations(): Map<string, number> {
  return new Map([...(cloud?.runtime.invocations ?? new Map())].map(([id, s]) => [id, s.count]));
}

function diffInvocations(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  return new Map([...after].map(([id, n]) => [id, n - (before.get(id) ?? 0)] as [string, number]).filter(([, n]) => n > 0));
}

interface SfnStats {
  executions: number;
  sampled: number;
  transitionsPerExecution: number;
  /** Mean duration of the sampled executions as Express bills it: rounded up to 100 ms (local: an upper bound). */
  billedSecondsPerExecution: number;
}

/** State transitions as Step Functions Standard bills them: one per state entered (Map iterations' states included). */
async function stepFunctionStats(local: LocalCloud, sample: number, since?: Date): Promise<SfnStats> {
  const sfn = new SFNClient({ endpoint: local.endpoints.sfn });
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn: local.stateMachineArns.orderFulfillment, maxResults: 1000, nextToken }));
    arns.push(...(page.executions ?? []).filter((e) => !since || (e.startDate?.getTime() ?? 0) >= since.getTime()).map((e) => e.executionArn!));
    nextToken = page.nextToken;
  } while (nextToken);
  const step = Math.max(1, Math.floor(arns.length / sample));
  const picked = arns.filter((_, i) => i % step === 0).slice(0, sample);
  let transitions = 0;
  let billedSeconds = 0;
  for (const executionArn of picked) {
    let token: string | undefined;
    let first: number | undefined;
    let last = 0;
    do {
      const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken: token, includeExecutionData: false }));
      transitions += (page.events ?? []).filter((e) => e.type?.endsWith('StateEntered')).length;
      for (const event of page.events ?? []) {
        const at = event.timestamp?.getTime() ?? 0;
        // From the first state entered: locally an execution may wait for a free slot after it started.
        if (event.type?.endsWith('StateEntered')) first ??= at;
        last = Math.max(last, at);
      }
      token = page.nextToken;
    } while (token);
    billedSeconds += Math.ceil(Math.max(1, last - (first ?? last)) / 100) / 10;
  }
  sfn.destroy();
  const n = picked.length;
  return { executions: arns.length, sampled: n, transitionsPerExecution: n ? transitions / n : 0, billedSecondsPerExecution: n ? billedSeconds / n : 0 };
}

interface CostReport {
  lines: string[];
  perOrder: NonNullable<MeasuredRun['cost']>;
}

/** The order workflow's Step Functions lines, as its type in the manifest is billed. */
function stepFunctionsCost(executionsPerOrder: number, transitionsPerOrder: number, billedSeconds: number, alone = false): Array<[string, string, number]> {
  if (topology.stateMachines.orderFulfillment.type === 'STANDARD') return [['Step Functions Standard transitions', transitionsPerOrder.toFixed(1), transitionsPerOrder * PRICES.sfnTransition]];
  const gbSeconds = executionsPerOrder * billedSeconds * (64 / 1024);
  return [
    ['Step Functions Express requests', executionsPerOrder.toFixed(2), executionsPerOrder * PRICES.sfnExpressRequest],
    [`Step Functions Express duration (64 MB x ${billedSeconds.toFixed(1)} s, ${alone ? 'one at a time' : 'under the load: upper bound'})`, gbSeconds.toFixed(4), gbSeconds * PRICES.sfnExpressGbSecond],
  ];
}

interface Isolated {
  orders: number;
  durations: Map<string, { count: number; totalMs: number }>;
  sfn: SfnStats;
}

/**
 * The duration a function's invocation would bill: its wall time one at a time (calibration), stretched as if all of
 * it were CPU by the function's share of a vCPU (pessimistic: waits on DynamoDB do not stretch); without a
 * calibration, its wall time under the load (an upper bound: it includes waiting for this machine's CPU).
 */
function billedMs(id: string, isolated: Isolated | undefined): { ms: number; basis: string } {
  const memoryMb = topology.functions[id as FunctionId].memoryMb;
  // Lambda gives a function CPU in proportion to its memory: one vCPU at 1,769 MB.
  const ONE_VCPU_MB = 1769;
  const alone = isolated?.durations.get(id);
  if (alone?.count) return { ms: (alone.totalMs / alone.count) * Math.max(1, ONE_VCPU_MB / memoryMb), basis: `${(alone.totalMs / alone.count).toFixed(1)} alone` };
  const loaded = durations.get(id);
  return { ms: loaded?.count ? loaded.totalMs / loaded.count : 0, basis: 'under load' };
}

function costReport(calls: Map<string, number>, sfnStats: SfnStats, orderCount: number, isolated?: Isolated): CostReport {
  const per = (n: number) => n / orderCount;
  const out: string[] = [`### AWS requests and cost per order (${orderCount} orders; prices: us-east-1 list, 2026-01, assumptions)`, ''];
  if (isolated) out.push(`Durations: each function's mean wall time over ${isolated.orders} orders placed one at a time after the load (a Lambda instance runs one invocation at a time), stretched by 1,769 MB / its memory as if it were all CPU; the mean under the load beside it.`, '');
  out.push('| function | invocations / order | mean ms under the load | billed ms (estimate) | memory MB | GB-s / order |', '|---|---|---|---|---|---|');
  let invocationsPerOrder = 0;
  let gbSecondsPerOrder = 0;
  const authorizer = calls.get('authorizeRequest') ?? 0;
  for (const [id, n] of [...calls].sort((a, b) => b[1] - a[1])) {
    const timed = durations.get(id);
    const mean = timed?.count ? timed.totalMs / timed.count : 0;
    const memoryMb = topology.functions[id as FunctionId].memoryMb;
    const billed = billedMs(id, isolated);
    // Billed per ms; the authorizer's decisions are cached for 60 s per key on AWS, so it is not billed per order. The
    // bench's own reads (its polls for the orders' statuses) are shown but are not the orders' cost.
    const counted = id === 'authorizeRequest' || OBSERVERS.has(id) ? 0 : per(n);
    const gbs = counted * (billed.ms / 1000) * (memoryMb / 1024);
    invocationsPerOrder += counted;
    gbSecondsPerOrder += gbs;
    out.push(`| ${id}${id === 'authorizeRequest' ? ' (cached on AWS: not counted)' : OBSERVERS.has(id) ? " (the bench's own reads: not counted)" : ''} | ${per(n).toFixed(3)} | ${mean.toFixed(1)} | ${billed.ms.toFixed(1)} (${billed.basis}) | ${memoryMb} | ${gbs.toFixed(5)} |`);
  }
  const transitions = per(sfnStats.executions) * sfnStats.transitionsPerExecution;
  // Events put on the bus (counted by the local bus); those the webhook rule matched each became an SQS message: a
  // SendMessage by EventBridge, then the fan-out's share of its batch's ReceiveMessage and DeleteMessageBatch (ten
  // a call). Empty long polls of an idle queue (a few per minute per queue) are not per order.
  const events = per(bus.events);
  const fanOutBatches = calls.get('fanOutWebhooks') ?? 0;
  const sqsRequests = per(bus.webhookEvents + fanOutBatches + Math.ceil(bus.webhookEvents / 10));
  // DynamoDB: every call the orders' functions made (by the function running when it was made), not the bench's reads.
  const used = [...(meter?.byFunction ?? new Map<string, FunctionUsage>())].filter(([fn]) => !OBSERVERS.has(fn)).sort((a, b) => b[1].calls - a[1].calls);
  const byCommand = new Map<string, number>();
  for (const [, usage] of used) for (const [command, n] of Object.entries(usage.commands)) byCommand.set(command, (byCommand.get(command) ?? 0) + n);
  const dynamoCalls = [...byCommand].sort((a, b) => b[1] - a[1]);
  const wru = per(used.reduce((n, [, u]) => n + u.wru, 0));
  const rru = per(used.reduce((n, [, u]) => n + u.rru, 0));
  out.push('');
  out.push(`DynamoDB calls / order: ${dynamoCalls.map(([c, n]) => `${c.replace(/Command$/, '')} ${per(n).toFixed(2)}`).join(', ')}`);
  out.push(`DynamoDB by function, per order (calls, estimated WRU, RRU): ${used.map(([fn, u]) => `${fn} ${per(u.calls).toFixed(2)} / ${per(u.wru).toFixed(1)} / ${per(u.rru).toFixed(1)}`).join('; ')}`);
  out.push(`Step Functions: ${per(sfnStats.executions).toFixed(3)} executions / order x ${sfnStats.transitionsPerExecution.toFixed(1)} transitions (StateEntered events, ${sfnStats.sampled} histories read)`);
  if (values['meter-detail'] && meter) {
    out.push('| write (command, operation, item kind) | items / order | estimated WRU / order |', '|---|---|---|');
    for (const [key, stats] of [...meter.detail].sort((a, b) => b[1].wru - a[1].wru)) out.push(`| ${key} | ${per(stats.items).toFixed(2)} | ${per(stats.wru).toFixed(2)} |`);
    out.push('');
  }
  out.push(`authorizer invocations / order here: ${per(authorizer).toFixed(2)} (the local gateway caches decisions 60 s, as the deployed API does)`, '');
  const items: Array<[string, string, number]> = [
    ...stepFunctionsCost(per(sfnStats.executions), transitions, isolated?.sfn.sampled ? isolated.sfn.billedSecondsPerExecution : sfnStats.billedSecondsPerExecution, Boolean(isolated?.sfn.sampled)),
    ['Lambda requests', invocationsPerOrder.toFixed(2), invocationsPerOrder * PRICES.lambdaRequest],
    [isolated ? 'Lambda compute (arm64 GB-s; durations one at a time, stretched to the CPU share)' : 'Lambda compute (arm64 GB-s, local wall time under the load: upper bound)', gbSecondsPerOrder.toFixed(4), gbSecondsPerOrder * PRICES.lambdaGbSecondArm],
    ['DynamoDB write request units (estimated)', wru.toFixed(1), wru * PRICES.wru],
    ['DynamoDB read request units (estimated)', rru.toFixed(1), rru * PRICES.rru],
    ['EventBridge events (custom bus)', events.toFixed(2), events * PRICES.event],
    ['API Gateway REST requests (POST /orders)', '1', PRICES.apiRequest],
    ['SQS requests (webhook-events queue: send, receive, delete; no deliveries without webhooks)', sqsRequests.toFixed(2), sqsRequests * PRICES.sqsRequest],
  ];
  const total = items.reduce((n, [, , c]) => n + c, 0);
  out.push('| item | per order | $ per 1,000 orders |', '|---|---|---|');
  for (const [name, quantity, cost] of items) out.push(`| ${name} | ${quantity} | ${(cost * 1000).toFixed(4)} |`);
  out.push(`| **total** | | **${(total * 1000).toFixed(4)}** |`, '');
  const dynamodbCallsPerOrder = per(dynamoCalls.reduce((n, [, c]) => n + c, 0));
  return { lines: out, perOrder: { usdPerOrder: total, dynamodbCallsPerOrder, lambdaInvocationsPerOrder: invocationsPerOrder, transitionsPerOrder: transitions } };
}
