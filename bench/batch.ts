// Batch routing benchmark: the batch allocator, myopic per-order routing with our own engine and the
// exact MILP (HiGHS), in one run on the same batches; every method's plans are scored by the
// benchmark's own check.mjs (a child process).
// Usage: npm run bench:batch [-- --data DIR] [--classes window,big] [--reps 3] [--exact-time-limit 60]
//        npm run bench:batch -- --simulate-day [--seeds 1,2,3,4,5] [--orders 900] [--window-minutes 10] [--premium 5]
// --data defaults to ../shared/bench/batch; a directory without CLASS.optimal.jsonl (e.g. one written
// by bench/batch/generate.ts) gets it from this run's exact solutions.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { allocateBatch } from '../shared/domain/routing/batch/allocate-batch.ts';
import type { Batch, BatchAllocation, BatchPlan } from '../shared/domain/routing/batch/types.ts';
import { loadHighs, solveBatchMilp } from './batch/exact-milp.ts';
import { myopicPlan } from './batch/myopic.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sampleDir = path.resolve(repoRoot, '../shared/bench/batch');
const checkScript = path.join(sampleDir, 'check.mjs');

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: sampleDir },
    classes: { type: 'string', default: 'window,scarce-window,repeat,big' },
    reps: { type: 'string', default: '3' },
    'exact-time-limit': { type: 'string' },
    // Look-ahead (issue 17 step 4): a seeded day of orders against finite stock, with and without look-ahead and windows.
    'simulate-day': { type: 'boolean', default: false },
    seeds: { type: 'string', default: '1,2,3,4,5' },
    orders: { type: 'string', default: '900' },
    'window-minutes': { type: 'string', default: '10' },
    premium: { type: 'string' },
  },
});
if (values['simulate-day']) {
  const { runSimulateDay } = await import('./batch/simulate-day.ts');
  runSimulateDay({
    seeds: values.seeds!.split(',').map(Number),
    orders: Number(values.orders),
    windowMinutes: Number(values['window-minutes']),
    ...(values.premium ? { unitPremium: Number(values.premium) } : {}),
  });
  process.exit(0);
}
const dataDir = path.resolve(values.data!);
const classes = values.classes!.split(',');
const reps = Math.max(1, Number(values.reps));
const exactTimeLimit = values['exact-time-limit'] ? Number(values['exact-time-limit']) : undefined;

interface Run {
  allocations: readonly BatchAllocation[];
  ms: number;
  plan?: BatchPlan;
  status?: string;
}

interface CheckResult {
  infeasible: number;
  missing: number;
  meanGapPct: number | null;
  maxGapPct: number | null;
  optimalPct: number | null;
  parcelsPerOrder: number | null;
  unfilledUnits: number;
  errors?: string[];
}

function readJsonl<T>(file: string): T[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

// Median of `repeat` timed runs per batch, after a warm-up on the class's first batches (a
// long-running function is warm; the JIT's first passes are start-up, not routing).
function timeMethod(batches: readonly Batch[], repeat: number, run: (b: Batch) => Omit<Run, 'ms'>): Run[] {
  for (const b of batches.slice(0, 3)) run(b);
  return batches.map((b) => {
    const times: number[] = [];
    let last: Omit<Run, 'ms'> | undefined;
    for (let r = 0; r < repeat; r++) {
      const t0 = performance.now();
      last = run(b);
      times.push(performance.now() - t0);
    }
    times.sort((x, y) => x - y);
    return { ...last!, ms: times[Math.floor(times.length / 2)]! };
  });
}

function check(cls: string, batchesFile: string, optimalFile: string, runs: readonly Run[], batches: readonly Batch[]): CheckResult {
  const file = path.join(os.tmpdir(), `batch-bench-${process.pid}-${cls}.jsonl`);
  fs.writeFileSync(file, runs.map((r, i) => JSON.stringify({ id: batches[i]!.id, allocations: r.allocations })).join('\n') + '\n');
  const out = spawnSync(process.execPath, [checkScript, batchesFile, file, optimalFile], { encoding: 'utf8' });
  fs.rmSync(file, { force: true });
  if (out.status !== 0) throw new Error(`check.mjs failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim()) as CheckResult;
}

function percentile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

const fmtMs = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const fmtPct = (x: number | null) => (x === null ? 'n/a' : (Math.abs(x) < 5e-5 ? 0 : x).toFixed(3));

await loadHighs();
const { scoreBatch } = (await import(checkScript)) as {
  scoreBatch: (b: Batch, plan: { allocations: readonly BatchAllocation[] }) => { cost?: number; parcels?: number; unfilledUnits?: number; error?: string };
};
const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
console.log(`machine: ${cpu}, ${os.cpus().length} cores, node ${process.version}, ${os.platform()} ${os.arch()}; load average ${os.loadavg()[0]!.toFixed(1)}`);
console.log(`data: ${path.relative(repoRoot, dataDir) || '.'}; timing: median of ${reps} runs per batch after a warm-up (exact MILP: 1 run, WASM loaded and warmed first)\n`);

const summary: string[] = [];
for (const cls of classes) {
  const batchesFile = path.join(dataDir, `${cls}.jsonl`);
  const batches = readJsonl<Batch>(batchesFile);

  const exact = batches.map((b) => {
    const t0 = performance.now();
    const r = solveBatchMilp(b, exactTimeLimit !== undefined ? { timeLimitS: exactTimeLimit } : {});
    return { allocations: r.allocations, status: r.status, ms: performance.now() - t0 } satisfies Run;
  });
  let optimalFile = path.join(dataDir, `${cls}.optimal.jsonl`);
  if (!fs.existsSync(optimalFile)) {
    // Generated data: this run's exact solutions are the optima, where HiGHS proved them; check.mjs
    // leaves the other batches unscored (reported below as the exact solver's time limit).
    optimalFile = path.join(os.tmpdir(), `batch-bench-${process.pid}-${cls}.optimal.jsonl`);
    const rows = batches.flatMap((b, i) => {
      const s = scoreBatch(b, { allocations: exact[i]!.allocations });
      if (exact[i]!.status !== 'Optimal' || s.error) return [];
      return [JSON.stringify({ id: b.id, cost: s.cost, parcels: s.parcels, unfilledUnits: s.unfilledUnits, gap: 0, ms: exact[i]!.ms })];
    });
    fs.writeFileSync(optimalFile, rows.join('\n') + '\n');
  }

  const allocator = timeMethod(batches, reps, (b) => {
    const plan = allocateBatch(b);
    return { allocations: plan.allocations, plan };
  });
  const myopic = timeMethod(batches, reps, (b) => ({ allocations: myopicPlan(b) }));

  const methods: { name: string; runs: Run[] }[] = [
    { name: 'batch allocator', runs: allocator },
    { name: 'myopic per-order (our engine)', runs: myopic },
    { name: 'exact MILP (HiGHS)', runs: exact },
  ];
  const exactP50 = percentile(exact.map((r) => r.ms), 0.5);
  const head = ['method', 'n', 'infeasible', 'mean gap %', 'max gap %', 'optimal %', 'parcels/order', 'unfilled', 'p50 ms', 'p99 ms', 'speed-up (p50)'];
  const rows = methods.map(({ name, runs }) => {
    const c = check(cls, batchesFile, optimalFile, runs, batches);
    if (c.errors) console.error(`${cls} / ${name}: ${c.errors.join('; ')}`);
    const ms = runs.map((r) => r.ms);
    const p50 = percentile(ms, 0.5);
    return [
      name,
      String(batches.length),
      String(c.infeasible + c.missing),
      fmtPct(c.meanGapPct),
      fmtPct(c.maxGapPct),
      c.optimalPct === null ? 'n/a' : c.optimalPct.toFixed(1),
      c.parcelsPerOrder === null ? 'n/a' : c.parcelsPerOrder.toFixed(3),
      String(c.unfilledUnits),
      fmtMs(p50),
      fmtMs(percentile(ms, 0.99)),
      `${(exactP50 / p50).toFixed(1)}x`,
    ];
  });
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => '| ' + r.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join(' | ') + ' |';
  const locations = Math.round(batches.reduce((s, b) => s + b.locations.length, 0) / batches.length);
  const orders = Math.round(batches.reduce((s, b) => s + b.orders.length, 0) / batches.length);
  console.log(`## ${cls} (${batches.length} batches, ${orders} orders, ~${locations} locations)`);
  console.log(line(head));
  console.log('|' + widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|');
  for (const r of rows) console.log(line(r));
  const plans = allocator.map((r) => r.plan!);
  const gaps = plans.map((p) => 100 * p.provenGap);
  const notOptimal = exact.filter((r) => r.status !== 'Optimal').length;
  console.log(
    `allocator's proven bound: gap to its own lower bound mean ${fmtPct(gaps.reduce((s, g) => s + g, 0) / gaps.length)} %, ` +
      `max ${fmtPct(Math.max(...gaps))} %; proven optimal ${plans.filter((p) => p.optimal).length}/${plans.length} batches` +
      (notOptimal ? `; exact solver not optimal on ${notOptimal} batch(es) (time limit)` : '') +
      '\n',
  );
  summary.push(`${cls}: allocator mean gap ${rows[0]![3]} %, max ${rows[0]![4]} %, infeasible ${rows[0]![2]}, speed-up ${rows[0]![10]}`);
}
console.log(summary.join('\n'));
